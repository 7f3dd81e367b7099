#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keep the layered src/ honest: no #include cycle between modules, no function over 80 lines.
Text-based on purpose (clang-format'ed code, stdlib only), so it runs as a ctest without a compiler."""
import argparse
import re
import sys
from pathlib import Path

MAX_LINES = 80
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
NAME_BEFORE_PAREN = re.compile(r"([A-Za-z_]\w*)\s*$")


def source_files(root):
    """The .c and .h files of ROOT/src (recursively) and ROOT/daemon."""
    files = []
    for top in ("src", "daemon"):
        if (root / top).is_dir():
            files += sorted(p for p in (root / top).rglob("*") if p.suffix in (".c", ".h") and p.is_file())
    return files


def include_graph(files):
    """Module (file stem) -> set of modules it includes via quoted includes found in the tree."""
    graph = {p.stem: set() for p in files}
    for p in files:
        for line in p.read_text(errors="replace").splitlines():
            m = INCLUDE.match(line)
            if m:
                target = Path(m.group(1)).stem
                if m.group(1).endswith(".h") and target in graph and target != p.stem:
                    graph[p.stem].add(target)
    return graph


def strongly_connected(graph):
    """Tarjan's algorithm; returns the components with more than one module."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def cycle_through(graph, comp):
    """A shortest cycle from the component's first module back to itself (BFS inside the component)."""
    start, members = comp[0], set(comp)
    parent, queue = {start: None}, [start]
    for v in queue:
        for w in sorted(graph[v] & members):
            if w == start:
                path = [v]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])
                return list(reversed(path)) + [start]
            if w not in parent:
                parent[w] = v
                queue.append(w)
    return comp + [start]  # not reached: a component always has a cycle through each member


def signature_end(lines, i):
    """If a function definition starts at lines[i], the index of its `) {` line, else None."""
    first = lines[i]
    if not re.match(r"[A-Za-z_]", first) or re.match(r"typedef\b", first):
        return None
    for j in range(i, min(i + 10, len(lines))):
        text = " ".join(l.strip() for l in lines[i : j + 1])
        depth = 0
        for c in text:  # `=` outside parentheses: an initialized table or variable
            depth += (c == "(") - (c == ")")
            if c == "=" and depth == 0:
                return None
        if text.endswith((";", "}")):
            return None
        if text.endswith("{"):
            return j if text.endswith(") {") else None
    return None


def function_name(signature):
    """The identifier before the parameter list, i.e. before the `(` matching the final `)`."""
    depth = 0
    for k in range(len(signature) - 1, -1, -1):
        depth += (signature[k] == ")") - (signature[k] == "(")
        if depth == 0 and signature[k] == "(":
            m = NAME_BEFORE_PAREN.search(signature[:k])
            return m.group(1) if m else "?"
    return "?"


def functions(path):
    """(first line number, name, length in lines or None if unterminated) of each function in a .c file."""
    lines = path.read_text(errors="replace").splitlines()
    out, i = [], 0
    while i < len(lines):
        end = signature_end(lines, i)
        if end is None:
            i += 1
            continue
        signature = " ".join(l.strip() for l in lines[i : end + 1])[: -len("{")].rstrip()
        close = next((k for k in range(end + 1, len(lines)) if lines[k] == "}"), None)
        out.append((i + 1, function_name(signature), None if close is None else close - i + 1))
        i = len(lines) if close is None else close + 1
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parents[2],
                        help="source tree (default: two levels above this script)")
    parser.add_argument("--longest", type=int, default=0, metavar="N", help="also print the N longest functions")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "src").is_dir():
        print(f"check_structure: no src/ directory in {root}", file=sys.stderr)
        return 2

    files = source_files(root)
    problems = []
    graph = include_graph(files)
    cycles = strongly_connected(graph)
    for comp in cycles:
        path = cycle_through(graph, comp)
        line = "include cycle: " + " -> ".join(path)
        if len(comp) > len(path) - 1:  # the component is bigger than this one cycle
            line += "  (all of: " + ", ".join(comp) + ")"
        problems.append(line)

    found = []  # (length, file, line, name)
    for p in files:
        if p.suffix != ".c":
            continue
        rel = p.relative_to(root)
        for lineno, name, length in functions(p):
            if length is None:
                problems.append(f"{rel}:{lineno}: function {name} has no closing brace alone at column 0")
                continue
            found.append((length, str(rel), lineno, name))
            if length > MAX_LINES:
                problems.append(f"{rel}:{lineno}: function {name} is {length} lines (max {MAX_LINES})")

    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    for length, rel, lineno, name in found[: args.longest]:
        print(f"{length} lines  {rel}:{lineno} {name}")
    for line in problems:
        print(line)
    longest = f"longest {found[0][0]} lines ({found[0][3]})" if found else "none found"
    cycle_text = f"{len(cycles)} include cycle(s)" if cycles else "no include cycle"
    print(f"structure: {len(graph)} modules, {cycle_text}; {len(found)} functions, {longest}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
