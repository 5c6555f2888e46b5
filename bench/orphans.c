/* orphans COUNT: run as the only child of the init under test, PID 1 of a
 * fresh PID namespace. Makes COUNT processes whose parent then exits, so that
 * they are reparented to PID 1, lets them all exit at once, and prints how
 * long it takes, in nanoseconds, until every one of them has been reaped.
 *
 * The orphans block reading a pipe whose write end only this process still
 * holds; closing it releases them together. A reaped PID answers kill(pid, 0)
 * with ESRCH, a zombie does not, and a fresh namespace does not reuse PIDs
 * this quickly, so polling the PIDs in order tells when the last is gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Orphans share their creator's memory (CLONE_VM), so each one's exit is
 * cheap and the figure is dominated by the reaping, not by tearing down
 * address spaces. They only block and exit, through raw system calls. */
enum { STACK_SIZE = 16384 };
static int gate[2];

static int orphan(void *unused)
{
    (void)unused;
    char byte;
    syscall(SYS_close, gate[1]);
    syscall(SYS_read, gate[0], &byte, 1);
    syscall(SYS_exit, 0);
    return 0;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    pid_t *pids = mmap(NULL, count * sizeof *pids, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *stacks = mmap(NULL, count * STACK_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (pids == MAP_FAILED || stacks == MAP_FAILED || pipe(gate) != 0) {
        perror("orphans");
        return 1;
    }
    pid_t parent = fork();
    if (parent == 0) {
        for (long i = 0; i < count; i++) {
            /* Without CLONE_FILES each orphan has its own descriptor table,
             * and drops the write end of the gate so that only ours is left. */
            pid_t pid = clone(orphan, stacks + (i + 1) * STACK_SIZE, CLONE_VM | SIGCHLD, NULL);
            if (pid < 0) {
                perror("orphans: fork");
                _exit(1);
            }
            pids[i] = pid;
        }
        _exit(0);
    }
    int status;
    if (parent < 0 || waitpid(parent, &status, 0) != parent || status != 0)
        return 1;
    /* Every orphan now belongs to PID 1 and is blocked on the gate. */
    long long start = now_ns();
    close(gate[1]);
    struct timespec pause = { 0, 20000 };
    for (long i = 0; i < count; i++)
        while (kill(pids[i], 0) == 0 || errno != ESRCH)
            nanosleep(&pause, NULL);
    printf("%lld\n", now_ns() - start);
    return 0;
}
