/* pong: the child side of the signal round trip. Each SIGUSR1 it receives is
 * acknowledged by one byte on file descriptor 3, written from the handler
 * itself, so the acknowledgement marks the moment the handler ran. One byte
 * is written at start-up once the handler is in place. SIGTERM ends it. */
#include <signal.h>
#include <unistd.h>

static void acknowledge(int signal)
{
    (void)signal;
    char byte = 'a';
    (void)!write(3, &byte, 1);
}

int main(void)
{
    struct sigaction action = { .sa_handler = acknowledge, .sa_flags = SA_RESTART };
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    char ready = 'r';
    if (write(3, &ready, 1) != 1)
        return 1;
    for (;;)
        pause();
}
