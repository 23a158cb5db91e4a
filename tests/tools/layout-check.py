#!/usr/bin/env python3
"""layout-check: the rules lib/README.md states about the code's shape.

  layout-check.py TOP BUILD

Prints one line per rule, "PASS: layout: <rule>" or "FAIL: layout: <rule>:
<what breaks it>", the format tests/run-e2e.sh counts:

  - every lib/ file includes only headers of its own folder (by bare name)
    and other folders' public headers (FOLDER/FOLDER.h); the front ends
    include only public headers and their own files;
  - the folders depend on each other only as lib/README.md's table allows,
    and that table has no cycle; every folder is in it;
  - no two files include each other, directly or around a loop;
  - no two object files call each other, directly or around a loop (from
    the symbols the built objects define and use);
  - no function in lib/ or a front end is longer than 80 lines;
  - everything libxar exports is named xar_*.
"""
import collections
import glob
import os
import re
import subprocess
import sys

MAX_FUNCTION_LINES = 80
INCLUDE = re.compile(r'^#include "([^"]+)"', re.M)


def say(rule, problems):
    if problems:
        shown = "; ".join(problems[:5])
        more = len(problems) - 5
        print("FAIL: layout: %s: %s%s" % (rule, shown,
              " (+%d more)" % more if more > 0 else ""))
    else:
        print("PASS: layout: %s" % rule)


def sources(top):
    files = sorted(glob.glob(os.path.join(top, "lib/*/*.[ch]")))
    for fe in ("mkxar", "xarexec"):
        files += sorted(glob.glob(os.path.join(top, fe, "*.[ch]")))
    return [os.path.relpath(f, top) for f in files]


def allowed_deps(top):
    """FOLDER -> set of folders it may use, from lib/README.md's table of
    lines `FOLDER  may use  A B C` (or `nothing`)."""
    allowed = {}
    with open(os.path.join(top, "lib/README.md")) as f:
        for line in f:
            m = re.match(r"^\|\s*`?([a-z]+)/?`?\s*\|\s*([^|]*)\|", line)
            if not m or m.group(1) in ("folder",):
                continue
            uses = re.findall(r"[a-z]+", m.group(2).replace("nothing", ""))
            allowed[m.group(1)] = set(uses)
    return allowed


def resolve(path, inc):
    """The repo path an #include "inc" in path names."""
    local = os.path.join(os.path.dirname(path), inc)
    return os.path.normpath(local) if os.path.exists(local) or "/" not in inc \
        else os.path.join("lib", inc)


def check_includes(top, files, folders):
    bad, deps, graph = [], collections.defaultdict(set), {}
    for path in files:
        text = open(os.path.join(top, path)).read()
        parts = path.split("/")
        own = parts[1] if parts[0] == "lib" else None
        graph[path] = set()
        for inc in INCLUDE.findall(text):
            if "/" not in inc:
                if not os.path.exists(os.path.join(top, os.path.dirname(path), inc)):
                    bad.append("%s includes %s, not in its folder" % (path, inc))
                graph[path].add(os.path.join(os.path.dirname(path), inc))
                continue
            folder, name = inc.split("/", 1)
            if folder not in folders or name != folder + ".h":
                bad.append("%s includes %s, not a public header" % (path, inc))
            elif folder == own:
                bad.append("%s includes its own folder's %s by path" % (path, inc))
            else:
                deps[own or parts[0]].add(folder)
            graph[path].add(os.path.join("lib", inc))
    return bad, deps, graph


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(" <-> ".join(sorted(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def symbols(obj):
    text = subprocess.run(["nm", obj], capture_output=True, text=True,
                          check=True).stdout
    defined, used = set(), set()
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBR":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            used.add(f[1])
    return defined, used


def call_graph(build, files):
    objs = {}
    for path in files:
        if path.endswith(".c"):
            obj = os.path.join(build, "obj", path[:-2] + ".o")
            if not os.path.exists(obj):
                return None, "%s is not built" % obj
            objs[path] = symbols(obj)
    owner = {s: p for p, (d, _) in objs.items() for s in d}
    graph = {p: {owner[s] for s in u if s in owner and owner[s] != p}
             for p, (_, u) in objs.items()}
    return graph, None


def long_functions(top, files):
    out = []
    for path in files:
        if not path.endswith(".c"):
            continue
        start, name, prev = None, None, ""
        for n, line in enumerate(open(os.path.join(top, path)), 1):
            if line.startswith("{"):
                start, name = n, prev
            elif line.startswith("}") and start:
                if n - start + 1 > MAX_FUNCTION_LINES:
                    out.append("%s:%d %s (%d lines)" % (
                        path, start, name.split("(")[0].split()[-1].lstrip("*"),
                        n - start + 1))
                start = None
            elif re.match(r"[A-Za-z_]", line):
                prev = line
    return out


def exported(build):
    lib = os.path.join(build, "libxar.a")
    text = subprocess.run(["nm", "-g", "--defined-only", lib],
                          capture_output=True, text=True, check=True).stdout
    return sorted({f[2] for f in (l.split() for l in text.splitlines())
                   if len(f) == 3 and not f[2].startswith("xar_")})


def main():
    top, build = sys.argv[1], sys.argv[2]
    files = sources(top)
    folders = {p.split("/")[1] for p in files if p.startswith("lib/")}
    allowed = allowed_deps(top)

    bad, deps, graph = check_includes(top, files, folders)
    say("includes are local or public", bad)

    problems = ["%s is not in lib/README.md's table" % f
                for f in sorted(folders - set(allowed))]
    for user in sorted(deps):
        if user not in allowed:
            continue
        for used in sorted(deps[user] - allowed[user]):
            problems.append("%s uses %s" % (user, used))
    problems += ["the table has a cycle: " + c for c in cycles(
        {k: v for k, v in allowed.items()})]
    say("folders depend as lib/README.md says", problems)

    say("no include cycles between files", cycles(graph))

    calls, why = call_graph(build, files)
    say("no call cycles between files", [why] if why else cycles(calls))

    say("functions of at most %d lines" % MAX_FUNCTION_LINES,
        long_functions(top, files))
    say("libxar exports only xar_* names",
        ["exports " + s for s in exported(build)])


if __name__ == "__main__":
    main()
