import ForageTesting
import Foundation
import Testing

/// When a trial's `forage-supervise` dies, even by SIGKILL, Forage kills the trial's process group.
@Suite(.serialized) struct SupervisorTests {
    /// Whether `pid` is a live process (a zombie waiting for its parent counts as gone).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    static func readPID(_ url: URL) -> pid_t? {
        (try? String(contentsOf: url, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Synchronous on purpose (as the other tests here): under the full suite a task's `Task.sleep` can wait minutes for
    /// a cooperative thread that other tests' blocking calls hold, long enough for the trial to end on its own.
    @Test func killingTheSupervisorKillsTheTrialsProcessGroup() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The shell's parent is the supervisor; a background sleep and the shell are the trial's processes.
        try directory.write("s.yaml", #"""
            objective: {metric: loss, direction: minimize}
            trial: {command: 'sleep 900 & echo $! > "$FORAGE_TRIAL_DIR/child.pid"; echo $PPID > "$FORAGE_TRIAL_DIR/supervisor.pid"; echo $$ > "$FORAGE_TRIAL_DIR/shell.pid"; wait'}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 1}
            """#)
        let running = try ForageProcess.start(["run", "s.yaml"], in: directory.url)
        let folder = directory.url.appendingPathComponent(".forage/trials/s/0")
        var pids: (supervisor: pid_t, shell: pid_t, child: pid_t)?
        for _ in 0..<2_400 {
            if let supervisor = Self.readPID(folder.appendingPathComponent("supervisor.pid")),
                let shell = Self.readPID(folder.appendingPathComponent("shell.pid")),
                let child = Self.readPID(folder.appendingPathComponent("child.pid"))
            {
                pids = (supervisor, shell, child)
                break
            }
            usleep(25_000)
        }
        let found = try #require(pids, "the trial never started")
        let command = try String(contentsOfFile: "/proc/\(found.supervisor)/cmdline", encoding: .utf8)
        #expect(command.contains("forage-supervise"), "\(command)")
        #expect(Self.isAlive(found.child) && Self.isAlive(found.shell))

        kill(found.supervisor, SIGKILL)
        var gone = false
        for _ in 0..<400 {
            if !Self.isAlive(found.child) && !Self.isAlive(found.shell) {
                gone = true
                break
            }
            usleep(25_000)
        }
        #expect(gone, "the trial's processes outlived their supervisor")
        if !gone {
            kill(found.child, SIGKILL)
            kill(found.shell, SIGKILL)
        }
        // The run ends at once: its only trial failed, naming the supervisor's death.
        let stdout = running.standardOutputPipe.fileHandleForReading.readDataToEndOfFile()
        running.process.waitUntilExit()
        #expect(running.process.terminationStatus != 0)
        #expect(String(decoding: stdout, as: UTF8.self).contains("failed"))
        let json = try ForageProcess.run(["trials", "s", "--format", "json"], in: directory.url)
        #expect(json.stdout.contains("forage-supervise was killed by signal 9"), "\(json.stdout)")
    }

    /// With forage frozen (so only the kernel can act), SIGKILL to the supervisor still takes its command down:
    /// the command runs with PR_SET_PDEATHSIG.
    @Test func theCommandDiesWithItsSupervisorEvenWhenForageCannotAct() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("d.yaml", #"""
            objective: {metric: loss, direction: minimize}
            trial: {command: 'echo $PPID > "$FORAGE_TRIAL_DIR/supervisor.pid"; echo $$ > "$FORAGE_TRIAL_DIR/child.pid"; exec sleep 900'}
            search_space: {x: {type: float, low: 0, high: 1}}
            budget: {trials: 1}
            """#)
        let running = try ForageProcess.start(["run", "d.yaml"], in: directory.url)
        defer {
            kill(running.process.processIdentifier, SIGKILL)
            running.process.waitUntilExit()
        }
        let folder = directory.url.appendingPathComponent(".forage/trials/d/0")
        var pids: (supervisor: pid_t, child: pid_t)?
        for _ in 0..<2_400 {
            if let supervisor = Self.readPID(folder.appendingPathComponent("supervisor.pid")),
                let child = Self.readPID(folder.appendingPathComponent("child.pid")),
                ((try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)) ?? "").hasPrefix("sleep")
            {
                pids = (supervisor, child)
                break
            }
            usleep(25_000)
        }
        let found = try #require(pids, "the trial never started")
        kill(running.process.processIdentifier, SIGSTOP)
        kill(found.supervisor, SIGKILL)
        var gone = false
        for _ in 0..<400 {
            if !Self.isAlive(found.child) {
                gone = true
                break
            }
            usleep(25_000)
        }
        #expect(gone, "the command outlived its supervisor")
        if !gone { kill(found.child, SIGKILL) }
        kill(running.process.processIdentifier, SIGCONT)
    }
}
