/* pingpong [--child] COUNT SUPERVISOR [ARGS...] PONG
 *
 * Starts the supervisor command with a pipe's write end on descriptor 3 (the
 * command is expected to end in `pong`, which inherits it), waits for pong's
 * start-up byte, then COUNT times: sends SIGUSR1 to the supervisor and waits
 * for pong's acknowledgement. One signal is in flight at a time, so none is
 * merged with another. Prints the median and the 90th percentile round trip in
 * nanoseconds, then stops the supervisor with SIGTERM and waits for it.
 *
 * With --child, the signals go to the only child of the started command
 * instead: `unshare --pid --fork` starts the init as its child, PID 1 of the
 * new namespace, and does not pass signals on itself. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int read_byte(int fd)
{
    char byte;
    ssize_t n;
    do
        n = read(fd, &byte, 1);
    while (n == -1);
    return n == 1;
}

/* The one child of `parent`, or -1. */
static pid_t only_child(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", parent, parent);
    FILE *file = fopen(path, "re");
    int child = -1, other;
    if (file != NULL) {
        if (fscanf(file, "%d", &child) != 1 || fscanf(file, "%d", &other) == 1)
            child = -1;
        fclose(file);
    }
    return child;
}

int main(int argc, char **argv)
{
    int to_child = argc > 1 && strcmp(argv[1], "--child") == 0;
    argc -= to_child;
    argv += to_child;
    if (argc < 3) {
        fprintf(stderr, "usage: pingpong [--child] COUNT SUPERVISOR [ARGS...] PONG\n");
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    long long *samples = calloc(count, sizeof *samples);
    int ack[2];
    if (samples == NULL || pipe2(ack, O_CLOEXEC) != 0) {
        perror("pingpong");
        return 1;
    }
    pid_t supervisor = fork();
    if (supervisor == 0) {
        dup2(ack[1], 3); /* dup2 clears close-on-exec on the copy */
        execvp(argv[2], &argv[2]);
        perror("pingpong: exec");
        _exit(127);
    }
    close(ack[1]);
    int ok = read_byte(ack[0]);
    /* pong is up, so the init that started it is there. */
    pid_t target = to_child ? only_child(supervisor) : supervisor;
    if (target < 0) {
        /* unshare ignores SIGTERM; its --kill-child takes the init along. */
        fprintf(stderr, "pingpong: %s has no single child\n", argv[2]);
        kill(supervisor, SIGKILL);
        waitpid(supervisor, NULL, 0);
        return 1;
    }
    for (long i = 0; ok && i < count; i++) {
        long long start = now_ns();
        kill(target, SIGUSR1);
        ok = read_byte(ack[0]);
        samples[i] = now_ns() - start;
    }
    kill(target, SIGTERM);
    waitpid(supervisor, NULL, 0);
    if (!ok) {
        fprintf(stderr, "pingpong: %s stopped acknowledging\n", argv[2]);
        return 1;
    }
    qsort(samples, count, sizeof *samples, by_value);
    printf("%lld %lld\n", samples[count / 2], samples[count * 9 / 10]);
    return 0;
}
