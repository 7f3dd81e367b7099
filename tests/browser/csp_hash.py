# SPDX-License-Identifier: MIT
"""The inline script of the pages against the Content-Security-Policy of the
nginx snippet.

    csp_hash.py --snippet etc/nginx/ticky-reportd.conf PAGE.html...
    csp_hash.py --snippet etc/nginx/ticky-reportd.conf --update PAGE.html...

Every <script> of the pages must be allowed by a 'sha256-...' source of the
snippet's script-src, and the snippet must allow nothing else: no
'unsafe-inline', no 'unsafe-eval', no hash that no page uses (a stale one).
The pages are the golden files (tests/golden/), which the unit test keeps
byte-identical to what src/report/report_html.c writes; so a change to the script
fails here until the snippet follows. --update rewrites the snippet's hash.
Exit status 0 when they agree, 1 when not (with the hash to put there).
"""

import argparse
import base64
import hashlib
import re
import sys

SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
CSP = re.compile(r'^(\s*add_header\s+Content-Security-Policy\s+")([^"]*)(";.*)$', re.M)


def script_hashes(paths):
    """{'sha256-...': [pages]} of every inline script of the pages."""
    found = {}
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        scripts = SCRIPT.findall(data)
        if not scripts:
            sys.exit("%s has no <script>" % path)
        if data.count(b"<script") != len(scripts):
            sys.exit("%s has a <script> with attributes; expected plain inline scripts" % path)
        for body in scripts:
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            found.setdefault("sha256-" + digest, []).append(path)
    return found


def directives(policy):
    """{name: [sources]} of a policy string."""
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--snippet", required=True)
    parser.add_argument("--update", action="store_true", help="rewrite the snippet's script-src")
    parser.add_argument("pages", nargs="+")
    args = parser.parse_args()

    hashes = script_hashes(args.pages)
    with open(args.snippet) as f:
        text = f.read()
    lines = CSP.findall(text)
    if len(lines) != 1:
        sys.exit("%s: expected one add_header Content-Security-Policy line, found %d"
                 % (args.snippet, len(lines)))
    policy = directives(lines[0][1])
    wanted = ["'%s'" % h for h in sorted(hashes)]

    if args.update:
        policy["script-src"] = wanted
        new_policy = "; ".join(" ".join([k] + v) for k, v in policy.items())
        text = CSP.sub(lambda m: m.group(1) + new_policy + m.group(3), text)
        with open(args.snippet, "w") as f:
            f.write(text)
        print("%s: script-src %s" % (args.snippet, " ".join(wanted)))
        return 0

    problems = []
    sources = policy.get("script-src")
    if sources is None:
        problems.append("the policy has no script-src (default-src 'none' blocks the script)")
        sources = []
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"):
        if bad in sources:
            problems.append("script-src allows %s" % bad)
    for h in wanted:
        if h not in sources:
            problems.append("script-src lacks %s, the hash of the script of %s"
                            % (h, ", ".join(hashes[h[1:-1]])))
    for s in sources:
        if s not in wanted:
            problems.append("script-src allows %s, which no page uses" % s)
    if policy.get("default-src") != ["'none'"]:
        problems.append("default-src is not 'none'")
    if problems:
        for p in problems:
            print("FAIL %s: %s" % (args.snippet, p))
        print("After a change to the script of src/report/report_html.c and the golden pages:\n"
              "  %s --update --snippet %s %s" % (sys.argv[0], args.snippet, " ".join(args.pages)))
        return 1
    print("PASS %s: script-src %s is the hash of the script of all %d pages"
          % (args.snippet, " ".join(wanted), len(args.pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
