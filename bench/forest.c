/* forest IDLE COMMAND [ARGS...]
 *
 * Makes IDLE idle children, then execs COMMAND (pong), which is their
 * parent from then on: under an init, the command's tree is COMMAND plus
 * IDLE processes. Every second one calls setsid(), so half of them are in
 * the command's process group and half are not (as a daemon would be):
 * a signal to the group reaches the first half, `dumb-init --tree` reaches
 * them all.
 *
 * The idle ones keep SIGUSR1, the round trip's signal, blocked: the kernel
 * delivers it to each (it is left pending) but nothing runs and nothing
 * wakes, so the round trip measures the init's work of finding and
 * signalling them, not the scheduling of IDLE handlers. Any other signal
 * (SIGTERM at the end) ends them. They share this process's memory
 * (CLONE_VM) and make raw system calls only, so that a thousand of them
 * cost little to make. COMMAND is exec'd once all of them are in place. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { STACK_SIZE = 16384 };
static int ready;

static int idle(void *own_session)
{
    if (own_session)
        syscall(SYS_setsid);
    __atomic_fetch_add(&ready, 1, __ATOMIC_RELEASE);
    for (;;)
        syscall(SYS_pause);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: forest IDLE COMMAND [ARGS...]\n");
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    char *stacks = count > 0 ? mmap(NULL, count * STACK_SIZE, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                             : NULL;
    if (stacks == MAP_FAILED) {
        perror("forest");
        return 1;
    }
    /* The children inherit the mask; the command gets the one we had. */
    sigset_t usr1, before;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &before);
    for (long i = 0; i < count; i++) {
        void *own_session = (void *)(i % 2);
        if (clone(idle, stacks + (i + 1) * STACK_SIZE, CLONE_VM | SIGCHLD, own_session) < 0) {
            perror("forest: clone");
            return 1;
        }
    }
    struct timespec pause = { 0, 100000 };
    while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < count)
        nanosleep(&pause, NULL);
    sigprocmask(SIG_SETMASK, &before, NULL);
    execvp(argv[2], &argv[2]);
    perror("forest: exec");
    return 127;
}
