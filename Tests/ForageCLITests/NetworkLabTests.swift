import ForageTesting
import Foundation
import Testing

/// What crosses a network, on one machine (issue 12, item 5): PostgreSQL in a network namespace of its own, the
/// driver (`forage run --shared`) and three `forage worker` hosts in others, each host on its own veth link. One
/// search lives through a node loss (every process of host w1 killed), a partition (host w2's link down for longer
/// than the lease, then back) and the loss of the driver's host; it completes by itself with the exact budget, no
/// trial number or parameter set completed twice, and the partitioned host's late results refused.
///
/// Trials wait at per-host gates (files) while the test stages each event, so every event lands while the hosts hold
/// claims, however loaded the machine is. Skipped, with a printed reason, where network namespaces are not allowed.
@Suite(.serialized) struct NetworkLabTests {
    static let lease = 2.0
    static let budget = 80

    /// x² + y, after 0.2 s, once this host's gate (`hold.$LAB_HOST`) is open (at most 60 s); each trial past its gate
    /// appends its host's name to `passed`.
    static let script = """
        #!/bin/sh
        sleep 0.2
        n=0
        while [ -e "hold.$LAB_HOST" ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done
        echo "$LAB_HOST" >> passed
        printf '{"value": %s}\\n' "$(awk "BEGIN { printf \\"%.10f\\", $1 * $1 + $2 }")"
        """

    /// What the staged run saw, for the test to judge.
    struct Observed {
        var lostOnNodeLoss: [Int] = []
        var heldOnNodeLoss: [Int] = []
        var heldWhenPartitioned: [Int] = []
        var refusals = 0
        var partitionedLog = ""
        var takeover = ""
        var exits: [String: Int32] = [:]
        var logs: [String: String] = [:]
    }

    /// A failed stage, with what the hosts printed.
    struct StageFailed: Error, CustomStringConvertible {
        var description: String
    }

    @Test func aSearchOutlivesNodeLossAPartitionAndTheDriversHostOnANetwork() async throws {
        let lab: NetworkLab
        do {
            lab = try NetworkLab(hosts: ["driver", "w1", "w2", "w3"])
        } catch let error as NetworkLab.Unavailable {
            print("note: network-namespace test skipped: \(error.reason)")
            return
        }
        defer { lab.tearDown() }
        let server: PostgresTestServer
        do {
            server = try PostgresTestServer.inNamespace(lab.database, port: 5432, trusting: "10.77.0.0/16")
        } catch let error as PostgresTestServer.ServerUnavailable {
            print("note: network-namespace test skipped: \(error.reason)")
            return
        }
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("trial.sh", Self.script)
        _ = try ForageProcess.runShell("chmod +x trial.sh", in: directory.url)
        try directory.write("net.yaml", SharedWorkerTests.spec(name: "net", trials: Self.budget, parallel: 2))
        let created = try server.createDatabase("netlab")
        let database = try #require(created.split(separator: "/").last?.split(separator: "?").first.map(String.init))
        // The test itself reads the store by the server's socket; the hosts reach it over their links.
        let local = "postgres://forage@localhost:\(server.port)/\(database)?host=\(server.folder.path)&sslmode=disable"
        let migrate = try ForageProcess.run(["store", "migrate", local], in: directory.url)
        try #require(migrate.status == 0, "\(migrate.stderr)")

        let folder = directory.url
        // Blocking waits run on a Dispatch thread, not on one of Swift Testing's cooperative threads.
        let observed = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.stage(lab, server: server, database: database, sql: created, in: folder) })
            }
        }

        let context = observed.logs.map { "--- \($0.key)\n\($0.value.suffix(3000))" }.sorted().joined(separator: "\n")
        for name in ["w2", "w3"] { #expect(observed.exits[name] == 0, "\(context)") }
        _ = try SharedWorkerTests.checkFinished("net", budget: Self.budget, url: local, in: directory.url)
        // Node loss: the killed host's claims were failed as lost-worker and retried under new numbers.
        #expect(observed.heldOnNodeLoss.count == 2 && Set(observed.heldOnNodeLoss).isSubset(of: observed.lostOnNodeLoss), "\(observed.lostOnNodeLoss)")
        // The partition: the claims w2 held were failed while it was away, never completed, and its late results
        // were refused when its link came back.
        for number in observed.heldWhenPartitioned {
            let row = try server.psql(created, "SELECT state || ' ' || COALESCE(reason, '') FROM trials WHERE number = \(number)")
            #expect(row.trimmingCharacters(in: .whitespacesAndNewlines) == "failed lost-worker", "trial \(number): \(row)")
        }
        #expect(observed.refusals >= 1, "\(observed.partitionedLog)")
        // The driver's host: a worker took the driver's role over.
        #expect(observed.takeover.contains("driving experiment 'net'"), "\(context)")
        // Every lost attempt was retried.
        let unretried = try server.psql(
            created, "SELECT count(*) FROM trials t WHERE state = 'failed' AND requeued AND NOT EXISTS (SELECT 1 FROM trials r WHERE r.retry_of = t.number)")
        #expect(unretried.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// Runs the search through its three events; returns what it saw.
    static func stage(_ lab: NetworkLab, server: PostgresTestServer, database: String, sql local: String, in directory: URL) throws -> Observed {
        var observed = Observed()
        func count(_ sql: String) -> Int {
            Int(((try? server.psql(local, sql)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        func numbers(_ sql: String) -> [Int] {
            ((try? server.psql(local, sql)) ?? "").split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        var processes: [String: Process] = [:]
        func logOf(_ name: String) -> String {
            (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        }
        func waitFor(_ what: String, timeout: Double = 90, _ condition: () -> Bool) throws {
            let end = Date().addingTimeInterval(timeout)
            while !condition() {
                if Date() > end {
                    let logs = processes.keys.sorted().map { "--- \($0)\n\(logOf($0).suffix(2000))" }.joined(separator: "\n")
                    throw StageFailed(description: "timed out after \(Int(timeout)) s waiting for \(what)\n\(logs)")
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        func gate(_ names: [String], closed: Bool) {
            for name in names {
                let file = directory.appendingPathComponent("hold.\(name)")
                if closed { FileManager.default.createFile(atPath: file.path, contents: nil) } else { try? FileManager.default.removeItem(at: file) }
            }
        }
        let everyone = ["driver", "w1", "w2", "w3"]
        func lookup(_ name: String) throws -> NetworkLab.Host {
            guard let host = lab.host(name) else { throw StageFailed(description: "no host \(name)") }
            return host
        }
        func url(_ host: NetworkLab.Host) -> String { server.url(database: database, host: host.databaseAddress) }
        func running(_ worker: String) -> [Int] {
            numbers("SELECT number FROM trials WHERE state = 'running' AND worker \(worker) ORDER BY number")
        }
        let completed = "SELECT count(*) FROM trials WHERE state = 'completed'"
        defer {
            // Whatever happened, nothing of this search outlives the stage (teardown kills the hosts as well).
            for name in everyone { if let host = lab.host(name) { lab.killEverything(in: host.namespace) } }
        }

        // The workers first (they wait for the experiment), then the driver with two local slots.
        for name in ["w1", "w2", "w3"] {
            let host = try lookup(name)
            processes[name] = try lab.start(
                [ForageProcess.binary.path, "worker", "--store", url(host), "--experiment", "net", "--parallel", "2", "--name", name],
                in: host.namespace, directory: directory, log: directory.appendingPathComponent("\(name).log"), environment: ["LAB_HOST": name])
        }
        let driverHost = try lookup("driver")
        processes["driver"] = try lab.start(
            [ForageProcess.binary.path, "run", "net.yaml", "--store", url(driverHost), "--shared", "--lease-timeout", String(lease)],
            in: driverHost.namespace, directory: directory, log: directory.appendingPathComponent("driver.log"), environment: ["LAB_HOST": "driver"])
        try waitFor("10 completed trials") { count(completed) >= 10 }

        // 1. Node loss: every process of w1 is killed while it holds two claims.
        gate(everyone, closed: true)
        try waitFor("w1 to hold two claims") { running("= 'w1'").count == 2 }
        let w1 = try lookup("w1")
        lab.killEverything(in: w1.namespace)
        let heldByW1 = running("= 'w1'")
        try waitFor("w1's claims to be failed as lost-worker") {
            count("SELECT count(*) FROM trials WHERE worker = 'w1' AND state = 'running'") == 0
        }
        observed.lostOnNodeLoss = numbers("SELECT number FROM trials WHERE worker = 'w1' AND reason = 'lost-worker' ORDER BY number")
        observed.heldOnNodeLoss = heldByW1
        let afterNodeLoss = count(completed)
        gate(everyone, closed: false)
        try waitFor("5 more completed trials after the node loss") { count(completed) >= afterNodeLoss + 5 }

        // 2. Partition: w2's link goes down while it holds two claims, for longer than the lease (the driver fails
        // them), its trials finish meanwhile, and its link comes back: those late results are refused.
        gate(everyone, closed: true)
        try waitFor("w2 to hold two claims") { running("= 'w2'").count == 2 }
        let w2 = try lookup("w2")
        observed.heldWhenPartitioned = running("= 'w2'")
        try lab.setLink(w2, up: false)
        try waitFor("w2's claims to be failed while it is cut off") {
            let held = observed.heldWhenPartitioned.map(String.init).joined(separator: ",")
            return count("SELECT count(*) FROM trials WHERE number IN (\(held)) AND state = 'failed' AND reason = 'lost-worker'") == 2
        }
        // Only w2's two held trials go on (their results wait for the link); then its gate closes again, so the
        // budget is not spent before the driver's host is lost, however long the link takes to carry them.
        func passed(_ name: String) -> Int {
            ((try? String(contentsOf: directory.appendingPathComponent("passed"), encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0 == name }.count
        }
        let passedBefore = passed("w2")
        gate(["w2"], closed: false)
        try waitFor("w2's held trials to finish on w2") { passed("w2") >= passedBefore + 2 }
        gate(["w2"], closed: true)
        Thread.sleep(forTimeInterval: 0.5)
        try lab.setLink(w2, up: true)
        try waitFor("w2 to have its late results refused", timeout: 90) {
            logOf("w2").components(separatedBy: "the result was refused").count - 1 >= observed.heldWhenPartitioned.count
        }
        observed.refusals = logOf("w2").components(separatedBy: "the result was refused").count - 1
        observed.partitionedLog = logOf("w2")
        let afterPartition = count(completed)
        gate(everyone, closed: false)
        try waitFor("5 more completed trials after the partition") { count(completed) >= afterPartition + 5 }

        // 3. The driver's host is lost while its two local slots hold claims: a worker takes the driver's role over.
        gate(everyone, closed: true)
        try waitFor("the driver's host to hold two claims") { running("NOT IN ('w1', 'w2', 'w3')").count == 2 }
        lab.killEverything(in: driverHost.namespace)
        try waitFor("a worker to take the driver's role over") {
            ["w2", "w3"].contains { logOf($0).contains("driving experiment 'net'") }
        }
        observed.takeover = ["w2", "w3"].map { logOf($0) }.joined(separator: "\n").split(separator: "\n")
            .filter { $0.contains("driving experiment") }.joined(separator: "\n")
        gate(everyone, closed: false)

        // The search completes by itself: the surviving workers leave when the experiment is finished.
        for name in ["w2", "w3"] {
            guard let process = processes[name] else { continue }
            try waitFor("\(name) to finish", timeout: 90) { !process.isRunning }
            observed.exits[name] = process.terminationStatus
        }
        for name in everyone { observed.logs[name] = logOf(name) }
        return observed
    }
}

/// The lab's own safety: killing a host's processes touches nothing outside that host's namespace, and namespaces a
/// dead test process left behind are removed (with what runs in them) while live ones are not.
@Suite(.serialized) struct NetworkLabSafetyTests {
    static func sleeper() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        try process.run()
        return process
    }

    @Test func killingAHostKillsOnlyThatHostsProcesses() throws {
        let lab: NetworkLab
        do {
            lab = try NetworkLab(hosts: ["a", "b"])
        } catch let error as NetworkLab.Unavailable {
            print("note: network-namespace test skipped: \(error.reason)")
            return
        }
        defer { lab.tearDown() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let a = try #require(lab.host("a"))
        let b = try #require(lab.host("b"))
        let outside = try Self.sleeper()
        defer { kill(outside.processIdentifier, SIGKILL) }
        let inA = try lab.start(["/bin/sleep", "30"], in: a.namespace, directory: directory.url, log: directory.url.appendingPathComponent("a.log"))
        let inB = try lab.start(["/bin/sleep", "30"], in: b.namespace, directory: directory.url, log: directory.url.appendingPathComponent("b.log"))
        defer { kill(inB.processIdentifier, SIGKILL) }
        // `ip netns exec` becomes the program: wait until it is in its namespace.
        let end = Date().addingTimeInterval(20)
        while Date() < end, !(NetworkLab.members(of: a.namespace).contains(inA.processIdentifier)) { Thread.sleep(forTimeInterval: 0.02) }
        #expect(lab.killEverything(in: a.namespace) >= 1)
        inA.waitUntilExit()
        #expect(inA.terminationReason == .uncaughtSignal)
        #expect(outside.isRunning && inB.isRunning)
        #expect(!NetworkLab.members(of: a.namespace).contains(getpid()))
    }

    @Test func aDeadRunsNamespacesAreRemoved() throws {
        // A pid no process has (above the kernel's pid_max), in a leftover lab's name.
        let leftover = "\(NetworkLab.prefix)99999999-1-db"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NetworkLab.ipTool)
        process.arguments = ["netns", "add", leftover]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("note: network-namespace test skipped: `ip netns add` is not allowed here")
            return
        }
        let outside = try Self.sleeper()
        defer { kill(outside.processIdentifier, SIGKILL) }
        NetworkLab.removeLeftovers()
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(leftover)"))
        #expect(outside.isRunning)
    }
}
