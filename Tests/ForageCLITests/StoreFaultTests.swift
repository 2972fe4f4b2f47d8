import ForageTesting
import Foundation
import Testing

/// End-to-end: ownership, faults and readers as a user meets them (issue 11's checks, through the binary).
@Suite struct StoreFaultTests {
    /// A command experiment whose value is its parameter, so every stored value can be checked against its trial.
    static let echoSpec = """
        name: echo
        objective: {metric: value, direction: minimize}
        trial:
          command: "sleep 0.4; echo '{\\"value\\": {x}}'"
        search_space:
          x: {type: float, low: 0, high: 1}
        searcher: {algorithm: random, seed: 3}
        budget: {trials: 40, parallel: 2}
        """

    /// Waits for a process to exit without suspending (see the frozen-owner test); true when it did.
    static func waitForExit(_ logged: LoggedProcess, timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while logged.process.isRunning, Date() < end { usleep(20_000) }
        return !logged.process.isRunning
    }

    /// Starts `forage run echo.yaml` and stops it (SIGSTOP) as soon as it has committed a trial (its progress lines
    /// say so); 40 trials of 0.4 s on 2 slots take 8 s, far longer than that.
    static func startFrozenOwner(in directory: URL, label: String) throws -> LoggedProcess {
        let owner = try LoggedProcess.start(["run", "echo.yaml"], in: directory, label: label)
        let started = Date()
        while !owner.stdout.contains(" completed "), Date().timeIntervalSince(started) < 60 { usleep(10_000) }
        kill(owner.process.processIdentifier, SIGSTOP)
        return owner
    }

    /// The store's trials as CSV rows (header → cell).
    static func trialRows(_ directory: URL, experiment: String) throws -> [[String: String]] {
        let csv = try ForageProcess.run(["trials", experiment, "--format", "csv"], in: directory)
        let lines = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// A frozen owner may be stopped inside a write transaction. With the write lock held by another connection for
    /// 8 s (SQLite's lock, taken here by a Python `BEGIN IMMEDIATE`), a plain resume is still refused at
    /// once, naming the owner — not after the busy timeout with "database is locked".
    @Test func aResumeIsRefusedByNameWhileTheOwnerHoldsTheWriteLock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("echo.yaml", Self.echoSpec)
        let owner = try Self.startFrozenOwner(in: directory.url, label: "owner")
        defer { owner.kill() }
        defer { kill(owner.process.processIdentifier, SIGCONT) }
        let database = directory.url.appendingPathComponent(".forage/forage.sqlite").path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3, sys, time\n"
                + "c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)\n"
                + "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(8)",
            database,
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        try #require(line.contains("locked"), "the lock holder printed '\(line)'")

        let asked = Date()
        let refused = try ForageProcess.run(["resume", "echo"], in: directory.url)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is being run by pid \(owner.process.processIdentifier)"), "\(refused.stderr)")
        // Refused before the 8 s hold ended (6 s leaves room for a process start on a loaded machine).
        #expect(Date().timeIntervalSince(asked) < 6, "the refusal waited for the write lock")
    }

    /// Synchronous on purpose: its timeline (stop the owner, wait, take over) must not wait for a cooperative thread
    /// that other tests' blocking calls hold.
    @Test func aFrozenOwnerIsRefusedThenFencedOutWhenForcedAndNothingIsCountedTwice() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("echo.yaml", Self.echoSpec)
        let first = try Self.startFrozenOwner(in: directory.url, label: "first")
        defer { first.kill() }
        sleep(2)

        // A stopped owner is alive: a plain resume is refused, naming it and the way to take over anyway.
        let refused = try ForageProcess.run(["resume", "echo"], in: directory.url)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is being run by pid \(first.process.processIdentifier)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force"))

        let second = try LoggedProcess.start(["resume", "echo", "--force"], in: directory.url, label: "second")
        defer { second.kill() }
        sleep(1)
        kill(first.process.processIdentifier, SIGCONT)
        // The old owner learns it lost the experiment at its next write, stops without writing, and exits non-zero.
        #expect(Self.waitForExit(first, timeout: 15))
        #expect(first.process.terminationStatus != 0)
        #expect(first.stderr.contains("was taken over by pid \(second.process.processIdentifier)"), "\(first.stderr)")
        #expect(Self.waitForExit(second, timeout: 120))
        #expect(second.process.terminationStatus == 0, "\(second.stderr)")

        let rows = try Self.trialRows(directory.url, experiment: "echo")
        let completed = rows.filter { $0["state"] == "completed" }
        #expect(completed.count == 40)
        #expect(Set(rows.compactMap { $0["trial"] }).count == rows.count)
        #expect(Set(completed.compactMap { $0["x"] }).count == completed.count)
        for row in completed {
            // The value is the parameter as the command printed it: equal up to the printed digits.
            let value = try #require(Double(row["value"] ?? ""))
            let x = try #require(Double(row["x"] ?? ""))
            #expect(abs(value - x) < 1e-12, "trial \(row["trial"] ?? "?")")
        }
        #expect(rows.filter { $0["state"] == "failed" }.allSatisfy { $0["reason"]?.hasPrefix("interrupted") == true })
    }

    /// Whether this process may mount a tmpfs (root on Linux): the disk-full check needs a small real file system.
    static var canMountTmpfs: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    @Test(.enabled(if: canMountTmpfs, "needs root to mount a 2 MB tmpfs"))
    func aFullDiskEndsTheRunWithItsCauseAndResumeOnALargerDiskCompletesTheBudget() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let small = directory.url.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        _ = try ForageProcess.runShell("mount -t tmpfs -o size=2m tmpfs '\(small.path)'", in: directory.url)
        defer { _ = try? ForageProcess.runShell("umount '\(small.path)'", in: directory.url) }
        try directory.write(
            "noop.yaml",
            """
            name: noop
            objective: {metric: value, direction: minimize}
            trial: {function: noop}
            search_space:
              x0: {type: float, low: 0, high: 1}
              x1: {type: float, low: 0.001, high: 10, log: true}
              x2: {type: int, low: 1, high: 64}
              kind: {type: categorical, choices: [a, b, c]}
            searcher: {algorithm: random, seed: 7}
            budget: {trials: 20000, parallel: 2}
            """)
        let run = try LoggedProcess.start(["run", "noop.yaml", "--store", small.appendingPathComponent("s").path], in: directory.url, label: "run")
        defer { run.kill() }
        #expect(try await run.waitForExit(timeout: 120), "the run hung on a full disk")
        #expect(run.process.terminationStatus == 1)
        #expect(run.stderr.contains("database or disk is full"), "\(run.stderr)")
        #expect(!run.stdout.contains("finished:"))

        let large = directory.url.appendingPathComponent("large")
        _ = try ForageProcess.runShell("cp -a '\(small.appendingPathComponent("s").path)' '\(large.path)'", in: directory.url)
        let resume = try ForageProcess.run(["resume", "noop", "--store", large.path], in: directory.url)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stdout.contains("finished: 20000/20000 trials"))
        let status = try ForageProcess.run(["status", "noop", "--store", large.path, "--format", "json"], in: directory.url)
        let counts = try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["counts"] as? [String: Int])
        #expect(counts["completed"] == 20000 && counts["failed"] == 0 && counts["running"] == 0)
    }

    /// Whether tests can run a command as another user (`nobody`), to check readers without write permission.
    static var canDropPrivileges: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") }

    @Test(.enabled(if: canDropPrivileges, "needs root and setpriv to run a reader as a user who cannot write the store"))
    func readersWorkWithoutWritePermissionAndWriteNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("echo.yaml", Self.echoSpec.replacingOccurrences(of: "trials: 40", with: "trials: 6"))
        let run = try ForageProcess.run(["run", "echo.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        _ = try ForageProcess.runShell("chmod 755 '\(directory.url.path)'", in: directory.url)
        let before = try ForageProcess.runShell("ls -la .forage", in: directory.url)
        let binary = ForageProcess.binary.path
        for command in ["status", "status echo", "trials echo --format json", "leaderboard echo --format csv", "models list"] {
            let output = try ForageProcess.runShell(
                "setpriv --reuid=65534 --regid=65534 --clear-groups \(binary) \(command) 2>&1; echo \"exit=$?\"", in: directory.url)
            #expect(output.contains("exit=0"), "\(command): \(output)")
            #expect(!output.contains("error:"), "\(command): \(output)")
        }
        #expect(try ForageProcess.runShell("ls -la .forage", in: directory.url) == before)
    }

    @Test func readersAnswerAtOnceWhileAnotherConnectionHoldsTheWriteLock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("echo.yaml", Self.echoSpec.replacingOccurrences(of: "trials: 40", with: "trials: 4"))
        #expect(try ForageProcess.run(["run", "echo.yaml"], in: directory.url).status == 0)
        // Another process takes the write lock and keeps it for 8 s.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3,sys,time\nc=sqlite3.connect('.forage/forage.sqlite',isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\n"
                + "c.execute(\"UPDATE experiments SET message='held'\")\nprint('locked',flush=True)\ntime.sleep(8)",
        ]
        holder.currentDirectoryURL = directory.url
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        #expect(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).contains("locked"))
        let started = Date()
        let status = try ForageProcess.run(["status", "echo"], in: directory.url)
        let leaderboard = try ForageProcess.run(["leaderboard", "echo", "--format", "json"], in: directory.url)
        // Both answered before the 8 s hold ended, so neither waited for the lock (6 s leaves room for two
        // process starts on a loaded machine).
        #expect(Date().timeIntervalSince(started) < 6)
        #expect(status.status == 0 && status.stdout.contains("4/4 done"), "\(status.stderr)")
        #expect(leaderboard.status == 0, "\(leaderboard.stderr)")
    }

    @Test func namesThatWouldLeaveTheStoreAreRefusedBeforeAnythingIsWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("echo.yaml", Self.echoSpec.replacingOccurrences(of: "trials: 40", with: "trials: 2"))
        for name in ["../../etc", "..", "two words", String(repeating: "n", count: 300), "a/b"] {
            let run = try ForageProcess.run(["run", "echo.yaml", "--name", name], in: directory.url)
            #expect(run.status != 0, "\(name)")
            #expect(run.stderr.contains("is not a valid experiment name"), "\(name): \(run.stderr)")
        }
        // Nothing was created, in the store or outside it.
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage").path))
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("etc").path))
        // A spec whose file name is not a valid name and that has no `name:` is refused with the field to add.
        try directory.write("my spec.yaml", Self.echoSpec.replacingOccurrences(of: "name: echo\n", with: ""))
        let unnamed = try ForageProcess.run(["run", "my spec.yaml"], in: directory.url)
        #expect(unnamed.status != 0)
        #expect(unnamed.stderr.contains("add `name:`"), "\(unnamed.stderr)")
    }
}
