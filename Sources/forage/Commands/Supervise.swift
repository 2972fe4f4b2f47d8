import ArgumentParser
import ForageExecutor
import Foundation

extension Forage {
    /// `forage __supervise -- CMD …`: the per-trial supervisor that keeps trial processes from outliving forage.
    struct Supervise: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "__supervise", shouldDisplay: false)

        @Argument(parsing: .captureForPassthrough)
        var command: [String] = []

        func run() throws {
            let arguments = command.first == "--" ? Array(command.dropFirst()) : command
            let status = TrialSupervisor.run(arguments)
            throw ExitCode(status)
        }
    }
}
