/* SPDX-License-Identifier: MIT */
/* One poll() over a signalfd, the journal's fd and a timerfd. The timer is
 * one-shot, armed by the first entry after a write: an idle daemon never
 * wakes up (but for the watchdog, when systemd asks for one). */
#include "loop.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "monotonic.h"
#include "pipeline.h"

/* Entries read between two looks at the signals: about 15 ms of work for
 * common messages, a second at worst for 64 KiB ones, so a SIGTERM during a
 * big first import is answered well within systemd's patience. */
#define BATCH_ENTRIES 16384

struct daemon {
        const char *config_path;
        bool explicit_config_path;
        struct config config;
        struct engine *engine;
        int signal_fd;
        int timer_fd;
        bool timer_armed;
        bool dirty;             /* entries counted that the pages do not show yet */
        bool more_pending;      /* the last batch was full */
        bool caught_up;         /* the backlog found at start is read */
        bool warned_caps;       /* the "(other)" warning was logged */
        char *initial_tz;       /* TZ at start (NULL: unset), for a config without timezone */
        time_t next_boundary;   /* next full hour or local midnight, when windows are kept */
        uint64_t watchdog_usec; /* 0: no watchdog */
        uint64_t watchdog_last_usec;
        time_t last_write;
};

int load_config(const char *path, bool explicit_path, struct config *ret) {
        _cleanup_free_ char *errors = NULL;
        int r;

        r = config_load(path, ret, &errors);
        if (r == -ENOENT && !explicit_path)
                return config_init_defaults(ret);
        if (r == -EINVAL) {
                /* One log line per error, each "FILE:LINE: reason". */
                for (char *line = errors, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                        nl = strchr(line, '\n');
                        if (nl)
                                *nl = '\0';
                        log_error("%s", line);
                }
                return r;
        }
        if (r < 0)
                log_error("%s: %s", path, strerror(-r));
        return r;
}

static void notify_status(struct daemon *d, const char *extra) {
        const struct stats *s = engine_stats(d->engine);
        const struct stats_totals *t = stats_totals(s);
        char when[32] = "never";
        struct tm tm;

        if (d->last_write && localtime_r(&d->last_write, &tm))
                (void) strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        (void) sd_notifyf(false,
                          "%sSTATUS=%" PRIu64 " events (%" PRIu64 " INFO, %" PRIu64 " ERROR), %zu users, %zu "
                          "distinct errors, %" PRIu64 " unparsed; pages written %s",
                          extra ? extra : "", t->info + t->error, t->info, t->error,
                          counter_table_size(stats_table(s, STATS_USERS)),
                          counter_table_size(stats_table(s, STATS_ERRORS)), t->unparsed, when);
}

/* Pages and state. Returns 0 or -errno, logged. */
static int write_out(struct daemon *d) {
        time_t now = time(NULL);
        int r;

        r = pipeline_flush(d->engine, &d->config, now, &d->warned_caps);
        if (r < 0)
                return r;
        d->dirty = false;
        d->last_write = now;
        notify_status(d, NULL);
        return 0;
}

static int arm_timer(struct daemon *d) {
        struct itimerspec its = { .it_value.tv_sec = d->config.interval_sec };

        if (d->timer_armed)
                return 0;
        if (timerfd_settime(d->timer_fd, 0, &its, NULL) < 0)
                return -errno;
        d->timer_armed = true;
        return 0;
}

/* The last 24 hours and 7 days move on even when no event arrives: the pages
 * are rewritten at every full hour and local midnight (half-hour zones). */
static time_t next_window_boundary(time_t now) {
        time_t hour = (now / 3600 + 1) * 3600;
        struct tm tm;

        if (!localtime_r(&now, &tm))
                return hour;
        tm.tm_mday++;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t midnight = mktime(&tm);
        return midnight != (time_t) -1 && midnight < hour ? midnight : hour;
}

static int open_engine(struct daemon *d) {
        int r;

        r = pipeline_open(&d->config, d->initial_tz, &d->engine);
        if (r < 0)
                return r;
        d->more_pending = true; /* read what is there without waiting */
        d->caught_up = false;
        return 0;
}

/* The pipeline restarts on the new configuration exactly as a process restart
 * would: pages and state saved, engine reopened from the state. If the new
 * configuration cannot be used (say, its output directory cannot be
 * created), the old one is reopened. */
static int reload(struct daemon *d) {
        struct config next, previous;
        int r;

        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, monotonic_usec());
        log_info("Reloading %s.", d->config_path);

        /* Pages and state first. A failure here (a broken output directory,
         * say) must not stand in the way of the configuration that fixes
         * it: the new engine starts from the last snapshot on disk,
         * whichever it is. */
        r = write_out(d);
        if (r == -ENOTRECOVERABLE)
                return r;

        r = load_config(d->config_path, d->explicit_config_path, &next);
        if (r < 0) {
                log_warning("Configuration is invalid; keeping the previous one.");
                goto done;
        }

        d->engine = engine_free(d->engine);
        previous = d->config;
        d->config = next;
        r = open_engine(d);
        if (r < 0) {
                log_warning("Cannot use the new configuration; keeping the previous one.");
                config_done(&d->config);
                d->config = previous;
                r = open_engine(d);
                if (r < 0)
                        return r; /* neither works: exit, and let systemd restart us */
        } else
                config_done(&previous);
        /* The interval may have changed; the next entry arms the timer anew. */
        d->timer_armed = false;
        (void) timerfd_settime(d->timer_fd, 0, &(struct itimerspec){ .it_value.tv_sec = 0 }, NULL);
        r = write_out(d);
        if (r == -ENOTRECOVERABLE)
                return r;
done:
        (void) sd_notify(false, "READY=1");
        return 0;
}

/* Returns 1 to stop, 0 to go on, or -errno. */
static int handle_signal(struct daemon *d) {
        struct signalfd_siginfo si;
        ssize_t n = read(d->signal_fd, &si, sizeof(si));

        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if ((size_t) n != sizeof(si))
                return -EIO;
        switch (si.ssi_signo) {
        case SIGHUP:
                return reload(d);
        case SIGTERM:
        case SIGINT:
                log_info("Received %s, writing pages and state.", strsignal((int) si.ssi_signo));
                return 1;
        default:
                return 0;
        }
}

static int read_batch(struct daemon *d) {
        long n;
        int r;

        r = engine_process(d->engine);
        if (r < 0) {
                log_error("Processing the source's changes failed: %s", strerror(-r));
                return r;
        }
        n = pipeline_pump(d->engine, BATCH_ENTRIES);
        if (n < 0)
                return (int) n;
        d->more_pending = n >= BATCH_ENTRIES;
        if (n > 0) {
                d->dirty = true;
                r = arm_timer(d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int poll_timeout(struct daemon *d, int journal_timeout_ms) {
        int timeout = d->more_pending ? 0 : journal_timeout_ms;

        if (d->config.days > 0) {
                time_t now = time(NULL);
                /* At most an hour: the wall clock may have been set back. */
                time_t left = d->next_boundary > now ? d->next_boundary - now : 0;
                int ms = (int) (left < 3600 ? left : 3600) * 1000;
                if (timeout < 0 || ms < timeout)
                        timeout = ms;
        }
        if (d->watchdog_usec > 0) {
                uint64_t due = d->watchdog_last_usec + d->watchdog_usec / 2, now = monotonic_usec();
                int ms = due > now ? (int) ((due - now + 999) / 1000) : 0;
                if (timeout < 0 || ms < timeout)
                        timeout = ms;
        }
        return timeout;
}

static int loop(struct daemon *d) {
        int r;

        for (;;) {
                struct pollfd fds[3] = {
                        { .fd = d->signal_fd, .events = POLLIN },
                        { .fd = d->timer_fd, .events = POLLIN },
                        { .fd = -1 },
                };
                int journal_timeout_ms;

                r = engine_wait_params(d->engine, &fds[2].fd, &fds[2].events, &journal_timeout_ms);
                if (r < 0) {
                        log_error("Cannot wait for the source: %s", strerror(-r));
                        return r;
                }
                if (poll(fds, ELEMENTSOF(fds), poll_timeout(d, journal_timeout_ms)) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }

                if (d->watchdog_usec > 0 && monotonic_usec() >= d->watchdog_last_usec + d->watchdog_usec / 2) {
                        (void) sd_notify(false, "WATCHDOG=1");
                        d->watchdog_last_usec = monotonic_usec();
                }
                if (fds[0].revents & POLLIN) {
                        r = handle_signal(d);
                        if (r != 0)
                                return r;
                }
                /* Always: a wake-up for any reason is a fine moment to catch
                 * up, and sd_journal_process() is cheap when nothing changed. */
                r = read_batch(d);
                if (r < 0)
                        return r;
                /* The backlog found at start (a first import, or what piled
                 * up while stopped) shows as soon as it is read, not an
                 * interval later; only then, so that a steady flood does
                 * not rewrite the pages at every lull. */
                if (!d->caught_up && !d->more_pending) {
                        d->caught_up = true;
                        if (d->dirty && write_out(d) == -ENOTRECOVERABLE)
                                return -ENOTRECOVERABLE;
                }
                if (d->config.days > 0 &&
                    (time(NULL) >= d->next_boundary || d->next_boundary - time(NULL) > 3600 * 25)) {
                        d->next_boundary = next_window_boundary(time(NULL));
                        d->dirty = true; /* the windows moved */
                        r = write_out(d);
                        if (r == -ENOTRECOVERABLE)
                                return r;
                }
                if (fds[1].revents & POLLIN) {
                        uint64_t expirations;
                        (void) read(d->timer_fd, &expirations, sizeof(expirations));
                        d->timer_armed = false;
                        if (d->dirty) {
                                /* A full disk or a removed directory may
                                 * heal: try again next interval. */
                                r = write_out(d);
                                if (r == -ENOTRECOVERABLE)
                                        return r;
                                if (r < 0 && arm_timer(d) < 0)
                                        return r;
                        }
                }
        }
}

static int setup(struct daemon *d) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (d->signal_fd < 0)
                return -errno;
        d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (d->timer_fd < 0)
                return -errno;
        if (sd_watchdog_enabled(false, &d->watchdog_usec) <= 0)
                d->watchdog_usec = 0;
        d->watchdog_last_usec = monotonic_usec();
        return 0;
}

int run_daemon(const char *config_path, bool explicit_config_path, struct config *config) {
        struct daemon d = {
                .config_path = config_path,
                .explicit_config_path = explicit_config_path,
                .config = *config,
                .signal_fd = -1,
                .timer_fd = -1,
        };
        _cleanup_free_ char *source = NULL;
        int r;

        *config = (struct config){ .identifier = NULL };
        r = pipeline_startup_tz(&d.initial_tz);
        if (r < 0) {
                log_error("Out of memory.");
                goto finish;
        }
        d.next_boundary = next_window_boundary(time(NULL));
        r = setup(&d);
        if (r < 0) {
                log_error("Setting up signals and timers failed: %s", strerror(-r));
                goto finish;
        }
        r = open_engine(&d);
        if (r < 0)
                goto finish;

        /* The first pages reflect the state as saved; a big backlog is
         * read afterwards, in the loop, where signals are answered. Pages
         * that cannot be written (a full or read-only web root) are no
         * reason to stop counting: logged, and tried again each interval,
         * as later. */
        r = write_out(&d);
        if (r == -ENOTRECOVERABLE)
                goto finish;
        if (r < 0) {
                d.dirty = true;
                r = arm_timer(&d);
                if (r < 0)
                        goto finish;
        }
        (void) sd_notify(false, "READY=1");
        source = config_source_description(&d.config);
        if (d.config.source_type == SOURCE_SYSLOG)
                log_info("Following the lines of %s in the %s; pages in %s, every %us when events arrive.",
                         d.config.syslog_identifier, source ? source : "syslog file", d.config.output_directory,
                         d.config.interval_sec);
        else
                log_info("Following SYSLOG_IDENTIFIER=%s in the %s; pages in %s, every %us when events arrive.",
                         d.config.identifier, source ? source : "journal", d.config.output_directory,
                         d.config.interval_sec);

        r = loop(&d);
        if (r >= 0) {
                (void) sd_notify(false, "STOPPING=1");
                r = write_out(&d);
        } else if (r != -ENOTRECOVERABLE && d.engine) {
                /* Counts and cursor agree: keep what was read. */
                (void) write_out(&d);
        }

finish:
        engine_free(d.engine);
        if (d.signal_fd >= 0)
                (void) close(d.signal_fd);
        if (d.timer_fd >= 0)
                (void) close(d.timer_fd);
        config_done(&d.config);
        free(d.initial_tz);
        return r < 0 ? 1 : 0;
}
