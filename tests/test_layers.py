"""The house's floors (docs/architecture.md): a module imports only from its own floor or below.
Data flows down; the core never imports the CLI. Every import counts, also those inside functions
and under TYPE_CHECKING: a lazy import is still a dependency."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Longest prefix wins. Modules not listed (a new package) sit on the application floor: they may
# use the pipeline, never the entry points.
FLOORS: dict[str, int] = {
    # 0 - the floor: values, errors, text helpers
    "secretshift.errors": 0, "secretshift.models": 0, "secretshift.textutil": 0, "secretshift.hashing": 0,
    "secretshift.progress": 0, "secretshift.cienv": 0, "secretshift": 0, "secretshift.safe_write": 0,
    "secretshift.lazy_re": 0,
    "secretshift.install": 0,  # where secretshift runs and the install commands that work there
    # 1 - the scanner core: rules, prefilter, regex, engine, detectors, the config they are built from
    "secretshift.scanner": 1, "secretshift.plugins": 1, "secretshift.config": 1,
    # 2 - sources and the baseline file
    "secretshift.sources": 2, "secretshift.baseline_file": 2,
    # 3 - the application: run loop, triage, reports, gate, migration and the rest
    "secretshift.pipeline": 3, "secretshift.triage": 3, "secretshift.output": 3, "secretshift.report": 3,
    "secretshift.ci_trust": 3, "secretshift.fixhints": 3, "secretshift.explain": 3,
    # 4 - entry points: parse arguments, call, render, exit code
    "secretshift.cli": 4, "secretshift.commands": 4, "secretshift.hooks": 4, "secretshift.__main__": 4,
    "secretshift.help_examples": 4,
}
APPLICATION = 3
NAMES = ["floor", "scanner core", "sources", "application", "entry points"]
FOLDERS = {"secretshift": ROOT / "secretshift", "secretshift.hooks": ROOT / "hooks",
           "secretshift.plugins": ROOT / "plugins"}


def floor(module: str) -> int:
    best = ""
    for prefix in FLOORS:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return APPLICATION if best == "secretshift" and module != "secretshift" else FLOORS[best]


def modules() -> Iterator[tuple[str, Path]]:
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            if package == "secretshift" and name.split(".")[1:2] in (["hooks"], ["plugins"]):
                continue  # never on disk under secretshift/ (mapped folders)
            yield name, path


def imported(module: str, source: str) -> Iterator[tuple[int, str]]:
    package = module if module in FOLDERS else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            for alias in node.names:
                # `from secretshift import cache` imports the module secretshift.cache
                yield node.lineno, f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base


def _is_module(name: str) -> bool:
    return any(name == m for m, _ in _ALL)


_ALL = list(modules())


def violations(module: str, source: str) -> list[str]:
    mine = floor(module)
    out = []
    for line, name in imported(module, source):
        if not name.startswith("secretshift"):
            continue
        theirs = floor(name)
        if theirs > mine:
            out.append(f"{module}:{line} ({NAMES[mine]}) imports {name} ({NAMES[theirs]})")
    return out


@pytest.mark.parametrize(("module", "path"), _ALL, ids=[m for m, _ in _ALL])
def test_imports_only_go_down(module: str, path: Path) -> None:
    assert violations(module, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("secretshift.scanner.engine", "from secretshift.commands.scan import run\n"),
        ("secretshift.pipeline", "def f():\n    from secretshift.cli import main\n"),
        ("secretshift.sources.files", "from secretshift import pipeline\n"),
        ("secretshift.plugins.generic", "import secretshift.report.text\n"),
        ("secretshift.triage", "from .hooks import detect\n"),
    ],
    ids=["core-imports-a-command", "lazy-import-of-the-cli", "source-imports-the-run-loop",
         "detector-imports-a-report", "relative-import-of-a-hook"],
)
def test_an_upward_import_is_caught(module: str, source: str) -> None:
    assert len(violations(module, source)) == 1


def test_every_module_has_a_floor() -> None:
    assert len(_ALL) > 50
    top = {m.split(".")[1] for m, _ in _ALL if m.count(".")}
    known = {p.split(".")[1] for p in FLOORS if p.count(".")}
    # New top-level modules land on the application floor: say where they belong when adding one.
    assert top - known <= {"gate", "rooted_scan", "audit", "migrate", "validate", "adr", "sweep", "safe_write"}, top - known
