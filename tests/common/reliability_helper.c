/* The load generator for the reliability tests, run as dumb-init's command.
 * Compiled with cc at test time. Two modes:
 *
 *   orphans TOTAL BURST DEATH
 *     Creates TOTAL processes in bursts of BURST and orphans every one: a
 *     short-lived middle process forks the burst, each of which blocks on a
 *     pipe until the middle has exited (so it is reparented to PID 1 while
 *     alive), then exits with status 0 (DEATH = 0) or kills itself with
 *     signal DEATH. Then waits until no process but PID 1 and itself is left
 *     and prints one line of figures, VmRSS of PID 1 included.
 *
 *   storm DIR STATUS
 *     Counts every signal it receives while it keeps forking short-lived
 *     processes that orphan a grandchild. Writes DIR/ready once its handlers
 *     are in place; on SIGSYS it stops, waits for its orphans to be reaped,
 *     writes the counts to DIR/report and exits with STATUS.
 *
 *   record LOG
 *     A command that starts nothing: with every signal blocked, it appends
 *     "ready" to LOG, then the number of each signal it takes, one a line,
 *     and exits 0 after SIGTERM. Having no children, it never receives a
 *     SIGCHLD of its own, so every one in LOG was sent to it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {
    }
}

static long vm_rss_kb(int pid) {
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* Processes in this PID namespace other than PID 1 and ourselves. */
static void census(int *others, int *zombies) {
    *others = *zombies = 0;
    DIR *proc = opendir("/proc");
    if (!proc) return;
    struct dirent *entry;
    int self = getpid();
    while ((entry = readdir(proc))) {
        int pid = atoi(entry->d_name);
        if (pid <= 1 || pid == self) continue;
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue; /* gone meanwhile */
        ssize_t n = read(fd, stat, sizeof stat - 1);
        close(fd);
        if (n <= 0) continue;
        stat[n] = 0;
        char *after = strrchr(stat, ')');
        (*others)++;
        if (after && after[1] == ' ' && after[2] == 'Z') (*zombies)++;
    }
    closedir(proc);
}

/* Waits up to 10 s for every other process to be gone (reaped by PID 1). */
static void settle(int *others, int *zombies) {
    for (int i = 0; i < 1000; i++) {
        census(others, zombies);
        if (*others == 0) return;
        pause_ms(10);
    }
}

static int orphans(long total, long burst, int death) {
    long created = 0, fork_failures = 0, rss_start = -1;
    while (created < total) {
        long want = total - created < burst ? total - created : burst;
        int report[2], hold[2];
        if (pipe(report) || pipe(hold)) return 3;
        pid_t middle = fork();
        if (middle == -1) return 3;
        if (middle == 0) {
            close(report[0]);
            close(hold[0]);
            long ok = 0;
            for (; ok < want; ok++) {
                pid_t pid = fork();
                if (pid == -1) break;
                if (pid == 0) {
                    char byte;
                    close(hold[1]);
                    close(report[1]);
                    /* EOF once the middle has exited: we are an orphan now. */
                    while (read(hold[0], &byte, 1) == -1 && errno == EINTR) {
                    }
                    if (death) {
                        signal(death, SIG_DFL);
                        kill(getpid(), death);
                    }
                    _exit(0);
                }
            }
            (void)!write(report[1], &ok, sizeof ok);
            _exit(0);
        }
        close(report[1]);
        close(hold[0]);
        close(hold[1]);
        long ok = 0;
        while (read(report[0], &ok, sizeof ok) == -1 && errno == EINTR) {
        }
        close(report[0]);
        while (waitpid(middle, NULL, 0) == -1 && errno == EINTR) {
        }
        if (ok < want) {
            fork_failures++;
            if (fork_failures > 1000) break;
            pause_ms(10);
        }
        created += ok;
        /* After the first burst PID 1 has run its reaping path once. */
        if (rss_start < 0) rss_start = vm_rss_kb(1);
    }
    int others, zombies;
    settle(&others, &zombies);
    printf("created=%ld fork_failures=%ld others=%d zombies=%d rss_start_kb=%ld rss_end_kb=%ld\n",
           created, fork_failures, others, zombies, rss_start, vm_rss_kb(1));
    return 0;
}

static volatile unsigned long counts[65];

static void count(int signal) { counts[signal]++; }

static int storm(const char *dir, int status) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = count;
    action.sa_flags = SA_RESTART;
    sigfillset(&action.sa_mask);
    for (int signal = 1; signal <= 64; signal++)
        if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &action, NULL);

    char path[4096];
    snprintf(path, sizeof path, "%s/ready", dir);
    FILE *ready = fopen(path, "w");
    if (!ready) return 3;
    fclose(ready);

    long churned = 0;
    while (counts[SIGSYS] == 0) {
        pid_t middle = fork();
        if (middle == 0) {
            if (fork() == 0) _exit(0); /* the orphan */
            _exit(0);
        }
        if (middle > 0) {
            while (waitpid(middle, NULL, 0) == -1 && errno == EINTR) {
            }
            churned++;
        }
        pause_ms(2);
    }
    int others, zombies;
    settle(&others, &zombies);

    snprintf(path, sizeof path, "%s/report", dir);
    FILE *report = fopen(path, "w");
    if (!report) return 3;
    fprintf(report, "churned %ld\nothers %d\nzombies %d\n", churned, others, zombies);
    for (int signal = 1; signal <= 64; signal++)
        fprintf(report, "signal %d %lu\n", signal, counts[signal]);
    fclose(report);
    return status;
}

static int record(const char *log) {
    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_BLOCK, &all, NULL)) return 3;
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) return 3;
    if (write(fd, "ready\n", 6) != 6) return 3;
    for (;;) {
        int signal = sigwaitinfo(&all, NULL);
        if (signal == -1) {
            if (errno == EINTR) continue;
            return 3;
        }
        char line[16];
        int length = snprintf(line, sizeof line, "%d\n", signal);
        if (write(fd, line, length) != length) return 3;
        if (signal == SIGTERM) return 0;
    }
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "orphans") == 0)
        return orphans(atol(argv[2]), atol(argv[3]), atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "storm") == 0) return storm(argv[2], atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "record") == 0) return record(argv[2]);
    fprintf(stderr, "usage: %s orphans TOTAL BURST DEATH | storm DIR STATUS | record LOG\n",
            argv[0]);
    return 64;
}
