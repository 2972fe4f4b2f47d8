// forage-supervise: the per-trial supervisor of command trials, started by ForageExecutor's CommandExecutor.
// Written in C so that it starts in about a millisecond: it runs once per trial, and a Swift binary's start-up
// (~100 ms here) would add to every trial.
//
// Usage: forage-supervise CMD [ARGS...]
// It leads its own process group, runs CMD in it with stdin from /dev/null (CMD gets SIGKILL from the kernel if the
// supervisor dies: PR_SET_PDEATHSIG), and watches its own stdin, a pipe whose
// other end only forage holds: when forage dies (even by SIGKILL) the pipe closes and the whole group is killed.
// SIGTERM sent to the group reaches CMD; the supervisor ignores it and exits with CMD's status (128 + signal).
// The supervisor's own death is forage's to handle: forage started it as the leader of the trial's process group,
// and when it exits (even by SIGKILL, which it cannot catch) forage kills that group (ProcessControl in
// ForageExecutor). A process of the trial that calls setsid or setpgid leaves the group and is reached by neither.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


static pid_t target;

static void *watch_parent(void *unused) {
    (void)unused;
    char byte;
    for (;;) {
        ssize_t n = read(0, &byte, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
    kill(target, SIGKILL);  // forage is gone: take the whole trial down
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "error: forage-supervise needs a command\n");
        return 2;
    }
    int leads_group = setsid() != -1 || getpgrp() == getpid();
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);

    // fork + exec rather than posix_spawn, so that the child can ask the kernel for SIGKILL when the supervisor
    // dies (PR_SET_PDEATHSIG): even with forage gone too, the command does not outlive its supervisor.
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "error: cannot start %s: %s\n", argv[1], strerror(errno));
        return 127;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(128 + SIGKILL);  // the supervisor died before the guard was set
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0 && null != 0) {
            dup2(null, 0);
            close(null);
        }
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        execvp(argv[1], argv + 1);
        fprintf(stderr, "error: cannot run %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    target = leads_group ? -getpgrp() : child;
    pthread_t watcher;
    pthread_create(&watcher, NULL, watch_parent, NULL);

    int wait_status = 0;
    while (waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {}
    if (leads_group) kill(target, SIGTERM);  // leftover background processes of the trial
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return WEXITSTATUS(wait_status);
}
