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
    /// killed by SIGKILL cannot take them down itself. Returns true when the leader has exited. A process that called
    /// `setsid` (or `setpgid`) itself has left the group and is not reached.
    ///
    /// Another trial's group must never be hit. While the leader is an unreaped zombie its id cannot be reused. Once
    /// it is reaped (the subprocess library may reap it before this runs), the kernel still keeps the id from reuse
    /// while any process of the group is left. So when no process has the leader's id, a group with that id is what
    /// is left of this trial's. When a process has it, the id was reused (this group is empty), and nothing is sent.
    @discardableResult
    func killGroupIfLeaderExited() -> Bool {
        guard let pid = state.withLock({ $0.pid }) else { return false }
        var info = siginfo_t()
        if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
            guard info.si_signo == SIGCHLD else { return false }
        } else {
            guard errno == ECHILD else { return false }
            guard kill(pid, 0) != 0, errno == ESRCH else { return true }
        }
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
