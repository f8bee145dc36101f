"""Arrows between packages point one way (ARCHITECTURE.md). Every import between two
packages of ``sendobserve`` (the UI's feature folders counted as packages of their own)
is read from the source, deferred imports inside functions included, and a cycle between
two packages fails the test.

Cycles older than this test were listed in ``KNOWN``, each with the work that removed
it; the list is empty now and may only stay so (the test holds every package).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import sendobserve

ROOT = Path(sendobserve.__file__).parent

# None left. ``storage`` <-> ``reports`` and ``storage`` <-> ``exchange`` went when keys,
# certificates and provenance signatures moved below the store, into ``pki``; the trainee
# page's readiness and record views stopped opening each other when the screen holding
# both, and the words and colours both use, moved one level up into ``ui/trainee``.
KNOWN: set[frozenset[str]] = set()


def package_of(module: str) -> str:
    """The package a module belongs to: the top level for the core; for the UI, the
    deepest feature folder (``ui.trainee.readiness`` and ``ui.trainee.record`` are peers)."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "ui":
        depth = 2
        while depth < len(parts) and (ROOT.joinpath(*parts[1:depth + 1])).is_dir():
            depth += 1
        return ".".join(parts[:depth])
    return ".".join(parts[:2])


def package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        source = package_of(module.removesuffix(".__init__"))
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("sendobserve."):
                    edges[source].add(package_of(target))
    return edges


def nested(a: str, b: str) -> bool:
    """A feature folder and the package it sits in (``ui`` and ``ui.panel``) share the
    package's common modules: not a cycle between peers."""
    return a.startswith(b + ".") or b.startswith(a + ".")


def test_no_import_cycle_between_packages_beyond_the_known_ones() -> None:
    edges = package_edges()
    cycles = {frozenset({a, b}) for a, targets in edges.items() for b in targets
              if a != b and not nested(a, b) and a in edges.get(b, set())}
    assert len(edges) > 8  # it read the packages it is about
    new = sorted(sorted(c) for c in cycles - KNOWN)
    assert new == [], f"new import cycles: {new}"
    gone = sorted(sorted(c) for c in KNOWN - cycles)
    assert gone == [], f"fixed, take them off KNOWN: {gone}"


def module_edges(package: str) -> dict[str, set[str]]:
    """Imports between the modules of one package: ``from a.b import c`` is an import of
    ``a.b.c`` when that is a module, else of ``a.b`` (deferred imports counted too)."""
    base = ROOT.joinpath(*package.split(".")[1:])
    modules = {}
    for path in base.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                           else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            edges[name].update(t for t in targets if t in modules and t != name)
    return edges


def cycles_in(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_the_modules_of_storage() -> None:
    """Inside storage too: engine → backup → checks → integrity → db, each importing only
    those below it (a damaged store's message names a backup without backup opening the
    store)."""
    edges = module_edges("sendobserve.storage")
    assert "sendobserve.storage.engine" in edges["sendobserve.storage.backup"]
    assert cycles_in(edges) == []


def test_cycles_in_finds_a_cycle() -> None:
    assert cycles_in({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Lower layers never import higher ones (ARCHITECTURE.md): the rules and forms at the
# bottom, the keys and signatures below the store, the store below reports, the exchange
# and the hub, and those below the use cases.
ABOVE_STORAGE = {"sendobserve.storage", "sendobserve.reports", "sendobserve.exchange",
                 "sendobserve.hub", "sendobserve.services", "sendobserve.cli", "sendobserve.ui"}
BELOW = {
    "sendobserve.model": ABOVE_STORAGE | {"sendobserve.pki"},
    "sendobserve.forms": ABOVE_STORAGE | {"sendobserve.pki", "sendobserve.model"},
    "sendobserve.pki": ABOVE_STORAGE,
    # Reports are content → PDF: they read domain objects, never the store.
    "sendobserve.reports": {"sendobserve.storage", "sendobserve.exchange", "sendobserve.hub",
                            "sendobserve.services", "sendobserve.cli", "sendobserve.ui"},
    "sendobserve.exchange": {"sendobserve.reports", "sendobserve.hub", "sendobserve.services",
                             "sendobserve.cli", "sendobserve.ui"},
    "sendobserve.storage": {"sendobserve.reports", "sendobserve.exchange", "sendobserve.hub",
                            "sendobserve.services", "sendobserve.cli", "sendobserve.ui"},
    "sendobserve.services": {"sendobserve.cli", "sendobserve.ui"},
    # Reading a file a person named: beneath every layer that reads one.
    "sendobserve.named_file": {"sendobserve.model", "sendobserve.forms", "sendobserve.pki"}
    | ABOVE_STORAGE,
}


def test_lower_layers_do_not_import_higher_ones() -> None:
    edges = package_edges()
    wrong = sorted((low, high) for low, highs in BELOW.items()
                   for high in edges.get(low, set()) if any(
                       high == h or high.startswith(h + ".") for h in highs))
    assert wrong == []
