import Foundation

/// What every benchmark command shares: the note that a debug build's figures mean little, and the path of this
/// `forage` binary for the benchmarks that start workers.
enum BenchSupport {
    /// Prints, in a debug build only, that figures need a release build.
    static func noteIfDebugBuild() {
        #if DEBUG
        printNote("note: this is a debug build; build with `swift build -c release` for real figures")
        #endif
    }

    /// The running `forage` binary's path, to start `forage worker` processes from.
    static func forageBinaryPath() throws -> String {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw CLIError("cannot find the forage binary to start workers")
        }
        return path
    }
}
