#!/usr/bin/env python3
"""Checks the module graph the compiler cannot: no import cycle of more than two files in any
crate, and in crates/server no module importing one its documented layer sits below.

The layers are read from docs/architecture.md, section "Layers of the server": each table row
names a layer (0 at the bottom) and its modules as backticked paths under crates/server/src/.
A module of layer N may import modules of layers 0..=N; a module the table does not name fails
the check, so a new module is placed in a layer when it is added.

Imports are read as text (`crate::a::b`, `super::x`, `use crate::{a, b}`), tests excluded.
Prints what it found; exits 1 on any violation.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = ["app/src", "src", "crates/domain/src", "crates/kenar/src", "crates/store/src",
          "crates/server/src", "crates/divar-sandbox/src"]
SERVER = "crates/server/src"
DOC = "docs/architecture.md"


def rust_files(src):
    for folder, _, names in os.walk(src):
        for name in names:
            if name.endswith(".rs"):
                yield os.path.join(folder, name)


def module_of(src, path):
    parts = os.path.relpath(path, src)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def imports(src, path, modules):
    text = open(path, encoding="utf-8").read()
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests\b", text)[0]
    text = re.sub(r"//.*", "", text)
    me = module_of(src, path)
    parent = me[:-1]
    found = set()

    def resolve(segments):
        for end in range(len(segments), 0, -1):
            target = modules.get(tuple(segments[:end]))
            if target:
                return target
        return None

    for match in re.finditer(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)", text):
        base = list(parent) if match.group(1) == "super" else []
        target = resolve(base + [s for s in match.group(2).split("::") if s])
        if target and target != path:
            found.add(target)
    for match in re.finditer(r"use crate::\{([^;]*)\};", text, re.S):
        for item in re.split(r",", match.group(1)):
            first = item.strip().split("::")[0].strip("{} \n")
            target = modules.get((first,))
            if target and target != path:
                found.add(target)
    return found


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(100000)

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return result


def layers():
    text = open(os.path.join(ROOT, DOC), encoding="utf-8").read()
    section = text.split("## Layers of the server", 1)
    if len(section) < 2:
        sys.exit(f"check-layers: {DOC} has no section 'Layers of the server'")
    table = {}
    for line in section[1].split("\n## ", 1)[0].splitlines():
        row = re.match(r"\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if not row:
            continue
        for path in re.findall(r"`(crates/server/src/[^`]+)`", row.group(2)):
            table[path] = int(row.group(1))
    return table


def layer_of(path, table):
    rel = os.path.relpath(path, ROOT)
    best = None
    for prefix, layer in table.items():
        if rel == prefix or (prefix.endswith("/") and rel.startswith(prefix)):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    return None if best is None else best[1]


def main():
    problems = []
    edges = 0
    for crate in CRATES:
        src = os.path.join(ROOT, crate)
        files = list(rust_files(src))
        modules = {}
        for path in files:
            modules.setdefault(module_of(src, path), path)
        graph = {path: imports(src, path, modules) for path in files}
        edges += sum(len(v) for v in graph.values())
        for component in cycles(graph):
            if len(component) > 2:
                names = ", ".join(os.path.relpath(p, ROOT) for p in component)
                problems.append(f"an import cycle of {len(component)} files: {names}")
        if crate != SERVER:
            continue
        table = layers()
        for path, targets in sorted(graph.items()):
            mine = layer_of(path, table)
            rel = os.path.relpath(path, ROOT)
            if rel.endswith("/lib.rs"):
                continue
            if mine is None:
                problems.append(f"{rel} is in no layer of {DOC}")
                continue
            for target in sorted(targets):
                theirs = layer_of(target, table)
                if theirs is not None and theirs > mine:
                    problems.append(
                        f"{rel} (layer {mine}) imports {os.path.relpath(target, ROOT)} "
                        f"(layer {theirs})")
    for problem in problems:
        print(f"check-layers: {problem}")
    if problems:
        sys.exit(1)
    print(f"check-layers: OK: {len(CRATES)} crates, {edges} imports between files, no cycle "
          f"of more than 2 files, every import in {SERVER} points to its layer or below")


if __name__ == "__main__":
    main()
