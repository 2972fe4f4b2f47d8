import Foundation
import Synchronization

/// The stop protocol for one trial process group: SIGTERM, then SIGKILL once the grace period is over; for a
/// cooperative stop (the script reads the control channel), first a grace period for the script to leave on its own.
final class ProcessControl: Sendable {
    enum StopReason: Sendable {
        case pruned
        case timeout
        case cancelled
    }

    private struct State {
        var pid: pid_t?
        var reason: StopReason?
        var terminateAt: ContinuousClock.Instant?
        var killAt: ContinuousClock.Instant?
        var exited = false
    }

    private let state = Mutex(State())

    func started(pid: pid_t) {
        state.withLock { $0.pid = pid }
    }

    func exited() {
        state.withLock { $0.exited = true }
    }

    var hasExited: Bool { state.withLock { $0.exited } }
    var isStopping: Bool { state.withLock { $0.reason != nil } }
    var reason: StopReason? { state.withLock { $0.reason } }

    /// Sends SIGTERM to the group (once) and schedules SIGKILL after `grace` seconds. A `cooperative` stop (the
    /// script was told through its control channel) schedules SIGTERM after `grace` seconds and SIGKILL after
    /// twice that, so a script that leaves on its own is never signalled.
    func stop(_ reason: StopReason, grace: Double, cooperative: Bool = false) {
        let pid = state.withLock { state -> pid_t? in
            guard state.reason == nil, !state.exited else { return nil }
            state.reason = reason
            let graceDuration = Duration.milliseconds(Int64(grace * 1000))
            if cooperative {
                state.terminateAt = ContinuousClock.now + graceDuration
                state.killAt = ContinuousClock.now + graceDuration * 2
                return nil
            }
            state.killAt = ContinuousClock.now + graceDuration
            return state.pid
        }
        if let pid { kill(-pid, SIGTERM) }
    }

    /// Kills the trial's whole process group with SIGKILL once the process Forage started — `forage-supervise`, or
    /// the command itself without it — has exited: processes it leaves behind must not outlive it, and a supervisor
    /// killed by SIGKILL cannot take them down itself. The leader is still an unreaped zombie while this runs (it is
    /// reaped only after the trial's I/O is done), so the group's id cannot have been reused. Returns true when the
    /// leader has exited. A process that called `setsid` (or `setpgid`) itself has left the group and is not reached.
    @discardableResult
    func killGroupIfLeaderExited() -> Bool {
        guard let pid = state.withLock({ $0.pid }) else { return false }
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        let exited = result == 0 ? info.si_signo == SIGCHLD : errno == ECHILD
        guard exited else { return false }
        kill(-pid, SIGKILL)
        return true
    }

    /// Sends the scheduled SIGTERM, then SIGKILL, to the group when their time has come.
    func escalateIfDue() {
        let (pid, signal) = state.withLock { state -> (pid_t?, Int32) in
            guard !state.exited else { return (nil, 0) }
            let now = ContinuousClock.now
            if let terminateAt = state.terminateAt, now >= terminateAt {
                state.terminateAt = nil
                return (state.pid, SIGTERM)
            }
            guard let killAt = state.killAt, now >= killAt else { return (nil, 0) }
            state.killAt = nil
            return (state.pid, SIGKILL)
        }
        if let pid { kill(-pid, signal) }
    }
}
