// SPDX-License-Identifier: MIT
/*
 * The report pages in headless Chromium, served over HTTP on 127.0.0.1 with
 * the Content-Security-Policy of etc/nginx/ticky-reportd.conf (by nginx with
 * the snippet itself when nginx is installed), so that the inline script only
 * runs when its hash in the snippet is right.
 *
 *   node test_pages.mjs --binary build/ticky-reportd [--screenshots DIR] [--keep] [--no-big]
 *                       [--nginx PATH | --no-nginx] [--python PATH]
 *
 * Page sets: "sample", written by ticky-reportd --once from generated journal
 * files with hostile messages over the last 12 days; "windows", the golden
 * pages with time windows, per-day counts and "(other)" rows
 * (tests/golden/*_windows.html, from the unit tests), also served as
 * "wrong-hash" with another hash in the policy; "capped", written by
 * ticky-reportd with caps of 20 users and 8 messages; "big", 10,000 users and
 * 1,000 error messages written by ticky-reportd, for page weight and render
 * time (skipped with --no-big).
 *
 * Checks: the script runs under the CSP (and is refused with a wrong hash);
 * rows equal the CSV; sorting by a click on a header (order and aria-sort
 * after one and two clicks); the filter box; bars and the chart drawn to
 * scale; permalinks; "(other)" rows; the pages with JavaScript off (complete,
 * no dead controls); print styles; time budgets. Screenshots in light and
 * dark at phone (390x844) and desktop (1280x900) widths go to --screenshots
 * DIR. Prints one line per check and "N passed, N failed".
 */

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const SNIPPET = path.join(REPO, "etc", "nginx", "ticky-reportd.conf");
const GOLDEN = path.join(REPO, "tests", "golden");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"];
const PAGES = ["index.html", "error_message.html", "user_statistics.html"];
const PHONE = { width: 390, height: 844 }, DESKTOP = { width: 1280, height: 900 };
/* Generous: a regression to quadratic work fails them, a busy machine does not. */
const BUDGET = { loadMs: 8000, sortMs: 6000, filterMs: 3000 };

const args = parseArgs(process.argv.slice(2));
let passed = 0, failed = 0;

function parseArgs(argv) {
  const a = { binary: null, screenshots: null, keep: false, big: true, python: "python3", nginx: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === "--binary") a.binary = path.resolve(argv[++i]);
    else if (v === "--screenshots") a.screenshots = path.resolve(argv[++i]);
    else if (v === "--python") a.python = argv[++i];
    else if (v === "--nginx") a.nginx = argv[++i];
    else if (v === "--keep") a.keep = true;
    else if (v === "--no-nginx") a.noNginx = true;
    else if (v === "--no-big") a.big = false;
    else {
      console.error("usage: node test_pages.mjs --binary PATH [--screenshots DIR] [--python PATH] "
        + "[--nginx PATH | --no-nginx] [--keep] [--no-big]");
      process.exit(2);
    }
  }
  if (!a.binary) {
    console.error("--binary is required");
    process.exit(2);
  }
  return a;
}

function say(message) {
  console.log("  " + message);
}

function check(condition, message, detail) {
  if (condition) {
    passed++;
    console.log("ok   " + message);
  } else {
    failed++;
    console.log("FAIL " + message + (detail === undefined ? "" : ": " + detail));
  }
  return condition;
}

function near(a, b, tolerance) {
  return Math.abs(a - b) <= tolerance;
}

/* HTML parsing turns CR and CRLF into LF. */
function newlines(s) {
  return s.replace(/\r\n?/g, "\n");
}

/* --------------------------------------------------------------------------
 * Page sets */

function makePages(root, name, ...options) {
  const out = path.join(root, name);
  const argv = [path.join(HERE, "make_pages.py"), "--binary", args.binary, "--out", out, ...options];
  const proc = spawnSync(args.python, argv, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (proc.status !== 0)
    throw new Error("make_pages.py " + name + " failed: " + proc.stderr + (proc.error || ""));
  const set = JSON.parse(proc.stdout);
  say(`${name}: ${set.errors.length - 1} error rows, ${set.users.length - 1} users `
    + `(journal ${set.generate_seconds} s, --once ${set.once_seconds} s)`);
  return { name, ...set };
}

function goldenPages(root) {
  const www = path.join(root, "windows", "www");
  fs.mkdirSync(www, { recursive: true });
  for (const page of PAGES)
    fs.copyFileSync(path.join(GOLDEN, page.replace(".html", "_windows.html")), path.join(www, page));
  return { name: "windows", www, title: "ticky <prod>" };
}

/* --------------------------------------------------------------------------
 * HTTP: nginx with the snippet, or a small server sending the same headers */

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

function listening(port) {
  return new Promise(resolve => {
    const c = net.connect(port, "127.0.0.1", () => {
      c.end();
      resolve(true);
    });
    c.on("error", () => resolve(false));
  });
}

async function waitFor(predicate, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise(r => setTimeout(r, 50));
  }
  return false;
}

function findNginx() {
  if (args.noNginx) return null;
  for (const p of [args.nginx, "/usr/sbin/nginx", "/usr/bin/nginx", "/sbin/nginx"])
    if (p && fs.existsSync(p)) return p;
  return null;
}

async function startNginx(nginx, root, sets) {
  const dir = path.join(root, "nginx");
  fs.mkdirSync(path.join(dir, "empty"), { recursive: true });
  const snippet = fs.readFileSync(SNIPPET, "utf8");
  if (!snippet.includes("root /var/www/html;"))
    throw new Error(SNIPPET + " has no 'root /var/www/html;' line");
  for (let attempt = 0; attempt < 5; attempt++) {
    const servers = [];
    for (const set of sets) {
      const port = await freePort();
      const inc = path.join(dir, set.name + ".conf");
      fs.writeFileSync(inc, (set.snippet || (t => t))(snippet).replace("root /var/www/html;", `root ${set.www};`));
      servers.push({ set, port, conf: `server { listen 127.0.0.1:${port}; server_name localhost; `
        + `root ${dir}/empty; include ${inc}; }` });
    }
    const conf = path.join(dir, "nginx.conf");
    fs.writeFileSync(conf, `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\n`
      + `error_log ${dir}/error.log warn;\nevents { worker_connections 64; }\nhttp {\n`
      + `  types { text/html html; text/csv csv; }\n  access_log off;\n`
      + ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .map(t => `  ${t}_temp_path ${dir}/${t};\n`).join("")
      + servers.map(s => "  " + s.conf + "\n").join("") + "}\n");
    const proc = spawn(nginx, ["-p", dir, "-e", path.join(dir, "error.log"), "-c", conf],
      { stdio: ["ignore", "ignore", "pipe"] });
    let exited = false;
    proc.on("exit", () => { exited = true; });
    const up = await waitFor(async () => exited || (await Promise.all(servers.map(s => listening(s.port))))
      .every(Boolean), 10000);
    if (up && !exited) {
      for (const s of servers) s.set.base = `http://127.0.0.1:${s.port}/`;
      return { kind: "nginx with etc/nginx/ticky-reportd.conf", stop: () => proc.kill("SIGTERM") };
    }
    proc.kill("SIGKILL");
  }
  throw new Error("nginx did not start: " + fs.readFileSync(path.join(dir, "error.log"), "utf8").slice(-2000));
}

/* Without nginx: the same Content-Security-Policy and nosniff headers, read
 * from the snippet, so the script is still held to its hash. */
async function startNodeServer(sets) {
  const snippet = fs.readFileSync(SNIPPET, "utf8");
  const servers = [];
  for (const set of sets) {
    const csp = /add_header\s+Content-Security-Policy\s+"([^"]*)"/.exec((set.snippet || (t => t))(snippet))[1];
    const server = http.createServer((req, res) => {
      const name = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\//, "") || "index.html";
      if (!/^(index|error_message|user_statistics)\.(html|csv)$/.test(name)) {
        res.writeHead(404).end();
        return;
      }
      fs.readFile(path.join(set.www, name), (err, data) => {
        if (err) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, {
          "Content-Type": (name.endsWith(".html") ? "text/html" : "text/csv") + "; charset=utf-8",
          "Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache",
        });
        res.end(data);
      });
    });
    await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
    set.base = `http://127.0.0.1:${server.address().port}/`;
    servers.push(server);
  }
  return { kind: "a Node.js server with the snippet's headers (no nginx)",
    stop: () => servers.forEach(s => s.close()) };
}

/* --------------------------------------------------------------------------
 * Reading pages */

/* Watches a page for CSP violations and script errors. */
function watch(page) {
  const problems = [];
  page.on("console", m => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", e => problems.push(String(e)));
  return problems;
}

async function open(context, url) {
  const page = await context.newPage();
  const problems = watch(page);
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, problems, response };
}

async function tableRows(page, table) {
  return page.$$eval(`#${table} tbody tr`, trs => trs.map(tr => {
    const counts = Array.from(tr.cells).filter(c => c.hasAttribute("data-value"));
    const last = tr.cells[tr.cells.length - 1], link = last.querySelector("a");
    return {
      id: tr.id,
      key: tr.cells[0].textContent,
      values: counts.map(c => c.dataset.value),
      shown: counts.map(c => c.textContent),
      link: link ? link.getAttribute("href") : null,
      linkText: last.textContent,
      visible: tr.getClientRects().length > 0,
    };
  }));
}

async function sortState(page, table) {
  return page.$$eval(`#${table} th[data-col]`, ths => ths.map(th => ({
    col: th.dataset.col, label: th.textContent.trim(), sort: th.getAttribute("aria-sort"),
    button: !!th.querySelector("button"),
  })));
}

/* The sort state of the header of column col (headers are not in column
 * order when a two-row header has a column spanning both rows). */
function sortOf(state, col) {
  return state.find(s => s.col === String(col)).sort;
}

async function clickHeader(page, table, col) {
  await page.click(`#${table} th[data-col="${col}"] button`);
}

/* The rows as the CSV has them, for comparison with the DOM. */
/* Controls, bidirectional controls and invisible characters, which the
 * pages show as "\u2039U+XXXX\u203a" (src/report/report_html.c). */
const HIDDEN = [[0x00, 0x08], [0x0B, 0x1F], [0x7F, 0x9F], [0xAD, 0xAD], [0x34F, 0x34F], [0x61C, 0x61C],
  [0x115F, 0x1160], [0x180E, 0x180E], [0x200B, 0x200F], [0x202A, 0x202E], [0x2060, 0x2069], [0x3164, 0x3164],
  [0xFEFF, 0xFEFF], [0xFFA0, 0xFFA0]];

function shown(s) {
  return [...s].map(c => {
    const cp = c.codePointAt(0);
    return HIDDEN.some(([a, b]) => cp >= a && cp <= b)
      ? `\u2039U+${cp.toString(16).toUpperCase().padStart(4, "0")}\u203a` : c;
  }).join("");
}

function csvRows(set, which) {
  return set[which].slice(1).map(r => [newlines(shown(r[0])), ...r.slice(1)]);
}

/* The order a stable sort gives: by value, ties in the original order. */
function sortedIndexes(values, dir, numeric) {
  const v = values.map(x => numeric ? Number(x) : x);
  return v.map((_, i) => i).sort((a, b) => v[a] < v[b] ? -dir : v[a] > v[b] ? dir : a - b);
}

/* --------------------------------------------------------------------------
 * Checks */

async function checkHttpAndScript(context, set, viaSnippet) {
  for (const name of PAGES) {
    const { page, problems, response } = await open(context, set.base + name);
    const csp = response.headers()["content-security-policy"] || "";
    const scriptSrc = (/(?:^|;)\s*script-src\s([^;]*)/.exec(csp) || [])[1] || "";
    check(/^\s*'sha256-[A-Za-z0-9+/=]+'\s*$/.test(scriptSrc) && /default-src 'none'/.test(csp),
      `${set.name}/${name}: served with default-src 'none' and a script-src of one hash, nothing else`, csp);
    check(problems.length === 0, `${set.name}/${name}: no CSP violation or script error`, problems.join(" | "));
    if (name !== "index.html") {
      const buttons = await page.$$eval("th button", b => b.length);
      const inputs = await page.$$eval(".tools input[type=search]", b => b.length);
      check(buttons > 0 && inputs === 1, `${set.name}/${name}: the script ran (${buttons} sort buttons, `
        + "a filter box)" + (viaSnippet ? ", so the snippet's hash is right" : ""));
    }
    const scripts = await page.$$eval("script", s => s.length);
    check(scripts === 1, `${set.name}/${name}: one script element`, scripts);
    const title = await page.title();
    check(title.includes(set.title), `${set.name}/${name}: the title has the configured title`, title);
    await page.close();
  }
}

/* A control: with another hash in the policy, the browser refuses the script,
 * so that "the script ran" above means the snippet's hash is the right one. */
async function checkBlockedWithoutHash(context, set) {
  const { page, problems } = await open(context, set.base + "error_message.html");
  const buttons = await page.$$eval("th button", b => b.length);
  const refused = problems.some(p => /Content Security Policy/i.test(p));
  check(buttons === 0 && refused && await page.$$eval("#error-table tbody tr", r => r.length) > 0,
    `${set.name}/error_message.html: with a wrong hash in script-src the script is refused, `
      + "the table still complete", `${buttons} buttons; ${problems.join(" | ").slice(0, 300)}`);
  await page.close();
}

async function checkRowsEqualCsv(context, set) {
  for (const [name, table, which] of [["error_message.html", "error-table", "errors"],
    ["user_statistics.html", "user-table", "users"]]) {
    const { page } = await open(context, set.base + name);
    const rows = await tableRows(page, table);
    const expected = csvRows(set, which);
    const width = set[which][0].length - 1;
    /* the CSV ends with the (other) row, which the page has at the end of the table, under the others */
    const other = await page.$$eval(`#${table} tfoot tr#other td`, tds => tds.map(td => td.dataset.value || null));
    if (other.length) {
      const last = expected.pop();
      check(last && last[0] === "(other)" && JSON.stringify(other.slice(1, 1 + width)) === JSON.stringify(last.slice(1)),
        `${set.name}/${name}: the (other) row has the counts of the CSV's`, JSON.stringify([other, last]));
    }
    const shown = rows.map(r => [newlines(r.key), ...r.values.slice(0, width)]);
    const firstDiff = shown.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(expected[i]));
    check(rows.length === expected.length && firstDiff < 0,
      `${set.name}/${name}: ${rows.length} rows, keys and counts equal the CSV, in order`,
      firstDiff >= 0 ? `row ${firstDiff}: ${JSON.stringify(shown[firstDiff]).slice(0, 200)} vs `
        + `${JSON.stringify(expected[firstDiff]).slice(0, 200)}` : `${rows.length} vs ${expected.length}`);
    const badFormat = rows.flatMap(r => r.values.map((v, i) => [v, r.shown[i]]))
      .filter(([v, s]) => s !== BigInt(v).toLocaleString("en-US"));
    check(badFormat.length === 0, `${set.name}/${name}: counts shown with thousands separators, `
      + "raw in data-value", JSON.stringify(badFormat.slice(0, 3)));
    const ids = new Set(rows.map(r => r.id));
    const validIds = rows.every(r => /^[A-Za-z0-9._~-]+$/.test(r.id));
    const links = rows.every(r => r.link === "#" + r.id && r.linkText === "#");
    check(ids.size === rows.length && validIds && links,
      `${set.name}/${name}: every row has a unique, valid id and a visible # permalink to it`);
    await page.close();
  }
}

async function checkSorting(context, set) {
  const { page, problems } = await open(context, set.base + "user_statistics.html");
  const before = await tableRows(page, "user-table");
  const keysOf = rows => rows.map(r => r.key);
  const keys = keysOf(before);
  let state = await sortState(page, "user-table");
  check(sortOf(state, 0) === "ascending" && state.filter(s => s.sort).length === 1,
    `${set.name}/users: sorted by username at first (aria-sort="ascending")`, JSON.stringify(state));

  /* INFO: descending at the first click, ascending at the second; ties stay
   * in username order */
  const info = before.map(r => r.values[0]);
  for (const [click, dir, word] of [[1, -1, "descending"], [2, 1, "ascending"]]) {
    await clickHeader(page, "user-table", 1);
    const rows = await tableRows(page, "user-table");
    const want = sortedIndexes(info, dir, true).map(i => keys[i]);
    const got = keysOf(rows);
    const monotonic = rows.every((r, i) => i === 0
      || (dir < 0 ? Number(rows[i - 1].values[0]) >= Number(r.values[0])
        : Number(rows[i - 1].values[0]) <= Number(r.values[0])));
    const tiesInOrder = rows.every((r, i) => i === 0 || rows[i - 1].values[0] !== r.values[0]
      || keys.indexOf(rows[i - 1].key) < keys.indexOf(r.key));
    state = await sortState(page, "user-table");
    check(JSON.stringify(got) === JSON.stringify(want) && monotonic && tiesInOrder
      && sortOf(state, 1) === word && state.filter(s => s.sort).length === 1,
    `${set.name}/users: click ${click} on INFO sorts ${word} (ties by username), aria-sort="${word}"`,
    `first rows ${JSON.stringify(got.slice(0, 5))}, state ${JSON.stringify(state)}`);
  }
  /* Username: ascending (text starts ascending), then descending */
  for (const [dir, word] of [[1, "ascending"], [-1, "descending"]]) {
    await clickHeader(page, "user-table", 0);
    const got = keysOf(await tableRows(page, "user-table"));
    const want = dir > 0 ? keys : keys.slice().reverse();
    state = await sortState(page, "user-table");
    check(JSON.stringify(got) === JSON.stringify(want) && sortOf(state, 0) === word,
      `${set.name}/users: a click on Username sorts ${word}`, JSON.stringify(got.slice(0, 5)));
  }
  check(problems.length === 0, `${set.name}/users: no script error while sorting`, problems.join(" | "));
  await page.close();

  const e = await open(context, set.base + "error_message.html");
  const errs = await tableRows(e.page, "error-table");
  const messages = keysOf(errs);
  state = await sortState(e.page, "error-table");
  check(sortOf(state, 1) === "descending", `${set.name}/errors: sorted by count at first (aria-sort="descending")`);
  for (const [dir, word] of [[1, "ascending"], [-1, "descending"]]) {
    await clickHeader(e.page, "error-table", 0);
    const got = keysOf(await tableRows(e.page, "error-table"));
    const want = sortedIndexes(messages, dir, false).map(i => messages[i]);
    const ordered = got.every((m, i) => i === 0 || (dir > 0 ? got[i - 1] <= m : got[i - 1] >= m));
    state = await sortState(e.page, "error-table");
    check(JSON.stringify(got) === JSON.stringify(want) && ordered && sortOf(state, 0) === word,
      `${set.name}/errors: click ${dir > 0 ? 1 : 2} on Error sorts the messages ${word}`,
      JSON.stringify(got.slice(0, 3)));
  }
  for (const [dir, word] of [[-1, "descending"], [1, "ascending"]]) {
    await clickHeader(e.page, "error-table", 1);
    const got = keysOf(await tableRows(e.page, "error-table"));
    const want = dir < 0 ? messages : sortedIndexes(errs.map(r => r.values[0]), 1, true).map(i => messages[i]);
    state = await sortState(e.page, "error-table");
    check(JSON.stringify(got) === JSON.stringify(want) && sortOf(state, 1) === word,
      `${set.name}/errors: a click on Count sorts ${word}${dir < 0 ? " (the page's own order again)" : ""}`);
  }
  await e.page.close();
}

/* The most frequent three-letter start of a key that is not everyone's, in
 * upper case: a query that finds several rows, but not all, only if the
 * filter ignores case. */
function commonPrefix(keys) {
  const counts = new Map();
  for (const k of keys) {
    const p = k.slice(0, 3).toLowerCase();
    if (/^[a-z]{3}$/.test(p)) counts.set(p, (counts.get(p) || 0) + 1);
  }
  const best = [...counts].filter(([, n]) => n < keys.length).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return best.length ? best[0][0].toUpperCase() : keys[0].slice(0, 3).toUpperCase();
}

async function checkFilter(context, set) {
  for (const [name, table, pick] of [
    ["user_statistics.html", "user-table", commonPrefix],
    ["error_message.html", "error-table", () => "TIMEOUT"],
    ["error_message.html", "error-table", () => "<script>"]]) {
    const { page } = await open(context, set.base + name);
    const rows = await tableRows(page, table);
    const keys = rows.map(r => r.key);
    const query = pick(keys);
    const want = keys.filter(k => k.toLowerCase().includes(query.toLowerCase()));
    await page.fill(`#${table}-filter`, query);
    await page.waitForFunction(t => !!document.querySelector(`#${t}-filter + output`).value, table);
    const after = await tableRows(page, table);
    const visible = after.filter(r => r.visible).map(r => r.key);
    const output = await page.$eval(`#${table}-filter + output`, o => o.value);
    check(JSON.stringify(visible) === JSON.stringify(want) && want.length > 0 && want.length < keys.length
      && output === `${want.length.toLocaleString("en-US")} of ${keys.length.toLocaleString("en-US")} shown`,
    `${set.name}/${name}: filter ${JSON.stringify(query)} shows the ${want.length} of ${keys.length} rows `
      + "that contain it, case-insensitively", `${visible.length} visible, output "${output}"`);
    await page.fill(`#${table}-filter`, "");
    await page.waitForFunction(t => document.querySelector(`#${t}-filter + output`).value === "", table);
    const cleared = (await tableRows(page, table)).filter(r => r.visible).length;
    check(cleared === keys.length, `${set.name}/${name}: clearing the filter shows every row again`);
    await page.close();
  }
}

async function checkBars(context, set) {
  const { page } = await open(context, set.base + "error_message.html");
  const bars = await page.$$eval("#error-table tbody tr", trs => trs.map(tr => {
    const track = tr.querySelector(".sh span"), bar = track && track.firstElementChild;
    return { count: Number(tr.cells[1].dataset.value), share: tr.querySelector(".sh").textContent,
      w: bar ? bar.getBoundingClientRect().width : -1, track: track ? track.getBoundingClientRect().width : -1 };
  }));
  const total = await page.$eval("#error-table tfoot tr:last-child td[data-value]", td => Number(td.dataset.value));
  const max = Math.max(...bars.map(b => b.count));
  const wrong = bars.filter(b => b.track <= 0
    || !near(b.w, Math.max(1, b.track * b.count / max), 1));
  check(bars.length > 0 && wrong.length === 0,
    `${set.name}/errors: ${bars.length} bars, each as long as its count relative to the largest (±1 px)`,
    JSON.stringify(wrong.slice(0, 3)));
  const badShare = bars.filter(b => {
    const p = Math.round(b.count * 1000 / total) / 10;
    return b.share !== (p === 0 ? "<0.1%" : p.toFixed(1) + "%");
  });
  check(badShare.length === 0, `${set.name}/errors: each bar's label is its share of all ${total} errors`,
    JSON.stringify(badShare.slice(0, 3)));
  await page.close();
}

async function checkChart(context, set, exact) {
  const { page } = await open(context, set.base + "index.html");
  const chart = await page.$(".plot svg");
  if (!chart) {
    check(!exact, `${set.name}/index: no chart (no per-day counts in these pages)`);
    await page.close();
    return;
  }
  const days = await page.$$eval(".plot svg g", gs => gs.map(g => {
    const r = cls => g.querySelector("rect." + cls);
    const box = el => el.getBoundingClientRect();
    return { title: g.querySelector("title").textContent,
      info: Number(r("i").dataset.value), error: Number(r("e").dataset.value),
      hi: box(r("i")).height, he: box(r("e")).height, ti: box(r("i")).bottom, te: box(r("e")).top,
      bottom: box(r("e")).bottom, x: box(r("e")).left };
  }));
  const plot = await chart.boundingBox();
  const max = Math.max(...days.map(d => d.info + d.error));
  const bad = days.filter(d => !near(d.he, d.error * plot.height / max, 1.5)
    || !near(d.hi + d.he, (d.info + d.error) * plot.height / max, 1.5)
    || !near(d.ti, d.te, 0.5) || !near(d.bottom, plot.y + plot.height, 0.5)
    || !d.title.includes(`${d.info.toLocaleString("en-US")} INFO, ${d.error.toLocaleString("en-US")} ERROR`));
  const leftToRight = days.every((d, i) => i === 0 || d.x > days[i - 1].x);
  check(days.length > 0 && bad.length === 0 && leftToRight,
    `${set.name}/index: ${days.length} days drawn as stacked bars to scale (ERROR below INFO, ±1.5 px), `
      + "oldest at the left", JSON.stringify(bad.slice(0, 2)));
  const table = await page.$$eval("details table tbody tr", trs => trs.map(tr =>
    [Number(tr.cells[1].dataset.value), Number(tr.cells[2].dataset.value)]));
  check(JSON.stringify(table) === JSON.stringify(days.map(d => [d.info, d.error])),
    `${set.name}/index: the table of numbers per day has the chart's numbers`);
  if (set.users && exact) {
    const info = set.users.slice(1).reduce((a, r) => a + Number(r[1]), 0);
    const error = set.users.slice(1).reduce((a, r) => a + Number(r[2]), 0);
    const sums = days.reduce((a, d) => [a[0] + d.info, a[1] + d.error], [0, 0]);
    check(sums[0] === info && sums[1] === error,
      `${set.name}/index: the days add up to the totals of the CSV (every event is recent)`,
      `${sums} vs ${info},${error}`);
  }
  await page.close();
}

async function checkSparklines(context, set) {
  const { page } = await open(context, set.base + "error_message.html");
  const lines = await page.$$eval("#error-table tbody tr", trs => trs.map(tr => {
    const svg = tr.querySelector(".sp svg"), line = svg && svg.querySelector("polyline");
    if (!line) return null;
    const s = svg.getBoundingClientRect(), l = line.getBoundingClientRect();
    return { points: line.points.length, inside: l.left >= s.left - 1 && l.right <= s.right + 1
      && l.top >= s.top - 1 && l.bottom <= s.bottom + 1, w: s.width, h: s.height };
  }));
  check(lines.length > 0 && lines.every(l => l && l.points >= 2 && l.inside && l.w > 40 && l.h > 10),
    `${set.name}/errors: a sparkline per error, inside its cell`, JSON.stringify(lines.slice(0, 3)));
  const head = await page.$$eval("#error-table thead th", ths => ths.map(t => t.textContent.trim()));
  check(head.includes("Last 24 h") && head.includes("Last 7 days") && head.includes("Per day"),
    `${set.name}/errors: columns for the last 24 h, the last 7 days and per day`, JSON.stringify(head));
  await page.close();
}

async function checkOther(context, set) {
  for (const [name, table] of [["error_message.html", "error-table"], ["user_statistics.html", "user-table"]]) {
    const { page } = await open(context, set.base + name);
    const last = await page.$$eval(`#${table} tfoot tr`, trs => trs.map(tr => tr.cells[0].textContent));
    const note = await page.$eval(".warn", n => ({ text: n.textContent, visible: n.getClientRects().length > 0 }))
      .catch(() => null);
    check(last.length === 2 && /^\(other[: ]/.test(last[0]) && last[1] === "Total" && note && note.visible
      && note.text.includes("Cap reached"),
    `${set.name}/${name}: the (other) row ends the table, under a visible note that the cap was reached`,
    JSON.stringify({ last, note }));
    /* sorting leaves it at the end */
    await clickHeader(page, table, 1);
    const stillLast = await page.$$eval(`#${table} tr`, trs => trs[trs.length - 2].cells[0].textContent);
    check(/^\(other/.test(stillLast), `${set.name}/${name}: the (other) row stays last when sorted`);
    await page.close();
  }
}

async function checkPermalinks(context, set) {
  const { page } = await open(context, set.base + "user_statistics.html");
  const rows = await tableRows(page, "user-table");
  const pick = rows.find(r => r.id.includes("~")) || rows[rows.length - 1];
  await page.close();
  const { page: target } = await open(context, set.base + "user_statistics.html#" + pick.id);
  const found = await target.evaluate(() => {
    const t = document.querySelector(":target");
    return t && t.cells ? t.cells[0].textContent : null;
  });
  check(found === pick.key, `${set.name}/users: the permalink #${pick.id} finds the row of ${JSON.stringify(pick.key)}`,
    found);
  await target.close();
}

async function checkWithoutJavaScript(browser, set, exact) {
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  for (const name of PAGES) {
    const { page } = await open(context, set.base + name);
    const controls = await page.$$eval("button, input, select, textarea", c => c.length);
    const sorted = await page.$$eval("th[aria-sort]", t => t.length);
    check(controls === 0, `${set.name}/${name} without JavaScript: no controls that would do nothing`);
    if (name !== "index.html") {
      const table = name === "error_message.html" ? "error-table" : "user-table";
      const rows = await tableRows(page, table);
      const want = set[name === "error_message.html" ? "errors" : "users"];
      check(rows.every(r => r.visible) && (!want || rows.length === want.length - 1) && sorted === 1,
        `${set.name}/${name} without JavaScript: all ${rows.length} rows shown, the order marked by aria-sort`);
    } else if (exact) {
      check(await page.$(".plot svg") !== null, `${set.name}/index without JavaScript: the chart is there`);
    }
    await page.close();
  }
  await context.close();
}

async function checkPrint(context, set) {
  const { page } = await open(context, set.base + "error_message.html");
  await page.emulateMedia({ media: "print", colorScheme: "dark" });
  const look = await page.evaluate(() => {
    const style = sel => {
      const el = document.querySelector(sel);
      return el ? getComputedStyle(el) : null;
    };
    return { bg: style("body").backgroundColor, fg: style("body").color, nav: style("nav").display,
      tools: style(".tools").display, link: style("#error-table tbody td:last-child").display,
      key: style("#error-table tbody td:first-child").whiteSpace };
  });
  check(look.bg === "rgb(255, 255, 255)" && look.fg === "rgb(0, 0, 0)" && look.nav === "none"
    && look.tools === "none" && look.link === "none" && look.key === "pre-wrap",
  `${set.name}/errors printed: black on white, no navigation, filter or permalinks, messages whole`,
  JSON.stringify(look));
  if (args.screenshots)
    await page.screenshot({ path: path.join(args.screenshots, `${set.name}-errors-print.png`), fullPage: true });
  await page.close();

  /* the users' two header rows keep every column but the permalinks */
  const users = await open(context, set.base + "user_statistics.html");
  await users.page.emulateMedia({ media: "print" });
  const columns = await users.page.evaluate(() => {
    const shown = el => getComputedStyle(el).display !== "none";
    return { head: Array.from(document.querySelectorAll("#user-table thead th")).filter(shown).length,
      cells: Array.from(document.querySelector("#user-table tbody tr").cells).filter(shown).length };
  });
  check(columns.head === 10 && columns.cells === 7,
    `${set.name}/users printed: the username, all six counts and their headers, no permalink`,
    JSON.stringify(columns));
  await users.page.close();
}

async function screenshots(browser, set) {
  for (const scheme of ["light", "dark"]) {
    for (const [device, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      const context = await browser.newContext({ viewport, colorScheme: scheme,
        deviceScaleFactor: 1, isMobile: device === "phone", hasTouch: device === "phone" });
      for (const name of PAGES) {
        const { page } = await open(context, set.base + name);
        const file = path.join(args.screenshots, `${set.name}-${name.replace(".html", "")}-${scheme}-${device}.png`);
        await page.screenshot({ path: file });
        if (device === "phone" && name !== "index.html") {
          /* scrolled sideways: the first column stays */
          await page.$eval(".scroll", el => { el.scrollLeft = el.scrollWidth; });
          await page.screenshot({ path: file.replace(".png", "-scrolled.png") });
        }
        await page.close();
      }
      await context.close();
    }
  }
  say(`screenshots of ${set.name} in ${args.screenshots}`);
}

async function measure(browser, set) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const report = [];
  for (const name of PAGES) {
    const bytes = fs.statSync(path.join(set.www, name)).size;
    const gzipped = zlib.gzipSync(fs.readFileSync(path.join(set.www, name)), { level: 1 }).length;
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const { page } = await open(context, set.base + name);
      /* settled: two frames after the load event, when the whole table has been laid out */
      runs.push(await page.evaluate(() => new Promise(resolve => requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          const n = performance.getEntriesByType("navigation")[0];
          const fcp = performance.getEntriesByName("first-contentful-paint")[0];
          resolve({ dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, settled: performance.now(),
            fcp: fcp ? fcp.startTime : null });
        })))));
      await page.close();
    }
    runs.sort((a, b) => a.settled - b.settled);
    const median = runs[1];
    report.push({ name, bytes, gzipped, ...median });
    check(median.settled < BUDGET.loadMs, `${set.name}/${name}: ${bytes.toLocaleString("en-US")} bytes `
      + `(${gzipped.toLocaleString("en-US")} gzipped); first paint ${median.fcp === null ? "n/a" : Math.round(median.fcp) + " ms"}, `
      + `DOMContentLoaded ${Math.round(median.dcl)} ms, load ${Math.round(median.load)} ms, laid out `
      + `${Math.round(median.settled)} ms (median of 3; budget ${BUDGET.loadMs} ms)`);
  }
  for (const [name, table] of [["user_statistics.html", "user-table"], ["error_message.html", "error-table"]]) {
    const { page } = await open(context, set.base + name);
    const sortMs = await page.evaluate(t => new Promise(resolve => {
      const start = performance.now();
      document.querySelector(`#${t} th[data-col="1"] button`).click();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)));
    }), table);
    const filterMs = await page.evaluate(t => new Promise(resolve => {
      const input = document.getElementById(t + "-filter"), start = performance.now();
      input.value = "a";
      input.dispatchEvent(new Event("input"));
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start))));
    }), table);
    const rows = await page.$$eval(`#${table} tbody tr`, t => t.length);
    check(sortMs < BUDGET.sortMs && filterMs < BUDGET.filterMs,
      `${set.name}/${name}: ${rows.toLocaleString("en-US")} rows sorted in ${Math.round(sortMs)} ms, `
      + `filtered in ${Math.round(filterMs)} ms`);
    await page.close();
  }
  await context.close();
  return report;
}

/* -------------------------------------------------------------------------- */

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ticky-browser-"));
  let server = null, browser = null;
  try {
    if (args.screenshots) fs.mkdirSync(args.screenshots, { recursive: true });
    const sets = [makePages(root, "sample"), goldenPages(root)];
    const blocked = { ...sets[1], name: "wrong-hash",
      snippet: t => t.replace(/'sha256-[A-Za-z0-9+/=]+'/, "'sha256-" + "A".repeat(43) + "='") };
    sets.push(blocked);
    const capped = makePages(root, "capped", "--caps");
    sets.push(capped);
    const big = args.big ? makePages(root, "big", "--big") : null;
    if (big) sets.push(big);
    const [sample, windows] = sets;
    const nginx = findNginx();
    server = nginx ? await startNginx(nginx, root, sets) : await startNodeServer(sets);
    say("served by " + server.kind);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: DESKTOP });

    await checkHttpAndScript(context, sample, !!nginx);
    await checkRowsEqualCsv(context, sample);
    await checkSorting(context, sample);
    await checkFilter(context, sample);
    await checkBars(context, sample);
    await checkChart(context, sample, false);
    await checkPermalinks(context, sample);
    await checkWithoutJavaScript(browser, sample, false);

    await checkHttpAndScript(context, windows, !!nginx);
    await checkBlockedWithoutHash(context, blocked);
    await checkChart(context, windows, true);
    await checkSparklines(context, windows);
    await checkBars(context, windows);
    await checkOther(context, windows);
    await checkWithoutJavaScript(browser, windows, true);
    await checkPrint(context, windows);

    await checkRowsEqualCsv(context, capped);
    await checkOther(context, capped);
    await context.close();

    if (args.screenshots) {
      await screenshots(browser, sample);
      await screenshots(browser, windows);
    }
    if (big) {
      const report = await measure(browser, big);
      say("page weight and load time, 10,000 users and 1,000 error messages: "
        + report.map(r => `${r.name} ${r.bytes} B (${r.gzipped} B gzip) ${Math.round(r.settled)} ms`).join("; "));
    }
  } finally {
    if (browser) await browser.close();
    if (server) server.stop();
    if (args.keep) say("kept " + root);
    else fs.rmSync(root, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  failed++;
  console.log("FAIL " + (e && e.stack || e));
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
