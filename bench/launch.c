/* launch COUNT COMMAND [ARGS...]
 *
 * Runs COMMAND to completion COUNT times, one after another, and prints the
 * total wall time in nanoseconds. The launch-overhead figure is the time of
 * `launch N dumb-init true` minus that of `launch N true`: everything this
 * program itself costs (posix_spawn, waitpid, the clock) cancels out. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: launch COUNT COMMAND [ARGS...]\n");
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    long long start = now_ns();
    for (long i = 0; i < count; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, argv[2], NULL, NULL, &argv[2], environ) != 0) {
            perror("launch: posix_spawn");
            return 1;
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "launch: %s did not exit with status 0\n", argv[2]);
            return 1;
        }
    }
    printf("%lld\n", now_ns() - start);
    return 0;
}
