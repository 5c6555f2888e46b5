/* floor COMMAND [ARGS...]
 *
 * The least work an init can do, as a yardstick for the bench: block every
 * signal, fork, let the child start a session of its own and exec the
 * command, then wait for signals one at a time. SIGCHLD reaps every child
 * that has exited (orphans too, as PID 1 or a subreaper's heir); any other
 * signal goes to the command's process group. When the command itself has
 * been reaped, the floor exits with its status (128 + N for signal N).
 *
 * Nothing else: no options, no signal rewriting, no terminal handling, no
 * SIGTERM to the group when the command exits (what is left in a PID
 * namespace dies with its PID 1 anyway). Every figure of dumb-init-rs that
 * the bench sets beside this one is that work plus what dumb-init does on
 * top of it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: floor COMMAND [ARGS...]\n");
        return 2;
    }
    sigset_t all, before;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &before);

    pid_t child = fork();
    if (child < 0) {
        perror("floor: fork");
        return 1;
    }
    if (child == 0) {
        /* The command gets the mask it would have had without us. */
        setsid();
        sigprocmask(SIG_SETMASK, &before, NULL);
        execvp(argv[1], &argv[1]);
        perror("floor: exec");
        _exit(127);
    }

    for (;;) {
        int signal = sigwaitinfo(&all, NULL);
        if (signal < 0)
            continue; /* EINTR: nothing arrived */
        if (signal != SIGCHLD) {
            /* Until the child's setsid() the group does not exist yet; the
             * child alone gets the signal then. */
            if (kill(-child, signal) != 0 && errno == ESRCH)
                kill(child, signal);
            continue;
        }
        /* One pending SIGCHLD may stand for many exits. */
        for (;;) {
            int status;
            pid_t reaped = waitpid(-1, &status, WNOHANG);
            if (reaped <= 0)
                break;
            if (reaped == child)
                return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        }
    }
}
