import Foundation

/// The tiny supervisor that stands between `forage` and a command trial (`forage __supervise -- CMD …`).
///
/// It runs the command in its own process group (the supervisor is the session leader) with standard input from
/// /dev/null, and watches its own standard input: a pipe whose other end only the `forage` process holds. When
/// `forage` dies, however it dies, the pipe closes and the supervisor kills the whole group, so no trial process
/// outlives it. SIGTERM sent to the group reaches the command directly; the supervisor ignores it and waits.
public enum TrialSupervisor {
    /// Runs `arguments` and returns the exit status to exit with (128 + signal when the command was killed).
    public static func run(_ arguments: [String]) -> Int32 {
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("error: __supervise needs a command\n".utf8))
            return 2
        }
        // Lead a process group of our own (forage starts us as a session leader already); never signal a group we
        // do not lead, such as the shell's when someone runs this by hand.
        let leadsGroup = setsid() != -1 || getpgrp() == getpid()
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)

        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        defer { posix_spawn_file_actions_destroy(&fileActions) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, arguments[0], &fileActions, &attributes, cArguments, environ)
        guard status == 0 else {
            FileHandle.standardError.write(Data("error: cannot run \(arguments[0]): \(String(cString: strerror(status)))\n".utf8))
            return 127
        }

        let target = leadsGroup ? -getpgrp() : child
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(0, &byte, 1)
                if n == 0 || (n < 0 && errno != EINTR) { break }
            }
            // The parent is gone: take the whole trial down with us.
            kill(target, SIGKILL)
        }
        watcher.start()

        var waitStatus: Int32 = 0
        while waitpid(child, &waitStatus, 0) < 0 && errno == EINTR {}
        // Leftover background processes of the trial get SIGTERM (the supervisor ignores it).
        if leadsGroup { kill(target, SIGTERM) }
        let exitCode = (waitStatus >> 8) & 0xff
        let signalNumber = waitStatus & 0x7f
        return signalNumber == 0 ? exitCode : 128 + signalNumber
    }
}
