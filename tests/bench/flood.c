/* SPDX-License-Identifier: MIT */
/* A writer of the live-ingest benchmark: floods a journald native protocol
 * socket with ticky events for a while, as fast as journald takes them
 * (blocking datagrams: nothing is dropped on our side).
 *
 *     bench_flood SOCKET SECONDS [WRITER [USERS]]
 *
 * Prints "sent=N" at the end. SIGTERM or SIGINT stops it early. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        (void) sig;
        stop = 1;
}

static double now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *const errors[] = {
        "Timeout while retrieving information",
        "The ticket was modified while updating",
        "Connection to DB failed",
        "Tried to add information to closed ticket",
        "Permission denied while closing ticket",
        "Ticket doesn't exist",
};

int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct sigaction act = { .sa_handler = on_signal };
        unsigned long writer = 0, users = 5000;
        double seconds, deadline;
        uint64_t sent = 0;
        char buf[512];
        int fd;

        if (argc < 3 || argc > 5 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: %s SOCKET SECONDS [WRITER [USERS]]\n", argv[0]);
                return 2;
        }
        seconds = strtod(argv[2], NULL);
        if (argc > 3)
                writer = strtoul(argv[3], NULL, 10);
        if (argc > 4)
                users = strtoul(argv[4], NULL, 10);
        if (!(seconds > 0) || users == 0) {
                fprintf(stderr, "SECONDS and USERS must be positive\n");
                return 2;
        }
        strcpy(sa.sun_path, argv[1]);
        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                perror("socket");
                return 1;
        }
        deadline = now_sec() + seconds;
        while (!stop) {
                uint64_t n = sent * 7919u + writer * 104729u;
                unsigned long user = (unsigned long) (n % users);
                int len;

                if ((sent & 255) == 0 && now_sec() >= deadline)
                        break;
                if (sent % 4 == 3)
                        len = snprintf(buf, sizeof(buf), "SYSLOG_IDENTIFIER=ticky\nMESSAGE=ERROR %s (user%lu)\n",
                                       errors[n % (sizeof(errors) / sizeof(errors[0]))], user);
                else
                        len = snprintf(buf, sizeof(buf),
                                       "SYSLOG_IDENTIFIER=ticky\nMESSAGE=INFO Created ticket [#%" PRIu64
                                       "] (user%lu)\n",
                                       sent, user);
                if (sendto(fd, buf, (size_t) len, 0, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "sendto %s: %s\n", sa.sun_path, strerror(errno));
                        close(fd);
                        printf("sent=%" PRIu64 "\n", sent);
                        return 1;
                }
                sent++;
        }
        close(fd);
        printf("sent=%" PRIu64 "\n", sent);
        return 0;
}
