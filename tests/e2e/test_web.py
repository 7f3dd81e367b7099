# SPDX-License-Identifier: MIT
"""The pages through nginx and a real browser.

nginx on 127.0.0.1 serves the output of ``--once`` over a generated,
hostile journal (with etc/nginx/ticky-reportd.conf, as an operator would
include it); every report is checked over HTTP (status, Content-Type,
body), headless Chromium renders the pages and the table rows of its DOM
must equal the CSV rows (the key and, in the columns' order, the raw counts
of their data-value), the pages' one inline script must have run under
the snippet's Content-Security-Policy (it adds the sort buttons), and
screenshots are taken. tests/browser/ tests the pages' behaviour in depth.
"""

import gzip
import html.parser
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request

import e2e
from e2e import check, common, say

REPO = os.path.dirname(os.path.dirname(e2e.HERE))
SNIPPET = os.path.join(REPO, "etc", "nginx", "ticky-reportd.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CHROMIUM = "/usr/bin/chromium"
WEB_USER = "www-data"
TITLE = "ticky <web> & 'co'"

CONTENT_TYPES = {".html": "text/html", ".csv": "text/csv"}
SHOTS = (("index", "index.html", "1280,900", ()),
         ("errors", "error_message.html", "1280,900", ()),
         ("users", "user_statistics.html", "1280,900", ()),
         ("errors-dark", "error_message.html", "1280,900",
          ("--blink-settings=preferredColorScheme=0", "--force-dark-mode")),
         ("errors-narrow", "error_message.html", "390,844", ()))

# fallback when the repository has no nginx snippet: the reports, UTF-8
FALLBACK_LOCATIONS = """
location ~ ^/((index|error_message|user_statistics)\\.(html|csv))?$ {
        root %(www)s;
        index index.html;
        types { text/html html; text/csv csv; }
        charset utf-8;
        charset_types text/html text/csv;
}
location ~ /\\. {
        deny all;
}
"""

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 64; }
http {
        include /etc/nginx/mime.types;
        default_type application/octet-stream;
        access_log %(dir)s/access.log;
        client_body_temp_path %(dir)s/client_body;
        proxy_temp_path %(dir)s/proxy;
        fastcgi_temp_path %(dir)s/fastcgi;
        uwsgi_temp_path %(dir)s/uwsgi;
        scgi_temp_path %(dir)s/scgi;
        server {
                listen 127.0.0.1:%(port)d;
                server_name localhost;
                root %(empty)s;
                include %(locations)s;
        }
}
"""


# ---------------------------------------------------------------------------
# nginx

def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def locations_for(www):
    """The location blocks: the repository's snippet with its root pointed
    at ``www`` (what its comment asks an operator to do), else our own."""
    if os.path.isfile(SNIPPET):
        with open(SNIPPET) as f:
            text = f.read()
        check("root /var/www/html;" in text, "%s has no 'root /var/www/html;' line" % SNIPPET)
        return text.replace("root /var/www/html;", "root %s;" % www), True
    return FALLBACK_LOCATIONS % {"www": www}, False


class Nginx:
    """nginx as the web user, one process, on a free loopback port."""

    def __init__(self, root, www):
        self.dir = os.path.join(root, "nginx")
        os.mkdir(self.dir)
        os.mkdir(os.path.join(self.dir, "empty"))
        text, self.snippet = locations_for(www)
        locations = os.path.join(self.dir, "locations.conf")
        with open(locations, "w") as f:
            f.write(text)
        shutil.chown(self.dir, WEB_USER, WEB_USER)
        self.proc = None
        for _ in range(5):
            self.port = free_port()
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(NGINX_CONF % {"dir": self.dir, "port": self.port, "locations": locations,
                                      "empty": os.path.join(self.dir, "empty")})
            self.proc = subprocess.Popen(
                e2e.guarded(["setpriv", "--reuid", WEB_USER, "--regid", WEB_USER,
                             "--clear-groups", NGINX, "-p", self.dir, "-e",
                             os.path.join(self.dir, "error.log"), "-c", conf]),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            e2e.CLEANUP.add(self.stop)
            if e2e.wait_until(lambda: self.proc.poll() is not None or self._listening(), 10):
                if self.proc.poll() is None:
                    break
            self.stop()
        check(self.proc.poll() is None, "nginx did not start: %s" % self.log())
        self.base = "http://127.0.0.1:%d/" % self.port
        say("nginx serves %s as %s at %s (%s)" % (www, WEB_USER, self.base,
            "etc/nginx/ticky-reportd.conf" if self.snippet else "fallback locations"))

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def log(self):
        """nginx's output and error log, for failure messages."""
        out = ""
        if self.proc and self.proc.poll() is not None and self.proc.stdout:
            out = self.proc.stdout.read().decode(errors="replace")
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                out += f.read()
        except OSError:
            pass
        return out[-2000:]

    def stop(self):
        """Stop nginx (a no-op when it is not running)."""
        if self.proc is not None:
            e2e.stop_process(self.proc, 15)
            if self.proc.stdout:
                self.proc.stdout.close()


# ---------------------------------------------------------------------------
# HTTP

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url, headers=None):
    """GET ``url`` directly (no proxy): (status, headers, body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def check_http(server, www):
    """Each report over HTTP: 200, the right Content-Type, the file's bytes."""
    for name in common.REPORT_FILES:
        status, headers, body = fetch(server.base + name)
        check(status == 200, "GET /%s: status %d" % (name, status))
        kind = CONTENT_TYPES[os.path.splitext(name)[1]]
        ctype = (headers.get("Content-Type") or "").replace(" ", "").lower()
        check(ctype == kind + ";charset=utf-8",
              "GET /%s: Content-Type %r, expected '%s; charset=utf-8'"
              % (name, headers.get("Content-Type"), kind))
        check(body == common.read_bytes(os.path.join(www, name)),
              "GET /%s: the body differs from the file" % name)
        if server.snippet:
            check("default-src 'none'" in (headers.get("Content-Security-Policy") or ""),
                  "GET /%s: no Content-Security-Policy" % name)
            check(headers.get("X-Content-Type-Options") == "nosniff",
                  "GET /%s: no X-Content-Type-Options: nosniff" % name)
    say("the five reports: 200, text/html or text/csv with charset=utf-8, exact bytes")

    status, headers, body = fetch(server.base)
    check(status == 200 and body == common.read_bytes(os.path.join(www, "index.html")),
          "GET / does not serve index.html (status %d)" % status)
    status, _, _ = fetch(server.base + "nothing-here.html")
    check(status == 404, "GET /nothing-here.html: status %d, expected 404" % status)
    with open(os.path.join(www, ".index.html.XXXXXX"), "w") as f:
        f.write("half-written page")
    status, _, _ = fetch(server.base + ".index.html.XXXXXX")
    check(status in (403, 404), "a temporary file is served (status %d)" % status)
    os.unlink(os.path.join(www, ".index.html.XXXXXX"))
    say("/ is index.html, unknown files 404, temporary dotfiles refused")

    if server.snippet:
        status, headers, body = fetch(server.base + "user_statistics.csv",
                                      {"Accept-Encoding": "gzip"})
        check(status == 200 and headers.get("Content-Encoding") == "gzip"
              and gzip.decompress(body) == common.read_bytes(
                  os.path.join(www, "user_statistics.csv")),
              "user_statistics.csv is not served gzip-compressed when asked")
        status, headers, _ = fetch(server.base + "index.html")
        etag = headers.get("ETag")
        check(etag, "index.html has no ETag")
        status, _, body = fetch(server.base + "index.html", {"If-None-Match": etag})
        check(status == 304 and not body, "If-None-Match: status %d, expected 304" % status)
        say("CSV gzip-compressed on request; 304 Not Modified for an unchanged page")


# ---------------------------------------------------------------------------
# Chromium

def chromium(args, timeout=60):
    """Run headless Chromium with a throw-away profile; its stdout."""
    profile = tempfile.mkdtemp(prefix="ticky-e2e-chromium-")
    try:
        argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--no-proxy-server",
                "--user-data-dir=" + profile] + list(args)
        try:
            proc = subprocess.run(e2e.guarded(argv), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise common.TestFailure("chromium %s did not finish within %d s"
                                     % (" ".join(args), timeout))
        check(proc.returncode == 0, "chromium %s exited %d: %s" % (
            " ".join(args), proc.returncode, proc.stderr.decode(errors="replace")[-1500:]))
        return proc.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Dom(html.parser.HTMLParser):
    """Tables, script elements and text of a document Chromium serialised.

    A row of ``sections`` is the list of its cells' text; ``values`` holds,
    parallel to it, the data-value attributes of the row's cells (the raw
    counts) and ``columns`` the headers that sort a column, by data-col.
    """

    def __init__(self, data):
        super().__init__(convert_charrefs=True)
        self.sections = {"thead": [], "tbody": [], "tfoot": []}
        self.values = {"thead": [], "tbody": [], "tfoot": []}
        self.columns = {}
        self.buttons = 0
        self.scripts = 0
        self.links = []
        self.title = ""
        self.texts = []
        self._section = None
        self._row = None
        self._row_values = None
        self._cell = None
        self._column = None
        self._in_title = False
        self.feed(data)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        elif tag == "button":
            self.buttons += 1
        elif tag == "a":
            self.links.append(attrs.get("href"))
        elif tag in self.sections:
            self._section = tag
        elif tag == "tr":
            self._row = []
            self._row_values = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            if "data-value" in attrs:
                self._row_values.append(attrs["data-value"])
            self._column = attrs.get("data-col")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            if self._column is not None:
                self.columns[int(self._column)] = self._row[-1].strip()
            self._cell = None
            self._column = None
        elif tag == "tr" and self._row is not None:
            if self._section:
                self.sections[self._section].append(self._row)
                self.values[self._section].append(self._row_values)
            self._row = None
        elif tag in self.sections:
            self._section = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.title += data
        self.texts.append(data)

    def text(self):
        """All text of the document."""
        return " ".join(self.texts)


def newlines(value):
    """HTML parsing turns CR and CRLF into LF: compare text that way."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def digits(value):
    """A count as shown, thousands separators dropped."""
    return "".join(c for c in value if c.isdigit())


def check_rendered_table(server, page, csv_path, what):
    """The tbody rows Chromium rendered equal the CSV rows, in order: the
    first cell is the key, and the first data-value counts of the row, shown
    with thousands separators, are the CSV's (later columns hold the time
    windows, the share, a sparkline and the permalink)."""
    dom = Dom(chromium(["--dump-dom", server.base + page]).decode("utf-8"))
    check(dom.scripts == 1, "%s: the rendered DOM has %d <script> element(s), expected "
          "the page's own one" % (page, dom.scripts))
    if server.snippet:
        check(dom.buttons > 0, "%s: no sort buttons: the inline script did not run under "
              "the snippet's Content-Security-Policy (its script-src hash)" % page)
    check(TITLE in dom.title, "%s: the title %r is not %r" % (page, dom.title, TITLE))
    csv_rows = common.read_csv(csv_path)
    width = len(csv_rows[0]) - 1
    # A CR is shown as a marker ("\u2039U+000D\u203a"), as are the other
    # controls and invisible characters: the key as the page shows it.
    expected = [[newlines(common.shown(row[0]))] + row[1:] for row in csv_rows[1:]]
    shown = [[newlines(row[0])] + values[:width]
             for row, values in zip(dom.sections["tbody"], dom.values["tbody"])]
    check(len(shown) == len(expected), "%s: Chromium shows %d %s, the CSV has %d"
          % (page, len(shown), what, len(expected)))
    check(shown == expected, "%s: rendered rows differ from the CSV: %s"
          % (page, common.first_difference(shown, expected)))
    texts = [[digits(c) for c in row[1:width + 1]] for row in dom.sections["tbody"]]
    check(texts == [row[1:] for row in expected],
          "%s: the counts as shown differ from the CSV: %s"
          % (page, common.first_difference(texts, [row[1:] for row in expected])))
    header = [dom.columns.get(i) for i in range(width + 1)]
    check(header == csv_rows[0], "%s: the sortable column headers are %r, the CSV's %r"
          % (page, header, csv_rows[0]))
    say("%s: Chromium renders the %d %s of the CSV, values and order equal; the script ran"
        % (page, len(shown), what))
    return dom


def check_rendered(server, www, expectation):
    """Both tables and the index, as Chromium renders them."""
    errors = check_rendered_table(server, "error_message.html",
                                  os.path.join(www, "error_message.csv"), "error rows")
    script = [row[0] for row in errors.sections["tbody"]
              if row[0].startswith('<script>alert("x")</script>')]
    check(script, "error_message.html: the <script> message is not shown as text")
    say("the message %r is shown as text, and the DOM has no <script> element but the page's own"
        % script[0][:40])
    check_rendered_table(server, "user_statistics.html",
                         os.path.join(www, "user_statistics.csv"), "users")

    index = Dom(chromium(["--dump-dom", server.base]).decode("utf-8"))
    check(index.scripts == 1, "index.html: the rendered DOM has %d <script> elements, "
          "expected the page's own one" % index.scripts)
    for target in ("error_message.html", "user_statistics.html"):
        check(target in index.links, "index.html: no link to %s (links: %s)"
              % (target, index.links))
    text = index.text()
    for word, number in (("INFO", expectation.info), ("ERROR", expectation.error),
                         ("unparsed", expectation.unparsed)):
        check(number in common.numbers_near(text, word),
              "index.html as rendered does not show %s %d" % (word, number))
    say("index.html renders both links and the totals %s" % common.totals_text(expectation))


def screenshots(server, directory):
    """Screenshots of the pages; returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, page, size, extra in SHOTS:
        path = os.path.join(os.path.abspath(directory), name + ".png")
        if os.path.exists(path):
            os.unlink(path)
        chromium(["--hide-scrollbars", "--window-size=" + size, "--screenshot=" + path]
                 + list(extra) + [server.base + page])
        check(os.path.isfile(path) and os.path.getsize(path) > 1000,
              "no screenshot of %s at %s" % (page, path))
        with open(path, "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path)
        paths.append(path)
    say("screenshots: %s" % ", ".join(paths))
    return paths


# ---------------------------------------------------------------------------

def body(args):
    """Generate, --once, serve, fetch, render, photograph."""
    for tool in (NGINX, CHROMIUM):
        check(os.access(tool, os.X_OK), "%s is missing (packages nginx, chromium)" % tool)
    with common.Workspace(args.binary, args.keep, prefix="ticky-e2e-web-") as ws:
        os.chmod(ws.root, 0o755)        # the web user walks down to the pages
        seed = 4404 if args.seed is None else args.seed
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=1500, other=500, users=25,
                                         hostile=0.04)
        result = ws.add_batch(cfg, "web")
        with open(ws.conf, "w") as f:
            f.write("[journal]\ndirectory = %s\n[output]\ndirectory = %s\ntitle = %s\n"
                    "[daemon]\nstate_directory = %s\n" % (ws.journal, ws.www, TITLE, ws.state))
        ws.once()
        common.check_reports(ws.www, result.expectation)

        server = Nginx(ws.root, ws.www)
        try:
            check_http(server, ws.www)
            check_rendered(server, ws.www, result.expectation)
            if args.screenshots:
                screenshots(server, args.screenshots)
            else:
                shots = tempfile.mkdtemp(prefix="ticky-e2e-shots-")
                try:
                    screenshots(server, shots)
                finally:
                    shutil.rmtree(shots, ignore_errors=True)
        finally:
            server.stop()


def options(parser):
    """This script's own option."""
    parser.add_argument("--screenshots", metavar="DIR",
                        help="keep the screenshots in DIR (default: a temporary "
                             "directory, removed)")


if __name__ == "__main__":
    raise SystemExit(e2e.run(__doc__, body, options))
