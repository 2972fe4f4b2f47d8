import ForageCore
import ForageTesting
import Foundation

/// `forage bench cluster`: searches through a shared PostgreSQL store (a private server started for the run), with
/// real processes of the `forage` binary: `forage run --shared` drives (no local slots) and `forage worker --store`
/// processes claim and run the trials. Measured: noop and 50-report trials/s with 1–8 workers, the 16-slot sleep
/// case as overhead over its floor, and the time a worker takes to become the driver after `kill -9` of the old one.
/// Every case checks the store afterwards: exactly the budget completed, no trial number completed twice.
public enum ClusterBenchmark {
    /// One throughput or sleep case.
    public struct Row: Sendable {
        public var label: String
        public var workers: Int
        public var slots: Int
        public var trials: Int
        public var seconds: Double
        /// The shortest possible time (sleep cases), or nil.
        public var floor: Double?
        public var trialsPerSecond: Double { Double(trials) / seconds }

        public init(label: String, workers: Int, slots: Int, trials: Int, seconds: Double, floor: Double?) {
            self.label = label
            self.workers = workers
            self.slots = slots
            self.trials = trials
            self.seconds = seconds
            self.floor = floor
        }
    }

    /// What the benchmark needs to run processes and reach the server.
    public struct Setup: Sendable {
        public var forage: URL
        var server: PostgresTestServer
        public var directory: URL
        public var log: @Sendable (String) -> Void

        /// Starts the private server (once per process); throws when there can be none.
        public init(forage: URL, directory: URL, log: @escaping @Sendable (String) -> Void) throws {
            self.forage = forage
            server = try ClusterBenchmark.server()
            self.directory = directory
            self.log = log
        }

        /// A new, empty database on the private server: its URL.
        public func createDatabase(_ prefix: String) throws -> String {
            try server.createDatabase(prefix)
        }
    }

    /// A failed benchmark run, in Forage's words.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The private server, or why there is none.
    static func server() throws -> PostgresTestServer {
        switch PostgresTestServer.shared {
        case .success(let server): return server
        case .failure(let error): throw Failure(description: "cannot start a private PostgreSQL server: \(error.reason)")
        }
    }

    /// The spec text of a case: `trial` is the spec's trial line.
    static func spec(name: String, trial: String, space: String, trials: Int) -> String {
        """
        name: \(name)
        objective: {metric: value, direction: minimize}
        trial: \(trial)
        search_space: \(space)
        searcher: {algorithm: random, seed: 1}
        budget: {trials: \(trials), parallel: 0}
        """
    }

    /// Noop trials (`steps` reports each when > 0) with `workers` worker processes of `slots` slots.
    public static func throughput(_ setup: Setup, label: String, trials: Int, steps: Int, workers: Int, slots: Int) throws -> Row {
        let trial = steps > 0 ? "{function: noop, steps: \(steps)}" : "{function: noop}"
        let seconds = try timed(
            setup, name: "bench-\(label)-\(workers)", spec: { spec(name: $0, trial: trial, space: "{a: {type: float, low: 0, high: 1}}", trials: trials) },
            trials: trials, workers: workers, slots: slots)
        return Row(label: label, workers: workers, slots: slots, trials: trials, seconds: seconds, floor: nil)
    }

    /// `trials` trials that sleep `seconds` each, on `workers` × `slots` slots; the floor is trials × seconds / slots.
    public static func sleeping(_ setup: Setup, trials: Int, seconds: Double, workers: Int, slots: Int) throws -> Row {
        let space = "{seconds: {type: float, low: \(seconds), high: \(seconds + 1e-9)}}"
        let elapsed = try timed(
            setup, name: "bench-sleep", spec: { spec(name: $0, trial: "{function: sleep}", space: space, trials: trials) }, trials: trials,
            workers: workers, slots: slots)
        return Row(
            label: "sleep \(Self.number(seconds)) s", workers: workers, slots: slots, trials: trials, seconds: elapsed,
            floor: Double(trials) * seconds / Double(workers * slots))
    }

    /// Runs one experiment: the workers start first and wait, then `forage run --shared` creates and drives it; the
    /// time is from starting `forage run` to its exit (the experiment closed).
    static func timed(_ setup: Setup, name: String, spec: (String) -> String, trials: Int, workers: Int, slots: Int) throws -> Double {
        let url = try setup.server.createDatabase("bench")
        try run(setup, ["store", "migrate", url])
        try Data(spec(name).utf8).write(to: setup.directory.appendingPathComponent("\(name).yaml"))
        setup.log("\(name): \(trials) trials, \(workers) worker(s) × \(slots) slot(s)…")
        let started = try (0..<workers).map { index in
            try start(setup, ["worker", "--store", url, "--experiment", name, "--parallel", String(slots), "--name", "w\(index)", "--quiet"])
        }
        defer { for process in started where process.isRunning { process.terminate() } }
        // The workers are waiting for the experiment once they printed their first line; give them a moment.
        Thread.sleep(forTimeInterval: 0.5)
        let clock = ContinuousClock.now
        try run(setup, ["run", "\(name).yaml", "--store", url, "--shared"])
        let elapsed = clock.duration(to: .now)
        for process in started { process.waitUntilExit() }
        try check(setup, url: url, name: name, budget: trials)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Time for a worker to take the driver's role after `kill -9` of the driving `forage run`, over `repeats`
    /// kills (the experiment goes on each time and completes its exact budget); the times are sorted.
    public static func takeover(_ setup: Setup, repeats: Int, workers: Int = 2, slots: Int = 4) throws -> [Double] {
        var times: [Double] = []
        for round in 0..<repeats {
            let name = "bench-takeover-\(round)"
            let url = try setup.server.createDatabase("bench")
            try run(setup, ["store", "migrate", url])
            let trials = 200
            let text = spec(name: name, trial: "{function: sleep}", space: "{seconds: {type: float, low: 0.05, high: 0.1}}", trials: trials)
            try Data(text.utf8).write(to: setup.directory.appendingPathComponent("\(name).yaml"))
            let driver = try start(setup, ["run", "\(name).yaml", "--store", url, "--shared"])
            let started = try (0..<workers).map { index in
                try start(setup, ["worker", "--store", url, "--experiment", name, "--parallel", String(slots), "--name", "w\(index)", "--quiet"])
            }
            defer { for process in started where process.isRunning { process.terminate() } }
            // Once trials complete, the driver has taken its role: its epoch is the one to see replaced.
            try waitFor(timeout: 30) { (try? completed(setup, url: url, name: name)) ?? 0 >= 20 }
            let first = try epoch(setup, url: url, name: name) ?? 0
            setup.log("\(name): kill -9 of the driver (epoch \(first))…")
            kill(driver.processIdentifier, SIGKILL)
            let clock = ContinuousClock.now
            try waitFor(timeout: 60, poll: 0.005) { (try? epoch(setup, url: url, name: name)).flatMap { $0 }.map { $0 > first } ?? false }
            let elapsed = clock.duration(to: .now)
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            driver.waitUntilExit()
            for process in started { process.waitUntilExit() }
            try check(setup, url: url, name: name, budget: trials)
        }
        return times.sorted()
    }

    /// The stored outcome: exactly `budget` completed trials, each number once, and the experiment finished.
    static func check(_ setup: Setup, url: String, name: String, budget: Int) throws {
        let row = try setup.server.psql(
            url,
            """
            SELECT e.state || ' ' || COUNT(t.number) FILTER (WHERE t.state = 'completed') || ' '
                || COUNT(DISTINCT t.number) FILTER (WHERE t.state = 'completed')
            FROM experiments e LEFT JOIN trials t ON t.experiment_id = e.id WHERE e.name = '\(name)' GROUP BY e.state
            """
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        guard row == "finished \(budget) \(budget)" else {
            throw Failure(description: "\(name) ended as '\(row)' (state, completed, distinct completed), not 'finished \(budget) \(budget)'")
        }
    }

    static func epoch(_ setup: Setup, url: String, name: String) throws -> Int? {
        Int(try setup.server.psql(url, "SELECT owner_epoch FROM experiments WHERE name = '\(name)'").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func completed(_ setup: Setup, url: String, name: String) throws -> Int {
        Int(try setup.server.psql(url, "SELECT COUNT(*) FROM trials WHERE state = 'completed'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func waitFor(timeout: Double, poll: Double = 0.05, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw Failure(description: "a benchmark step did not happen within \(Int(timeout)) s") }
            Thread.sleep(forTimeInterval: poll)
        }
    }

    /// Starts the forage binary in the benchmark's folder, its output discarded.
    static func start(_ setup: Setup, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = setup.forage
        process.arguments = arguments
        process.currentDirectoryURL = setup.directory
        var environment = ProcessInfo.processInfo.environment
        environment["FORAGE_FILES"] = setup.directory.appendingPathComponent("files").path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot start \(setup.forage.path): \(FileProblem.reason(error, path: setup.forage.path))")
        }
        return process
    }

    /// Runs the forage binary to completion; a non-zero exit is a failure.
    static func run(_ setup: Setup, _ arguments: [String]) throws {
        let process = try start(setup, arguments)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "`forage \(arguments.prefix(2).joined(separator: " "))` exited with status \(process.terminationStatus)")
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}
