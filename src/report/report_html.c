/* SPDX-License-Identifier: MIT */
/* Pages are written straight to the stream: no template engine, and every
 * value from the journal goes through report_html_write_escaped(). One static
 * style and one static script serve all three pages; the tables are complete
 * without the script, which only adds sorting and a filter box. */
#include "report_html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "macro.h"
#include "text_output.h"
#include "utf8.h"

/* One <style> for all pages, in parts (C99 promises string literals of 4095
 * bytes only). Colours are variables: the dark scheme and print swap them. */
static const char *const style[] = {
        /* colours, page, header */
        ":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;"
        "--accent:#0969da;--info:#54aeff;--err:#cf222e;--track:#eaeef2;--warn:#fff8c5;--warnline:#d4a72c;"
        "--hl:#ddf4ff}"
        "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;"
        "--head:#151b23;--accent:#4493f8;--info:#1f6feb;--err:#f85149;--track:#262c36;--warn:#272115;"
        "--warnline:#9e6a03;--hl:#121d2f}}"
        "*{box-sizing:border-box}"
        "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;"
        "color:var(--fg);background:var(--bg)}"
        "a{color:var(--accent)}"
        ".top{background:var(--head);border-bottom:1px solid var(--line)}"
        ".top>div,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}"
        ".top>div{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;padding:.5rem 1rem}"
        ".brand{font-weight:600;font-size:1.125rem;color:inherit;text-decoration:none;overflow-wrap:anywhere}"
        "nav{display:flex;gap:.25rem}"
        "nav a{color:inherit;text-decoration:none;padding:.25rem .625rem;border-radius:.375rem}"
        "nav a:hover{background:var(--line)}"
        "nav a[aria-current=page]{font-weight:600;box-shadow:inset 0 -2px var(--accent)}"
        ".meta{margin:0 0 0 auto;color:var(--muted);font-size:.8125rem;overflow-wrap:anywhere}"
        "h1{font-size:1.5rem;margin:1.25rem 0 .25rem}"
        "h2{font-size:1.125rem;margin:1.75rem 0 .5rem}"
        ".sum{color:var(--muted);margin:0 0 .75rem}"
        ".warn{background:var(--warn);border:1px solid var(--warnline);border-radius:.375rem;padding:.5rem .75rem}"
        ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}"
        "footer{color:var(--muted);font-size:.8125rem;padding-top:1rem;padding-bottom:2rem}",

        /* tables, their controls, bars and sparklines */
        ".bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem;"
        "min-height:2.75rem;margin:0 0 .75rem}"
        ".bar .sum{margin:0}"
        ".tools{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem}"
        ".tools input{font:inherit;width:min(100%,24rem);padding:.375rem .625rem;color:inherit;"
        "background:var(--bg);border:1px solid var(--line);border-radius:.375rem}"
        ".tools output{color:var(--muted);font-size:.875rem}"
        "table{border-collapse:collapse;width:100%;font-size:.9375rem;margin:.5rem 0 1rem}"
        "th,td{padding:.375rem .625rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}"
        "thead th{position:sticky;top:0;background:var(--head);white-space:nowrap;border:0;"
        "box-shadow:inset 0 -1px var(--line)}"
        "th.n,td[data-value]{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
        "th[colspan]{text-align:center}"
        "th button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;"
        "text-decoration:underline dotted var(--muted)}"
        "th[aria-sort=ascending]::after{content:\" \\2191\"}"
        "th[aria-sort=descending]::after{content:\" \\2193\"}"
        ".data thead th{width:1%}"
        ".data thead th[data-col=\"0\"]{width:auto}"
        ".data td:first-child{white-space:pre-wrap;overflow-wrap:anywhere}"
        "#error-table td:first-child{min-width:14rem}"
        "#user-table td:first-child{overflow-wrap:break-word}"
        ".long{max-height:10.5em;overflow-y:auto}"
        ".data tbody tr:hover{background:var(--head)}"
        ".data tr:target{background:var(--hl)}"
        ".data td:last-child a{color:var(--muted);text-decoration:none;padding:0 .25rem}"
        ".data td:last-child a:hover{color:var(--accent)}"
        "tfoot td,tfoot th{font-weight:600}"
        "tr.other td{font-style:italic;color:var(--muted)}"
        ".sh{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}"
        ".sh span{display:inline-block;width:6rem;height:.625rem;margin-right:.5rem;background:var(--track);"
        "border-radius:2px}"
        ".sh i{display:block;height:100%;min-width:1px;background:var(--err);border-radius:2px}"
        ".sp svg{display:block;width:6rem;height:1.5rem}"
        ".sp polyline{fill:none;stroke:var(--err);stroke-width:1.5;stroke-linejoin:round}",

        /* the overview: cards, chart, top errors */
        ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.75rem;margin:1rem 0}"
        ".cards div{border:1px solid var(--line);border-radius:.5rem;padding:.5rem .75rem}"
        ".cards dt{color:var(--muted);font-size:.8125rem}"
        ".cards dd{margin:0;font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}"
        ".cards dd small{font-size:.875rem;font-weight:400;color:var(--muted)}"
        ".cards .wide{grid-column:span 2}"
        ".cards dd time{font-size:1.125rem;white-space:nowrap}"
        ".chart{margin:0}"
        ".plot{position:relative;border-bottom:1px solid var(--muted);border-top:1px dashed var(--line)}"
        ".plot svg{display:block;width:100%;height:12rem}"
        ".ymax{position:absolute;top:.125rem;left:.25rem;font-size:.75rem;color:var(--muted)}"
        ".xaxis{display:flex;justify-content:space-between;font-size:.75rem;color:var(--muted)}"
        ".chart .i{fill:var(--info)}"
        ".chart .e{fill:var(--err)}"
        ".key{font-size:.875rem;color:var(--muted)}"
        ".key i{display:inline-block;width:.75rem;height:.75rem;border-radius:2px;margin:0 .25rem 0 .75rem;"
        "vertical-align:-1px}"
        ".key .i{background:var(--info)}"
        ".key .e{background:var(--err)}"
        ".top5 td:first-child a{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;"
        "overflow:hidden}"
        "details{margin:.5rem 0}"
        "summary{cursor:pointer;color:var(--muted)}",

        /* narrow screens scroll wide tables sideways; print is black on white, whole */
        "@media (max-width:48rem){.scroll{overflow-x:auto}thead th{position:static}.meta{margin-left:0}"
        ".tools{width:100%}"
        ".scroll .data td:first-child,.scroll .data th[data-col=\"0\"],.scroll .data tfoot th{position:sticky;"
        "left:0;z-index:1;background:var(--bg)}"
        ".scroll .data thead th[data-col=\"0\"]{background:var(--head)}}"
        "@media print{:root{color-scheme:light;--fg:#000;--bg:#fff;--muted:#000;--line:#999;--head:#fff;"
        "--accent:#000;--info:#999;--err:#000;--track:#ddd;--warn:#fff;--warnline:#000;--hl:#fff}"
        "body{font-size:11pt}"
        "nav,.tools,.data td:last-child,.data th.pl,summary{display:none}"
        "th button{text-decoration:none}"
        ".long{max-height:none}"
        ".scroll{overflow:visible}"
        "thead th{position:static}"
        "a{text-decoration:none}"
        ".top5 td:first-child a{display:inline;overflow:visible}"
        "tr{break-inside:avoid}"
        "*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}",
};

/* Changing a single byte here changes its SHA-256: the Content-Security-Policy
 * of etc/nginx/ticky-reportd.conf must follow (tests/browser/csp_hash.py
 * --update). Plain DOM calls only: no eval, no inline handlers, no markup from
 * strings, so values from the journal stay text. */
const char report_html_script[] =
        "\"use strict\";\n"
        "/* thousands separators for people; the page holds plain digits for programs */\n"
        "const digits = new Intl.NumberFormat(\"en-US\");\n"
        "for (const el of document.querySelectorAll(\"[data-value]\"))\n"
        "  if (el.firstChild && el.firstChild.nodeValue === el.dataset.value)\n"
        "    el.firstChild.nodeValue = digits.format(BigInt(el.dataset.value));\n"
        "for (const table of document.querySelectorAll(\"table[data-sortable]\")) {\n"
        "  const body = table.tBodies[0], rows = Array.from(body.rows);\n"
        "  const heads = table.querySelectorAll(\"th[data-col]\"), values = [];\n"
        "  const count = n => n.toLocaleString(\"en-US\");\n"
        "  let keys = null, pending = 0;\n"
        "  for (const th of heads) {\n"
        "    const button = document.createElement(\"button\");\n"
        "    button.type = \"button\";\n"
        "    button.append(...th.childNodes);\n"
        "    th.append(button);\n"
        "    button.addEventListener(\"click\", () => {\n"
        "      const col = +th.dataset.col, num = th.classList.contains(\"n\");\n"
        "      const was = th.getAttribute(\"aria-sort\");\n"
        "      const dir = was ? (was === \"ascending\" ? -1 : 1) : (num ? -1 : 1);\n"
        "      const v = values[col] ||= rows.map(r => num ? +r.cells[col].getAttribute(\"data-value\")\n"
        "                                                  : r.cells[col].textContent);\n"
        "      const order = rows.map((r, i) => i);\n"
        "      const sorted = document.createDocumentFragment();\n"
        "      order.sort((a, b) => v[a] < v[b] ? -dir : v[a] > v[b] ? dir : a - b);\n"
        "      for (const h of heads)\n"
        "        h.removeAttribute(\"aria-sort\");\n"
        "      th.setAttribute(\"aria-sort\", dir > 0 ? \"ascending\" : \"descending\");\n"
        "      for (const i of order)\n"
        "        sorted.append(rows[i]);\n"
        "      body.append(sorted);\n"
        "    });\n"
        "  }\n"
        "  const tools = document.createElement(\"div\"), input = document.createElement(\"input\");\n"
        "  const out = document.createElement(\"output\");\n"
        "  tools.className = \"tools\";\n"
        "  input.type = \"search\";\n"
        "  input.id = table.id + \"-filter\";\n"
        "  input.placeholder = table.dataset.filter;\n"
        "  input.autocomplete = \"off\";\n"
        "  input.spellcheck = false;\n"
        "  input.setAttribute(\"aria-label\", table.dataset.filter);\n"
        "  input.setAttribute(\"aria-controls\", table.id);\n"
        "  out.htmlFor = input.id;\n"
        "  out.setAttribute(\"aria-live\", \"polite\");\n"
        "  tools.append(input, out);\n"
        "  /* into the room kept for it: nothing below moves, a long table is not laid out again */\n"
        "  const room = document.getElementById(table.id + \"-tools\");\n"
        "  if (room)\n"
        "    room.append(tools);\n"
        "  else\n"
        "    (table.closest(\".scroll\") || table).before(tools);\n"
        "  input.addEventListener(\"input\", () => pending ||= requestAnimationFrame(() => {\n"
        "    const q = input.value.toLowerCase();\n"
        "    let shown = 0;\n"
        "    pending = 0;\n"
        "    keys ||= rows.map(r => (r.cells[0].textContent + \"\\n\" + (r.dataset.hosts || \"\")).toLowerCase());\n"
        "    rows.forEach((r, i) => {\n"
        "      const hide = q !== \"\" && !keys[i].includes(q);\n"
        "      if (r.hidden !== hide)\n"
        "        r.hidden = hide;\n"
        "      shown += !hide;\n"
        "    });\n"
        "    out.value = q ? count(shown) + \" of \" + count(rows.length) + \" shown\" : \"\";\n"
        "  }));\n"
        "}\n";

enum page {
        PAGE_INDEX,
        PAGE_ERRORS,
        PAGE_USERS,
};

static const struct {
        const char *file, *label, *title;
} pages[] = {
        [PAGE_INDEX] = { "index.html", "Overview", "Overview" },
        [PAGE_ERRORS] = { "error_message.html", "Errors", "Error ranking" },
        [PAGE_USERS] = { "user_statistics.html", "Users", "Usage statistics" },
};

/* An error row's id: "e-" and the FNV-1a 64 hash of the message in hex, plus
 * "-2", "-3"... for the later ones in byte order of messages sharing a hash. */
struct error_id {
        char s[48];
};

/* Keys longer than this (bytes) get a scrolling box of their own. */
#define LONG_KEY 1024

/* How many rows the overview shows of the error ranking. */
#define TOP_ERRORS 5

/* Chart geometry, in SVG user units: every day is a slot of CHART_SLOT with
 * a bar of CHART_BAR; heights are in thousandths of the busiest day. */
#define CHART_SLOT      10
#define CHART_BAR       8
#define CHART_HEIGHT    1000
#define CHART_MIN_SLOTS 14
#define SPARK_WIDTH     100
#define SPARK_BASE      24 /* y of zero; the highest count is drawn at SPARK_BASE - SPARK_RANGE */
#define SPARK_RANGE     23

/* Whether the UTF-8 sequence at p (valid: keys are repaired), code point
 * *ret_cp, is one a reader cannot see or that reorders the text around it: C0
 * and C1 controls (but tab and newline), bidirectional controls (the
 * Trojan Source trick, CVE-2021-42574: "b\u202Eexe.txt"), zero-width and
 * other invisible characters ("b\u200Dob" looks like "bob"). Sets *ret_len
 * to the sequence's length either way. */
static bool is_hidden(const unsigned char *p, const unsigned char *end, uint32_t *ret_cp, size_t *ret_len) {
        static const struct {
                uint32_t first, last;
        } hidden[] = {
                { 0x0080, 0x009F }, { 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x061C, 0x061C },
                { 0x115F, 0x1160 }, { 0x180E, 0x180E }, { 0x200B, 0x200F }, { 0x202A, 0x202E },
                { 0x2060, 0x2069 }, { 0x3164, 0x3164 }, { 0xFEFF, 0xFEFF }, { 0xFFA0, 0xFFA0 },
        };
        uint32_t cp;
        size_t len;

        *ret_cp = p[0];
        *ret_len = 1;
        if (p[0] < 0x80)
                return (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n') || p[0] == 0x7F;
        len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
        if ((size_t) (end - p) < len)
                return false;
        *ret_len = len;
        if (len == 4)
                return false;
        cp = len == 2 ? (uint32_t) (p[0] & 0x1F) << 6 | (p[1] & 0x3F)
                      : (uint32_t) (p[0] & 0x0F) << 12 | (uint32_t) (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        *ret_cp = cp;
        for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
                if (cp >= hidden[i].first && cp <= hidden[i].last)
                        return true;
        return false;
}

void report_html_write_escaped(FILE *f, const char *s, size_t n) {
        const char *run = s, *end = s + n;
        struct write_buffer b;

        write_buffer_init(&b, f);

        for (const char *p = s; p < end; p++) {
                const char *entity;
                char shown[32];
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
                default: {
                        /* Shown as "‹U+202E›", text that works in an
                         * attribute as in a cell, its brackets written as
                         * references so that it cannot be mistaken for the
                         * same text in a key. CSV and JSON keep the
                         * character. */
                        size_t len;
                        uint32_t cp;
                        if ((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7F)
                                continue; /* the common case, first */
                        if (!is_hidden((const unsigned char *) p, (const unsigned char *) end, &cp, &len)) {
                                p += len - 1;
                                continue;
                        }
                        snprintf(shown, sizeof(shown), "&#8249;U+%04" PRIX32 "&#8250;", cp);
                        write_buffer_put(&b, run, (size_t) (p - run));
                        write_buffer_put(&b, shown, strlen(shown));
                        p += len - 1;
                        run = p + 1;
                        continue;
                }
                }
                write_buffer_put(&b, run, (size_t) (p - run));
                write_buffer_put(&b, entity, strlen(entity));
                run = p + 1;
        }
        write_buffer_put(&b, run, (size_t) (end - run));
        write_buffer_flush(&b);
}

/* For strings that do not come from the aggregates (title, source), which were
 * never repaired. */
static void write_text(FILE *f, const char *s) {
        utf8_write_repaired(f, s, report_html_write_escaped);
}

/* A key stands alone in its table cell, a bidirectional paragraph of its
 * own: a name in a right-to-left script cannot reorder what stands beside
 * it, and the controls in it are shown, not applied. */
static void write_key(FILE *f, const struct counter_row *row) {
        report_html_write_escaped(f, row->key, row->key_len);
}

/* The first cell of a row. A long key scrolls in a box of its own on screen
 * (whole, but the rows around it stay in view); print shows it all. */
static void write_key_cell(FILE *f, const struct counter_row *row) {
        bool long_key = row->key_len > LONG_KEY;

        fputs(long_key ? "<td><div class=\"long\">" : "<td>", f);
        write_key(f, row);
        fputs(long_key ? "</div></td>" : "</td>", f);
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

/* "1,234,567": what people read; the raw number goes into data-value. */
static const char *format_count(char buf[static 32], uint64_t v) {
        char number[21];
        const char *digits = format_u64(number, v);
        int n = (int) strlen(digits);
        size_t o = 0;

        for (int i = 0; i < n; i++) {
                if (i > 0 && (n - i) % 3 == 0)
                        buf[o++] = ',';
                buf[o++] = digits[i];
        }
        buf[o] = '\0';
        return buf;
}

static void write_count(FILE *f, uint64_t v) {
        char buf[32];
        fputs(format_count(buf, v), f);
}

/* Plain digits, which programs reading the page can take as they are; the
 * script adds the thousands separators for people. */
static void write_count_cell(FILE *f, uint64_t v) {
        static const char open[] = "<td data-value=\"", middle[] = "\">", close[] = "</td>";
        char number[21], cell[sizeof(open) + sizeof(middle) + sizeof(close) + 2 * 20];
        const char *digits = format_u64(number, v);
        size_t len = strlen(digits), n = 0;

        /* Built whole, for one stdio call: there are tens of thousands. */
        memcpy(cell + n, open, sizeof(open) - 1);
        n += sizeof(open) - 1;
        memcpy(cell + n, digits, len);
        n += len;
        memcpy(cell + n, middle, sizeof(middle) - 1);
        n += sizeof(middle) - 1;
        memcpy(cell + n, digits, len);
        n += len;
        memcpy(cell + n, close, sizeof(close) - 1);
        n += sizeof(close) - 1;
        fwrite(cell, 1, n, f);
}

/* part/whole in tenths of a percent, rounded; whole > 0. */
static uint64_t permille(uint64_t part, uint64_t whole) {
        /* Never above the whole: a forged snapshot may claim so, and the
         * conversion of a too large double is undefined. */
        if (part >= whole)
                return 1000;
        return (uint64_t) ((double) part * 1000.0 / (double) whole + 0.5);
}

static void write_percent(FILE *f, uint64_t part, uint64_t whole) {
        uint64_t p = whole > 0 ? permille(part, whole) : 0;

        if (p == 0 && part > 0)
                fputs("&lt;0.1%", f);
        else
                fprintf(f, "%" PRIu64 ".%" PRIu64 "%%", p / 10, p % 10);
}

/* "2025-11-24" for a count of days since 1970-01-01. */
static const char *format_day(char buf[static 16], int32_t day) {
        time_t t = (time_t) day * 86400;
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
                snprintf(buf, 16, "day %" PRId32, day);
        return buf;
}

/* Usernames hold no whitespace but any other character; ids and fragments
 * take them as they are when they are plain ASCII ([A-Za-z0-9._-]) and every
 * other byte as "~" and two hex digits: injective, so ids are unique, and
 * never in need of percent-encoding, so a link finds exactly its row. */
static void write_user_id(FILE *f, const struct counter_row *u) {
        static const char hex_digits[] = "0123456789abcdef";
        struct write_buffer b;

        write_buffer_init(&b, f);
        write_buffer_put(&b, "u-", 2);
        for (size_t i = 0; i < u->key_len; i++) {
                unsigned char c = (unsigned char) u->key[i];
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-')
                        write_buffer_put(&b, &u->key[i], 1);
                else
                        write_buffer_put(&b, (char[]){ '~', hex_digits[c >> 4], hex_digits[c & 15] }, 3);
        }
        write_buffer_flush(&b);
}

struct hashed_row {
        uint64_t hash;
        const struct counter_row *row;
        size_t index;
};

static int hashed_row_compare(const void *a, const void *b) {
        const struct hashed_row *x = a, *y = b;

        if (x->hash != y->hash)
                return x->hash < y->hash ? -1 : 1;
        return counter_row_compare_keys(x->row, y->row);
}

/* The ids of d->errors, parallel to it: they depend on the message only, not
 * on its rank, so a link stays valid while counts change. Returns 0 or
 * -ENOMEM; *ret is NULL when there are no errors. */
static int error_ids_new(const struct report_data *d, struct error_id **ret) {
        _cleanup_free_ struct hashed_row *byhash = NULL;
        _cleanup_free_ struct error_id *ids = NULL;

        *ret = NULL;
        if (d->n_errors == 0)
                return 0;
        byhash = calloc(d->n_errors, sizeof(*byhash));
        ids = calloc(d->n_errors, sizeof(*ids));
        if (!byhash || !ids)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_errors; i++)
                byhash[i] = (struct hashed_row){
                        .hash = fnv1a64_update(FNV1A64_INIT, d->errors[i]->key, d->errors[i]->key_len),
                        .row = d->errors[i],
                        .index = i,
                };
        qsort(byhash, d->n_errors, sizeof(*byhash), hashed_row_compare);
        for (size_t i = 0, same = 0; i < d->n_errors; i++) {
                char *id = ids[byhash[i].index].s;

                same = i > 0 && byhash[i].hash == byhash[i - 1].hash ? same + 1 : 0;
                if (same == 0)
                        snprintf(id, sizeof(ids->s), "e-%016" PRIx64, byhash[i].hash);
                else
                        snprintf(id, sizeof(ids->s), "e-%016" PRIx64 "-%zu", byhash[i].hash, same + 1);
        }
        *ret = TAKE_PTR(ids);
        return 0;
}

/* The row's hosts, for the filter box: in an attribute, as a cell shows them. */
static void write_hosts_attribute(FILE *f, char *const *lists, size_t i) {
        if (!lists)
                return;
        fputs(" data-hosts=\"", f);
        if (lists[i])
                report_html_write_escaped(f, lists[i], strlen(lists[i]));
        fputc('"', f);
}

static void write_hosts_cell(FILE *f, char *const *lists, size_t i) {
        if (!lists)
                return;
        fputs("<td class=\"hosts\">", f);
        if (lists[i])
                report_html_write_escaped(f, lists[i], strlen(lists[i]));
        fputs("</td>", f);
}

static void write_permalink_cell(FILE *f, const char *id) {
        fprintf(f, "<td><a href=\"#%s\">#</a></td>", id);
}

static void write_head(FILE *f, const struct report_data *d, enum page page) {
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta name=\"color-scheme\" content=\"light dark\">\n<title>",
              f);
        fputs(pages[page].label, f);
        fputs(" · ", f);
        write_text(f, d->title);
        fputs("</title>\n<style>", f);
        for (size_t i = 0; i < ELEMENTSOF(style); i++)
                fputs(style[i], f);
        fputs("</style>\n</head>\n<body>\n<header class=\"top\"><div>\n<a class=\"brand\" href=\"index.html\">", f);
        write_text(f, d->title);
        fputs("</a>\n<nav aria-label=\"Reports\">", f);
        for (size_t i = 0; i < ELEMENTSOF(pages); i++)
                fprintf(f, "<a href=\"%s\"%s>%s</a>", pages[i].file, i == (size_t) page ? " aria-current=\"page\"" : "",
                        pages[i].label);
        fputs("</nav>\n<p class=\"meta\">Updated ", f);
        write_time(f, d->updated);
        fputs(" · Source: ", f);
        write_text(f, d->source);
        fprintf(f, "</p>\n</div></header>\n<main>\n<h1>%s</h1>\n", pages[page].title);
}

static int write_tail(FILE *f) {
        fprintf(f,
                "</main>\n<footer>Written by ticky-reportd. Also as CSV: <a href=\"error_message.csv\">errors</a>, "
                "<a href=\"user_statistics.csv\">users</a>.</footer>\n<script>%s</script>\n</body>\n</html>\n",
                report_html_script);
        return ferror(f) ? -EIO : 0;
}

/* The label of an "(other)" row. */
static void write_other_label(FILE *f, const char *many) {
        fprintf(f, "(other %s)", many);
}

static void write_cap_note(FILE *f, size_t listed, const char *one, const char *many) {
        fputs("<p class=\"warn\" role=\"note\"><strong>Cap reached:</strong> ", f);
        write_count(f, listed);
        fprintf(f, " %s %s listed; the other %s are counted together in the row “", listed == 1 ? one : many,
                listed == 1 ? "is" : "are", many);
        write_other_label(f, many);
        fputs("” at the end of the table.</p>\n", f);
}

static bool days_ascending(const struct report_data *d) {
        if (d->n_days == 0 || !d->days || !d->day_totals)
                return false;
        for (size_t i = 1; i < d->n_days; i++)
                if (d->days[i] <= d->days[i - 1])
                        return false;
        return true;
}

/* The slot of day i: days since the first one; gaps stay gaps. */
static size_t day_slot(const struct report_data *d, size_t i) {
        return (size_t) ((int64_t) d->days[i] - d->days[0]);
}

static bool has_daily(const struct report_data *d) {
        return d->error_daily && days_ascending(d);
}

/* Points of a sparkline go through here: a point between two others of the
 * same height is dropped, so long runs of quiet days cost nothing. */
struct spark {
        FILE *f;
        size_t span;        /* slots from the first day to the last, >= 1 */
        uint64_t max;       /* the busiest day, >= 1 */
        bool written, held; /* a point was written; one waits */
        uint64_t last_y;    /* of the last point written */
        size_t held_x;
        uint64_t held_y;
};

static void spark_write(struct spark *s, size_t x, uint64_t y) {
        fprintf(s->f, "%s%zu,%" PRIu64, s->written ? " " : "", x, y);
        s->written = true;
        s->last_y = y;
}

static void spark_point(struct spark *s, size_t slot, uint64_t v) {
        size_t x = slot * SPARK_WIDTH / s->span;
        uint64_t y = SPARK_BASE - v * SPARK_RANGE / s->max;

        if (s->held && !(s->written && s->last_y == s->held_y && s->held_y == y))
                spark_write(s, s->held_x, s->held_y);
        s->held = true;
        s->held_x = x;
        s->held_y = y;
}

static void spark_end(struct spark *s) {
        if (s->held)
                spark_write(s, s->held_x, s->held_y);
}

/* One polyline of the daily counts of an error, scaled to its own busiest day;
 * days without a count in the middle are drawn as zero. */
static void write_sparkline(FILE *f, const struct report_data *d, size_t row) {
        const uint64_t *v = d->error_daily + row * d->n_days;
        size_t span = day_slot(d, d->n_days - 1);
        struct spark s = { .f = f, .span = span > 0 ? span : 1, .max = 1 };

        for (size_t i = 0; i < d->n_days; i++)
                if (v[i] > s.max)
                        s.max = v[i];
        fprintf(f, "<td class=\"sp\"><svg viewBox=\"0 0 %d 25\" aria-hidden=\"true\"><polyline points=\"", SPARK_WIDTH);
        if (span == 0) {
                spark_point(&s, 0, v[0]);
                spark_point(&s, 1, v[0]);
        } else
                for (size_t i = 0; i < d->n_days; i++) {
                        size_t slot = day_slot(d, i);
                        if (i > 0 && slot - day_slot(d, i - 1) > 1) {
                                spark_point(&s, day_slot(d, i - 1) + 1, 0);
                                spark_point(&s, slot - 1, 0);
                        }
                        spark_point(&s, slot, v[i]);
                }
        spark_end(&s);
        fputs("\"/></svg></td>", f);
}

static void write_share_cell(FILE *f, uint64_t count, uint64_t total, uint64_t max, bool bar) {
        fputs("<td class=\"sh\">", f);
        if (bar) {
                uint64_t w = max > 0 ? permille(count, max) : 0;
                fprintf(f, "<span><i style=\"width:%" PRIu64 ".%" PRIu64 "%%\"></i></span>", w / 10, w % 10);
        }
        write_percent(f, count, total);
        fputs("</td>", f);
}

static void write_error_table_head(FILE *f, const struct report_data *d, bool windows, bool daily) {
        fputs("<div class=\"scroll\"><table id=\"error-table\" class=\"data\" data-sortable "
              "data-filter=\"Filter messages\">\n<caption class=\"vh\">ERROR messages by count</caption>\n"
              "<thead><tr><th scope=\"col\" data-col=\"0\">Error</th>"
              "<th scope=\"col\" class=\"n\" data-col=\"1\" aria-sort=\"descending\">Count</th>"
              "<th scope=\"col\" class=\"n\">Share</th>",
              f);
        if (windows)
                fputs("<th scope=\"col\" class=\"n\" data-col=\"3\">Last 24 h</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"4\">Last 7 days</th>",
                      f);
        if (daily)
                fputs("<th scope=\"col\">Per day</th>", f);
        if (d->error_hosts)
                fprintf(f, "<th scope=\"col\" data-col=\"%d\">Hosts</th>", 3 + (windows ? 2 : 0) + (daily ? 1 : 0));
        fputs("<th scope=\"col\" class=\"pl\"><span class=\"vh\">Link</span></th></tr></thead>\n<tbody>\n", f);
}

/* The "(other)" row, if any, and the totals; sums: of the windows' columns. */
static void write_error_table_foot(FILE *f, const struct report_data *d, bool windows, bool daily, uint64_t max,
                                   const uint64_t sums[2]) {
        const struct report_other *other = &d->other_errors;
        uint64_t total = d->totals.error;

        fputs("</tbody>\n<tfoot>\n", f);
        if (report_other_present(other)) {
                fputs("<tr id=\"other\" class=\"other\"><td>", f);
                write_other_label(f, "messages");
                fputs("</td>", f);
                write_count_cell(f, other->count[0]);
                write_share_cell(f, other->count[0], total, max, false);
                if (windows)
                        fputs("<td></td><td></td>", f);
                if (daily)
                        fputs("<td></td>", f);
                if (d->error_hosts)
                        fputs("<td></td>", f);
                write_permalink_cell(f, "other");
                fputs("</tr>\n", f);
        }
        fputs("<tr><th scope=\"row\">Total</th>", f);
        write_count_cell(f, total);
        write_share_cell(f, total, total, max, false);
        if (windows && !report_other_present(other)) {
                write_count_cell(f, sums[0]);
                write_count_cell(f, sums[1]);
        } else if (windows)
                fputs("<td></td><td></td>", f);
        fputs(daily ? "<td></td>" : "", f);
        fputs(d->error_hosts ? "<td></td><td></td></tr>\n" : "<td></td></tr>\n", f);
        fputs("</tfoot>\n</table></div>\n", f);
}

int report_html_write_errors(FILE *f, const struct report_data *d) {
        _cleanup_free_ struct error_id *ids = NULL;
        bool others = report_other_present(&d->other_errors), windows = d->error_windows, daily = has_daily(d);
        uint64_t total = d->totals.error, max = d->n_errors > 0 ? d->errors[0]->count[0] : 0;
        uint64_t sums[2] = { 0, 0 }; /* last 24 h, last 7 days */
        int r;

        r = error_ids_new(d, &ids);
        if (r < 0)
                return r;
        write_head(f, d, PAGE_ERRORS);
        fputs("<div class=\"bar\" id=\"error-table-tools\"><p class=\"sum\">", f);
        write_count(f, d->n_errors);
        fputs(d->n_errors == 1 ? " distinct message" : " distinct messages", f);
        fputs(others ? " and others, " : ", ", f);
        write_count(f, total);
        fputs(total == 1 ? " error" : " errors", f);
        fputs(" in all; most common first.</p></div>\n", f);
        if (others)
                write_cap_note(f, d->n_errors, "message", "messages");
        if (d->n_errors == 0)
                fputs("<p>No ERROR events counted yet.</p>\n", f);
        write_error_table_head(f, d, windows, daily);
        for (size_t i = 0; i < d->n_errors; i++) {
                const struct counter_row *e = d->errors[i];

                fprintf(f, "<tr id=\"%s\"", ids[i].s);
                write_hosts_attribute(f, d->error_hosts, i);
                fputc('>', f);
                write_key_cell(f, e);
                write_count_cell(f, e->count[0]);
                write_share_cell(f, e->count[0], total, max, true);
                if (windows) {
                        write_count_cell(f, d->error_windows[i].last_24h[0]);
                        write_count_cell(f, d->error_windows[i].last_7d[0]);
                        sums[0] += d->error_windows[i].last_24h[0];
                        sums[1] += d->error_windows[i].last_7d[0];
                }
                if (daily && i < d->n_error_daily)
                        write_sparkline(f, d, i);
                else if (daily)
                        fputs("<td></td>", f);
                write_hosts_cell(f, d->error_hosts, i);
                write_permalink_cell(f, ids[i].s);
                fputs("</tr>\n", f);
        }
        write_error_table_foot(f, d, windows, daily, max, sums);
        return write_tail(f);
}

static void write_user_table_head(FILE *f, const struct report_data *d, bool windows) {
        fputs("<div class=\"scroll\"><table id=\"user-table\" class=\"data\" data-sortable "
              "data-filter=\"Filter users\">\n<caption class=\"vh\">Events per user</caption>\n<thead>",
              f);
        if (windows)
                fputs("<tr><th scope=\"col\" rowspan=\"2\" data-col=\"0\" aria-sort=\"ascending\">Username</th>"
                      "<th scope=\"colgroup\" colspan=\"2\">All time</th>"
                      "<th scope=\"colgroup\" colspan=\"2\">Last 24 h</th>"
                      "<th scope=\"colgroup\" colspan=\"2\">Last 7 days</th>",
                      f);
        if (windows && d->user_hosts)
                fputs("<th scope=\"col\" rowspan=\"2\" data-col=\"7\">Hosts</th>", f);
        if (windows)
                fputs("<th scope=\"col\" rowspan=\"2\" class=\"pl\"><span class=\"vh\">Link</span></th></tr>\n<tr>"
                      "<th scope=\"col\" class=\"n\" data-col=\"1\">INFO</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"2\">ERROR</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"3\">INFO</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"4\">ERROR</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"5\">INFO</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"6\">ERROR</th></tr>",
                      f);
        else {
                fputs("<tr><th scope=\"col\" data-col=\"0\" aria-sort=\"ascending\">Username</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"1\">INFO</th>"
                      "<th scope=\"col\" class=\"n\" data-col=\"2\">ERROR</th>",
                      f);
                if (d->user_hosts)
                        fputs("<th scope=\"col\" data-col=\"3\">Hosts</th>", f);
                fputs("<th scope=\"col\" class=\"pl\"><span class=\"vh\">Link</span></th></tr>", f);
        }
        fputs("</thead>\n<tbody>\n", f);
}

/* The "(other)" row, if any, and the totals; sums: of the windows' columns,
 * [last 24 h, last 7 days][STATS_INFO, STATS_ERROR]. */
static void write_user_table_foot(FILE *f, const struct report_data *d, bool windows, const uint64_t sums[2][2]) {
        const struct report_other *other = &d->other_users;

        fputs("</tbody>\n<tfoot>\n", f);
        if (report_other_present(other)) {
                fputs("<tr id=\"other\" class=\"other\"><td>", f);
                write_other_label(f, "users");
                fputs("</td>", f);
                write_count_cell(f, other->count[STATS_INFO]);
                write_count_cell(f, other->count[STATS_ERROR]);
                if (windows)
                        fputs("<td></td><td></td><td></td><td></td>", f);
                if (d->user_hosts)
                        fputs("<td></td>", f);
                write_permalink_cell(f, "other");
                fputs("</tr>\n", f);
        }
        fputs("<tr><th scope=\"row\">Total</th>", f);
        write_count_cell(f, d->totals.info);
        write_count_cell(f, d->totals.error);
        if (windows && !report_other_present(other))
                for (unsigned w = 0; w < 2; w++) {
                        write_count_cell(f, sums[w][STATS_INFO]);
                        write_count_cell(f, sums[w][STATS_ERROR]);
                }
        else if (windows)
                fputs("<td></td><td></td><td></td><td></td>", f);
        if (d->user_hosts)
                fputs("<td></td>", f);
        fputs("<td></td></tr>\n</tfoot>\n</table></div>\n", f);
}

int report_html_write_users(FILE *f, const struct report_data *d) {
        bool others = report_other_present(&d->other_users), windows = d->user_windows;
        uint64_t sums[2][2] = { { 0 } };

        write_head(f, d, PAGE_USERS);
        fputs("<div class=\"bar\" id=\"user-table-tools\"><p class=\"sum\">", f);
        write_count(f, d->n_users);
        fputs(d->n_users == 1 ? " user" : " users", f);
        fputs(others ? " and others" : "", f);
        fputs(" with their INFO and ERROR events, by username.</p></div>\n", f);
        if (others)
                write_cap_note(f, d->n_users, "user", "users");
        if (d->n_users == 0)
                fputs("<p>No events counted yet.</p>\n", f);
        write_user_table_head(f, d, windows);
        for (size_t i = 0; i < d->n_users; i++) {
                const struct counter_row *u = d->users[i];

                fputs("<tr id=\"", f);
                write_user_id(f, u);
                fputc('"', f);
                write_hosts_attribute(f, d->user_hosts, i);
                fputc('>', f);
                write_key_cell(f, u);
                write_count_cell(f, u->count[STATS_INFO]);
                write_count_cell(f, u->count[STATS_ERROR]);
                if (windows) {
                        const struct report_window *w = &d->user_windows[i];
                        for (unsigned c = 0; c < 2; c++) {
                                sums[0][c] += w->last_24h[c];
                                sums[1][c] += w->last_7d[c];
                        }
                        write_count_cell(f, w->last_24h[STATS_INFO]);
                        write_count_cell(f, w->last_24h[STATS_ERROR]);
                        write_count_cell(f, w->last_7d[STATS_INFO]);
                        write_count_cell(f, w->last_7d[STATS_ERROR]);
                }
                write_hosts_cell(f, d->user_hosts, i);
                fputs("<td><a href=\"#", f);
                write_user_id(f, u);
                fputs("\">#</a></td></tr>\n", f);
        }
        write_user_table_foot(f, d, windows, (const uint64_t(*)[2]) sums);
        return write_tail(f);
}

/* more: some keys beyond a cap are not in v. */
static void write_card(FILE *f, const char *label, const char *id, uint64_t v, bool more) {
        fprintf(f, "<div><dt>%s</dt><dd id=\"%s\" data-value=\"%" PRIu64 "\">%" PRIu64, label, id, v, v);
        fputs(more ? "<small> and more</small></dd></div>\n" : "</dd></div>\n", f);
}

static uint64_t chart_height(uint64_t v, uint64_t max) {
        return (uint64_t) ((double) v * CHART_HEIGHT / (double) max + 0.5);
}

/* Events per day as stacked bars, ERROR at the bottom so that errors compare
 * across days; the numbers are in each bar's title and data-value, and in a
 * table below for those who cannot see the chart. */
static void write_chart(FILE *f, const struct report_data *d) {
        size_t slots = day_slot(d, d->n_days - 1) + 1, width = (slots > CHART_MIN_SLOTS ? slots : CHART_MIN_SLOTS);
        uint64_t max = 1, lead;
        char first[16], last[16];

        for (size_t i = 0; i < d->n_days; i++) {
                uint64_t t = d->day_totals[i][STATS_INFO] + d->day_totals[i][STATS_ERROR];
                if (t > max)
                        max = t;
        }
        format_day(first, d->days[0]);
        format_day(last, d->days[d->n_days - 1]);
        fputs("<h2 id=\"per-day\">Events per day</h2>\n<figure class=\"chart\">\n"
              "<figcaption class=\"key\">",
              f);
        write_count(f, d->n_days);
        fprintf(f, " %s from %s to %s<i class=\"i\"></i>INFO<i class=\"e\"></i>ERROR</figcaption>\n",
                d->n_days == 1 ? "day" : "days", first, last);
        fputs("<div class=\"plot\"><span class=\"ymax\">", f);
        write_count(f, max);
        fprintf(f,
                "</span>\n<svg viewBox=\"0 0 %zu %d\" preserveAspectRatio=\"none\" role=\"img\" "
                "aria-label=\"Stacked bars of INFO and ERROR events per day; the table below has the numbers\">\n",
                width * CHART_SLOT, CHART_HEIGHT);
        for (size_t i = 0; i < d->n_days; i++) {
                uint64_t info = d->day_totals[i][STATS_INFO], error = d->day_totals[i][STATS_ERROR];
                uint64_t he = chart_height(error, max), ht = chart_height(info + error, max);
                size_t x = (width - slots + day_slot(d, i)) * CHART_SLOT + (CHART_SLOT - CHART_BAR) / 2;
                char day[16];

                fprintf(f, "<g><title>%s: ", format_day(day, d->days[i]));
                write_count(f, info);
                fputs(" INFO, ", f);
                write_count(f, error);
                fprintf(f,
                        " ERROR</title><rect class=\"e\" x=\"%zu\" y=\"%" PRIu64 "\" width=\"%d\" height=\"%" PRIu64
                        "\" data-value=\"%" PRIu64 "\"/><rect class=\"i\" x=\"%zu\" y=\"%" PRIu64
                        "\" width=\"%d\" height=\"%" PRIu64 "\" data-value=\"%" PRIu64 "\"/></g>\n",
                        x, CHART_HEIGHT - he, CHART_BAR, he, error, x, CHART_HEIGHT - ht, CHART_BAR, ht - he, info);
        }
        /* the first date under the first bar, which is right-aligned */
        lead = permille(width - slots, width);
        fprintf(f,
                "</svg></div>\n<div class=\"xaxis\" style=\"padding-left:%" PRIu64 ".%" PRIu64
                "%%\"><span>%s</span><span>%s</span></div>\n</figure>\n",
                lead / 10, lead % 10, first, last);
        fputs("<details><summary>The numbers per day</summary>\n<table class=\"days\">\n<thead><tr>"
              "<th scope=\"col\">Day</th><th scope=\"col\" class=\"n\">INFO</th><th scope=\"col\" class=\"n\">ERROR"
              "</th></tr></thead>\n<tbody>\n",
              f);
        for (size_t i = 0; i < d->n_days; i++) {
                char day[16];
                fprintf(f, "<tr><td>%s</td>", format_day(day, d->days[i]));
                write_count_cell(f, d->day_totals[i][STATS_INFO]);
                write_count_cell(f, d->day_totals[i][STATS_ERROR]);
                fputs("</tr>\n", f);
        }
        fputs("</tbody>\n</table>\n</details>\n", f);
}

static int write_top_errors(FILE *f, const struct report_data *d) {
        _cleanup_free_ struct error_id *ids = NULL;
        size_t n = d->n_errors < TOP_ERRORS ? d->n_errors : TOP_ERRORS;
        int r;

        if (n == 0)
                return 0;
        r = error_ids_new(d, &ids);
        if (r < 0)
                return r;
        fputs("<h2>Most common errors</h2>\n<table class=\"top5\">\n<thead><tr><th scope=\"col\">Error</th>"
              "<th scope=\"col\" class=\"n\">Count</th><th scope=\"col\" class=\"n\">Share</th></tr></thead>\n"
              "<tbody>\n",
              f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "<tr><td><a href=\"error_message.html#%s\">", ids[i].s);
                write_key(f, d->errors[i]);
                fputs("</a></td>", f);
                write_count_cell(f, d->errors[i]->count[0]);
                write_share_cell(f, d->errors[i]->count[0], d->totals.error, d->errors[0]->count[0], true);
                fputs("</tr>\n", f);
        }
        fputs("</tbody>\n</table>\n<p><a href=\"error_message.html\">All ", f);
        write_count(f, d->n_errors);
        fputs(report_other_present(&d->other_errors) ? " error messages and the others</a></p>\n"
                                                     : " error messages</a></p>\n",
              f);
        return 0;
}

/* The hosts of a collector's journal, with their events. */
static void write_hosts(FILE *f, const struct report_data *d) {
        fputs("<h2>Hosts</h2>\n<div class=\"scroll\"><table id=\"host-table\" class=\"data\" data-sortable "
              "data-filter=\"Filter hosts\">\n<caption class=\"vh\">Events per host</caption>\n"
              "<thead><tr><th scope=\"col\" data-col=\"0\" aria-sort=\"ascending\">Host</th>"
              "<th scope=\"col\" class=\"n\" data-col=\"1\">INFO</th>"
              "<th scope=\"col\" class=\"n\" data-col=\"2\">ERROR</th></tr></thead>\n<tbody>\n",
              f);
        for (size_t i = 0; i < d->n_hosts; i++) {
                fputs("<tr>", f);
                write_key_cell(f, d->hosts[i]);
                write_count_cell(f, d->hosts[i]->count[STATS_INFO]);
                write_count_cell(f, d->hosts[i]->count[STATS_ERROR]);
                fputs("</tr>\n", f);
        }
        fputs("</tbody>\n</table></div>\n", f);
}

int report_html_write_index(FILE *f, const struct report_data *d) {
        const struct stats_totals *s = &d->totals;
        int r;

        write_head(f, d, PAGE_INDEX);
        fputs("<dl class=\"cards\">\n", f);
        write_card(f, "Events counted", "events", s->info + s->error, false);
        write_card(f, "INFO", "info", s->info, false);
        write_card(f, "ERROR", "error", s->error, false);
        write_card(f, "Users", "users", d->n_users, report_other_present(&d->other_users));
        write_card(f, "Distinct errors", "errors", d->n_errors, report_other_present(&d->other_errors));
        write_card(f, "Unparsed entries", "unparsed", s->unparsed, false);
        fputs("<div class=\"wide\"><dt>Last update</dt><dd id=\"updated\">", f);
        write_time(f, d->updated);
        fputs("</dd></div>\n</dl>\n", f);
        if (report_other_present(&d->other_errors))
                fputs("<p class=\"warn\" role=\"note\"><strong>Cap reached:</strong> the error messages beyond the cap "
                      "are counted together in the row <a href=\"error_message.html#other\">(other "
                      "messages)</a>.</p>\n",
                      f);
        if (report_other_present(&d->other_users))
                fputs("<p class=\"warn\" role=\"note\"><strong>Cap reached:</strong> the users beyond the cap are "
                      "counted together in the row <a href=\"user_statistics.html#other\">(other users)</a>.</p>\n",
                      f);
        if (days_ascending(d))
                write_chart(f, d);
        r = write_top_errors(f, d);
        if (r < 0)
                return r;
        if (d->n_hosts > 0)
                write_hosts(f, d);
        fputs("<h2>Reports</h2>\n<ul>\n<li><a href=\"error_message.html\">Error ranking</a> "
              "(<a href=\"error_message.csv\">CSV</a>)</li>\n<li><a href=\"user_statistics.html\">Usage statistics</a> "
              "(<a href=\"user_statistics.csv\">CSV</a>)</li>\n</ul>\n",
              f);
        return write_tail(f);
}
