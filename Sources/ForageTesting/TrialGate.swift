import Foundation

/// Holds a test's command trials mid-run, so that a `kill -9` lands while trials run however busy the machine is:
/// the trial script counts its starts in the file `started` and, after the first `free` starts, waits (up to 30 s)
/// while the file `hold` exists. Both files are in the trials' working folder (the spec's folder).
public enum TrialGate {
    /// Python lines, at the script's top level, for a script that imports `os` and `time`.
    public static func python(free: Int) -> String {
        """
        with open("started", "a") as f:
            f.write("x")
        if os.path.getsize("started") > \(free):
            for _ in range(6000):
                if not os.path.exists("hold"):
                    break
                time.sleep(0.05)
        """
    }

    /// Closes the gate: trials after the free ones wait.
    public static func close(in directory: URL) throws {
        try Data().write(to: directory.appendingPathComponent("hold"))
    }

    /// Opens the gate: waiting trials go on, and later ones do not wait.
    public static func open(in directory: URL) throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent("hold"))
    }
}
