"""The layers of docs/architecture.md, checked on every import between riderperf's packages:
a package imports only from its own layer's earlier entries or from layers below. Alembic's
migration environment (which imports every feature's tables) and imports made only for type
checking are the exceptions."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import riderperf

ROOT = Path(riderperf.__file__).parent

# Bottom up. Within a layer, an entry may import the entries listed before it, never after:
# so the order is also the place a new package takes (docs/architecture.md, "Layers").
LAYERS: list[tuple[str, list[str]]] = [
    ("foundation", ["__init__", "clock", "config", "common"]),
    ("stores", ["storage", "warehouse", "stores"]),
    ("policy", ["policy"]),
    (
        "features",
        [
            "audit",
            "users",
            "notices",
            "ingest",
            "simulate",
            "responsibility",
            "metrics",
            "inspections",
            "evaluation",
            "decisions",
            "cases",
            "sampling",
            "reports",
        ],
    ),
    ("workflows", ["workflows"]),
    ("entry points", ["api", "web", "server", "demo", "cli"]),
]
RANK = {
    name: (layer, place)
    for layer, (_, names) in enumerate(LAYERS)
    for place, name in enumerate(names)
}


def package_of(path: Path) -> str:
    relative = path.relative_to(ROOT).parts
    return relative[0] if len(relative) > 1 else relative[0].removesuffix(".py")


def type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    return skipped


def imported_packages(text: str, place: Path) -> Iterator[tuple[str, int]]:
    """(riderperf package imported, line) for each import in `text`, a module at `place`."""
    tree = ast.parse(text)
    skipped = type_checking_nodes(tree)
    here = ["riderperf", *place.relative_to(ROOT).parent.parts]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                names = [".".join([*base, *([node.module] if node.module else [])])]
            else:
                names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            if parts[0] == "riderperf" and len(parts) > 1:
                yield parts[1], getattr(node, "lineno", 0)


def source_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts]


def test_every_package_has_a_place_in_the_layers() -> None:
    placed = set(RANK)
    found = {package_of(p) for p in source_files()}
    assert found - placed == set(), "add the new package to LAYERS and docs/architecture.md"


def test_no_package_imports_a_later_package() -> None:
    wrong = []
    for path in source_files():
        here = package_of(path)
        for there, line in imported_packages(path.read_text(encoding="utf-8"), path):
            if here in RANK and there in RANK and RANK[there] > RANK[here]:
                where = path.relative_to(ROOT.parent)
                wrong.append(f"{where}:{line}: {here} imports {there}")
    assert wrong == [], "imports against the layer order:\n" + "\n".join(wrong)


def test_the_layer_check_reads_relative_imports_and_skips_type_checking_ones() -> None:
    text = (
        "from typing import TYPE_CHECKING\n"
        "from riderperf.workflows.appeals import decide_appeal\n"
        "from ..cases import model\n"
        "from . import records\n"
        "if TYPE_CHECKING:\n"
        "    from riderperf.api import deps\n"
    )
    found = [there for there, _ in imported_packages(text, ROOT / "evaluation" / "module.py")]
    assert found == ["workflows", "cases", "evaluation"]
