/* SPDX-License-Identifier: MIT */
/* Pages are written straight to the stream: no template engine, and every
 * value from the journal goes through report_html_write_escaped(). */
#include "report_html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "utf8.h"

static const char style[] =
        ":root{color-scheme:light dark;--fg:#1b1f23;--bg:#fff;--muted:#59636e;--line:#d8dee4;--head:#f6f8fa;"
        "--accent:#0969da}"
        "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#30363d;"
        "--head:#161b22;--accent:#4493f8}}"
        "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:var(--fg);"
        "background:var(--bg)}"
        "header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}"
        "header{border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;align-items:baseline;gap:1rem}"
        "header h1{font-size:1.25rem;margin:.75rem 0}"
        "nav a{margin-right:1rem}a{color:var(--accent)}"
        "table{border-collapse:collapse;width:100%;margin:1rem 0}"
        "caption{text-align:left;font-weight:600;font-size:1.1rem;padding:.5rem 0}"
        "th,td{border-bottom:1px solid var(--line);padding:.35rem .6rem;text-align:left;vertical-align:top}"
        "thead th{background:var(--head)}tfoot td{font-weight:600}"
        "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
        "td.t{white-space:pre-wrap;overflow-wrap:anywhere}"
        "dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1.5rem}dt{color:var(--muted)}"
        "dd{margin:0;font-variant-numeric:tabular-nums}"
        "footer{color:var(--muted);font-size:.875rem;padding-top:1rem;padding-bottom:2rem}";

void report_html_write_escaped(FILE *f, const char *s, size_t n) {
        const char *run = s, *end = s + n;

        for (const char *p = s; p < end; p++) {
                const char *entity;
                switch (*p) {
                case '&':
                        entity = "&amp;";
                        break;
                case '<':
                        entity = "&lt;";
                        break;
                case '>':
                        entity = "&gt;";
                        break;
                case '"':
                        entity = "&quot;";
                        break;
                case '\'':
                        entity = "&#39;";
                        break;
                default:
                        continue;
                }
                fwrite(run, 1, (size_t) (p - run), f);
                fputs(entity, f);
                run = p + 1;
        }
        fwrite(run, 1, (size_t) (end - run), f);
}

/* For strings that do not come from the aggregates (title, source), which were
 * never repaired. */
static void write_text(FILE *f, const char *s) {
        size_t n = strlen(s);
        _cleanup_free_ char *repaired = NULL;

        if (utf8_is_valid(s, n)) {
                report_html_write_escaped(f, s, n);
                return;
        }
        repaired = malloc(UTF8_REPAIR_MAX(n));
        if (!repaired) {
                fputs("\xEF\xBF\xBD", f);
                return;
        }
        report_html_write_escaped(f, repaired, utf8_repair(s, n, repaired));
}

static void write_time(FILE *f, time_t t) {
        char iso[64] = "", human[64] = "";
        struct tm tm;

        if (localtime_r(&t, &tm)) {
                (void) strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S%z", &tm);
                (void) strftime(human, sizeof(human), "%Y-%m-%d %H:%M:%S %Z", &tm);
        }
        fprintf(f, "<time datetime=\"%s\">%s</time>", iso, human);
}

static void write_head(FILE *f, const struct report_data *d, const char *page_title) {
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
              f);
        write_text(f, page_title);
        fputs(" · ", f);
        write_text(f, d->title);
        fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", style);
        write_text(f, d->title);
        fputs("</h1>\n<nav><a href=\"index.html\">Overview</a><a href=\"error_message.html\">Errors</a>"
              "<a href=\"user_statistics.html\">Users</a></nav>\n</header>\n<main>\n",
              f);
}

static int write_tail(FILE *f, const struct report_data *d) {
        fputs("</main>\n<footer>Updated ", f);
        write_time(f, d->updated);
        fputs(" from the ", f);
        write_text(f, d->source);
        fputs(" by ticky-reportd.</footer>\n</body>\n</html>\n", f);
        return ferror(f) ? -EIO : 0;
}

int report_html_write_errors(FILE *f, const struct report_data *d) {
        write_head(f, d, "Errors");
        fprintf(f,
                "<table>\n<caption>ERROR messages, most common first: %zu distinct, %" PRIu64
                " in all</caption>\n<thead><tr><th scope=\"col\">Error</th><th scope=\"col\" class=\"n\">Count</th>"
                "</tr></thead>\n<tbody>\n",
                d->n_errors, d->stats->error);
        for (size_t i = 0; i < d->n_errors; i++) {
                fputs("<tr><td class=\"t\">", f);
                report_html_write_escaped(f, d->errors[i]->key, d->errors[i]->key_len);
                fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td></tr>\n", d->errors[i]->count[0]);
        }
        fprintf(f, "</tbody>\n<tfoot><tr><td>Total</td><td class=\"n\">%" PRIu64 "</td></tr></tfoot>\n</table>\n",
                d->stats->error);
        return write_tail(f, d);
}

int report_html_write_users(FILE *f, const struct report_data *d) {
        write_head(f, d, "Users");
        fprintf(f,
                "<table>\n<caption>Events per user: %zu users</caption>\n<thead><tr><th scope=\"col\">Username</th>"
                "<th scope=\"col\" class=\"n\">INFO</th><th scope=\"col\" class=\"n\">ERROR</th></tr></thead>\n"
                "<tbody>\n",
                d->n_users);
        for (size_t i = 0; i < d->n_users; i++) {
                const struct counter_row *u = d->users[i];
                fputs("<tr><td class=\"t\">", f);
                report_html_write_escaped(f, u->key, u->key_len);
                fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
                        u->count[STATS_INFO], u->count[STATS_ERROR]);
        }
        fprintf(f,
                "</tbody>\n<tfoot><tr><td>Total</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
                "</td></tr></tfoot>\n</table>\n",
                d->stats->info, d->stats->error);
        return write_tail(f, d);
}

int report_html_write_index(FILE *f, const struct report_data *d) {
        const struct stats *s = d->stats;

        write_head(f, d, "Overview");
        fputs("<h2>Reports</h2>\n<ul>\n<li><a href=\"error_message.html\">Error ranking</a> "
              "(<a href=\"error_message.csv\">CSV</a>)</li>\n<li><a href=\"user_statistics.html\">Usage statistics</a> "
              "(<a href=\"user_statistics.csv\">CSV</a>)</li>\n</ul>\n<h2>Totals</h2>\n<dl>\n",
              f);
        fprintf(f, "<dt>Events counted</dt><dd id=\"events\">%" PRIu64 "</dd>\n", s->info + s->error);
        fprintf(f, "<dt>INFO</dt><dd id=\"info\">%" PRIu64 "</dd>\n", s->info);
        fprintf(f, "<dt>ERROR</dt><dd id=\"error\">%" PRIu64 "</dd>\n", s->error);
        fprintf(f, "<dt>Users</dt><dd id=\"users\">%zu</dd>\n", d->n_users);
        fprintf(f, "<dt>Distinct errors</dt><dd id=\"errors\">%zu</dd>\n", d->n_errors);
        fprintf(f, "<dt>Unparsed entries</dt><dd id=\"unparsed\">%" PRIu64 "</dd>\n", s->unparsed);
        fputs("<dt>Last update</dt><dd id=\"updated\">", f);
        write_time(f, d->updated);
        fputs("</dd>\n</dl>\n", f);
        return write_tail(f, d);
}
