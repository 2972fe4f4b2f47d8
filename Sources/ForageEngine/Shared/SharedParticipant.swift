import ForageCore
import ForageExecutor
import ForageStore
import Foundation
import Synchronization

/// One process's part in a search on a shared store: it stands for the driver's role (taking it whenever the lock
/// is free, so a dead driver is replaced within `electionInterval`) and runs its worker slots, until the experiment
/// is no longer running or it is stopped. `forage run --shared`, `forage resume` of a shared experiment and
/// `forage worker --store` all take part this way.
public final class SharedParticipant: Sendable {
    let store: any SharedTrialStore
    let spec: ExperimentSpec
    let experiment: ExperimentRecord
    let budget: Int
    let slots: Int
    let claim: ClaimIdentity
    let options: SharedRunOptions
    private let worker: StoreWorker?
    private let stopped = Atomic<Bool>(false)

    public init(
        store: any SharedTrialStore, spec: ExperimentSpec, experiment: ExperimentRecord, executor: any TrialExecutor, slots: Int,
        claim: ClaimIdentity, options: SharedRunOptions
    ) throws {
        self.store = store
        self.spec = spec
        self.experiment = experiment
        budget = experiment.budgetTrials
        self.slots = slots
        self.claim = claim
        self.options = options
        worker = slots > 0
            ? try StoreWorker(store: store, experiment: experiment, spec: spec, executor: executor, claim: claim, slots: slots, options: options)
            : nil
    }

    /// What this process did: its worker's counts and how many times it drove.
    public struct Summary: Sendable {
        public var worker = StoreWorkerSummary()
        public var drove = 0
        /// The experiment's stored state when this process left it.
        public var state = ""
    }

    /// Takes part until the experiment is over (or `stop()`).
    public func run() async throws -> Summary {
        var summary = Summary()
        let candidate = Task { try await self.standForDriver() }
        if let worker {
            summary.worker = try await worker.run()
        }
        // Without slots (or once the slots end), wait for the experiment to end or this process to stop.
        while !stopped.load(ordering: .relaxed) {
            let state = try await store.queueState(experiment: experiment.id).state
            if state != ExperimentState.running.rawValue { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        stop()
        summary.drove = try await candidate.value
        summary.state = (try? await store.queueState(experiment: experiment.id).state) ?? ""
        return summary
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Stops driving and the worker slots; running trials are handed back.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        if let worker { Task { await worker.stop() } }
    }

    /// Takes the driver's role whenever it is free, drives while it holds it; returns how many turns it drove.
    private func standForDriver() async throws -> Int {
        var turns = 0
        let owner = OwnerIdentity()
        let driver = SharedDriver(spec: spec, store: store, budget: budget, options: options)
        while !stopped.load(ordering: .relaxed) {
            if try await store.queueState(experiment: experiment.id).state != ExperimentState.running.rawValue { break }
            if let lock = try await store.driverLock(experiment: experiment.id) {
                turns += 1
                let end: SharedDriver.End
                do {
                    let (record, lease) = try await store.takeOverDriving(experiment.name, owner: owner)
                    options.log("driving experiment '\(experiment.name)' (\(owner.label), epoch \(lease.epoch))")
                    end = try await driver.drive(record, lease: lease) { self.isStopped }
                } catch {
                    await lock.release()
                    throw error
                }
                await lock.release()
                switch end {
                case .closed(let state): options.log("experiment '\(experiment.name)' \(state.rawValue)")
                case .superseded: options.log("another process took the driver's role over")
                case .closedElsewhere, .stopped: break
                }
                if end != .superseded { break }
            }
            try? await Task.sleep(for: .milliseconds(Int64(options.electionInterval * 1000)))
        }
        return turns
    }
}
