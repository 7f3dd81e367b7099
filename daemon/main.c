/* SPDX-License-Identifier: MIT */
/* ticky-reportd: command line and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "loop.h"
#include "macro.h"
#include "once.h"

enum mode {
        MODE_DAEMON,
        MODE_ONCE,
        MODE_CHECK_CONFIG,
        MODE_IMPORT,
};

static void help(FILE *f) {
        fputs("Usage: ticky-reportd [-c FILE | --config FILE] [--once] [--check-config]\n"
              "                     [--version] [--help]\n"
              "       ticky-reportd [-c FILE | --config FILE] --import FILE...\n\n"
              "Counts ticky's events from the systemd journal or a syslog file into HTML\n"
              "and CSV reports.\n\n"
              "  -c, --config FILE  configuration file (default " CONFIG_DEFAULT_PATH ")\n"
              "      --once         read every new entry, write pages and state, exit\n"
              "      --import       add the events of syslog files (plain or .gz) once,\n"
              "                     write pages and state, exit\n"
              "      --check-config validate the configuration and exit\n"
              "      --version      print the version and exit\n"
              "  -h, --help         print this help and exit\n\n"
              "Without --once, runs in the foreground until SIGTERM or SIGINT;\n"
              "SIGHUP reloads the configuration and rewrites the pages.\n",
              f);
}

/* Returns 0 and fills the out-params, or 2 (usage error, already reported),
 * or -1 when the program should exit 0 right away (--help, --version). */
static int parse_argv(int argc, char *argv[], const char **ret_config, bool *ret_explicit, enum mode *ret_mode,
                      char ***ret_files) {
        enum { ARG_ONCE = 0x100, ARG_CHECK_CONFIG, ARG_IMPORT, ARG_VERSION };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "once", no_argument, NULL, ARG_ONCE },
                { "check-config", no_argument, NULL, ARG_CHECK_CONFIG },
                { "import", no_argument, NULL, ARG_IMPORT },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *config = CONFIG_DEFAULT_PATH;
        bool explicit_config = false;
        enum mode mode = MODE_DAEMON;
        int c;

        opterr = 0; /* we report errors ourselves, in one format */
        while ((c = getopt_long(argc, argv, ":c:h", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        explicit_config = true;
                        break;
                case ARG_ONCE:
                case ARG_CHECK_CONFIG:
                case ARG_IMPORT:
                        if (mode != MODE_DAEMON) {
                                fputs("ticky-reportd: --once, --import and --check-config are exclusive\n", stderr);
                                return 2;
                        }
                        mode = c == ARG_ONCE ? MODE_ONCE : c == ARG_IMPORT ? MODE_IMPORT : MODE_CHECK_CONFIG;
                        break;
                case ARG_VERSION:
                        puts("ticky-reportd " TICKY_VERSION);
                        return -1;
                case 'h':
                        help(stdout);
                        return -1;
                case ':':
                        fprintf(stderr, "ticky-reportd: option '%s' needs an argument\n", argv[optind - 1]);
                        return 2;
                default:
                        /* optopt names a bad short option (argv may hold "-xq");
                         * for a long one, argv[optind - 1] is it. */
                        if (optopt > 0 && optopt < 0x100)
                                fprintf(stderr, "ticky-reportd: unknown option '-%c'\n", optopt);
                        else if (optopt >= 0x100)
                                fprintf(stderr, "ticky-reportd: option '%s' takes no argument\n", argv[optind - 1]);
                        else
                                fprintf(stderr, "ticky-reportd: unknown option '%s'\n", argv[optind - 1]);
                        fputs("Try 'ticky-reportd --help'.\n", stderr);
                        return 2;
                }
        }
        if (mode == MODE_IMPORT && optind == argc) {
                fputs("ticky-reportd: --import needs at least one file\nTry 'ticky-reportd --help'.\n", stderr);
                return 2;
        }
        if (mode != MODE_IMPORT && optind < argc) {
                fprintf(stderr, "ticky-reportd: unexpected argument '%s'\nTry 'ticky-reportd --help'.\n", argv[optind]);
                return 2;
        }
        *ret_files = argv + optind;
        *ret_config = config;
        *ret_explicit = explicit_config;
        *ret_mode = mode;
        return 0;
}

int main(int argc, char *argv[]) {
        struct config config;
        const char *config_path;
        bool explicit_config;
        enum mode mode;
        char **files;
        int r;

        /* A reader of stderr that goes away (a closed pipe, outside
         * systemd) must cost log lines, not the process: writes to it then
         * fail with EPIPE, which logging ignores. */
        (void) signal(SIGPIPE, SIG_IGN);

        r = parse_argv(argc, argv, &config_path, &explicit_config, &mode, &files);
        if (r != 0)
                return r < 0 ? EXIT_SUCCESS : r;

        if (load_config(config_path, explicit_config, &config) < 0)
                return EXIT_FAILURE;

        switch (mode) {
        case MODE_CHECK_CONFIG:
                r = 0;
                break;
        case MODE_ONCE:
                r = run_once(&config);
                break;
        case MODE_IMPORT:
                r = run_import(&config, files);
                break;
        case MODE_DAEMON:
        default:
                r = run_daemon(config_path, explicit_config, &config);
                break;
        }
        config_done(&config);
        return r;
}
