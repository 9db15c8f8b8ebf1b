"""`--fix`: text edits for the mechanical violations, anchored on parsed positions.

Each fixer inserts lines into the original text (never re-serialises a document), so comments,
ordering and formatting stay as the author wrote them. Fixes are idempotent: a fixed file no
longer has the violation, so a second run finds nothing to do. The diff is shown first; files
are written only with ``--yes``, atomically, never through a symlink.
"""
from __future__ import annotations

import difflib
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from secretshift.adr.model import AdrResult, Violation
from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError

FIXABLE = {"eks-secrets-encryption", "secret-rotation-undocumented", "tf-secret-not-sensitive", "cfn-parameter-noecho"}


def write_atomic(path: Path, text: str) -> None:
    if path.is_symlink():
        raise FatalError(f"refusing to write through a symlink: {path}")
    folder = path.parent
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise FatalError(f"cannot write {path}: {exc.strerror}") from None


def write_report(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    if target.exists() and not target.is_file() and not target.is_symlink():
        try:
            with open(target, "w", encoding="utf-8") as handle:  # /dev/null, a FIFO
                handle.write(text)
        except OSError as exc:
            raise FatalError(f"cannot write {output}: {exc.strerror}") from None
        return
    write_atomic(target, text)


def fixed_text(path: str, text: str, violations: list[Violation]) -> str:
    """The file's text with every fixable violation in it fixed."""
    if path.endswith(".tf"):
        from secretshift.adr.fix_terraform import fix_terraform

        return fix_terraform(text, violations)
    from secretshift.adr.fix_cloudformation import fix_cloudformation

    return fix_cloudformation(text, violations, is_json=path.endswith((".json", ".template")))


def fix_violations(result: AdrResult, apply: bool, out: Callable[[str], object] | None = None) -> int:
    out = out or sys.stdout.write  # looked up now: sys.stdout may have been replaced since import
    by_path: dict[str, list[Violation]] = defaultdict(list)
    for violation in result.violations:
        if violation.check in FIXABLE and violation.line:
            by_path[violation.path].append(violation)
    changed = 0
    for path, violations in sorted(by_path.items()):
        original = Path(path).read_text(encoding="utf-8")
        new = fixed_text(path, original, violations)
        if new == original:
            continue
        changed += 1
        out("".join(difflib.unified_diff(original.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}")))
        if apply:
            write_atomic(Path(path), new)
    left = len([v for v in result.violations if v.check not in FIXABLE])
    if not changed:
        out("nothing to fix mechanically\n")
    elif apply:
        out(f"fixed {changed} file(s)\n")
    else:
        out(f"{changed} file(s) would change; run again with --fix --yes to write them\n")
    if left:
        out(f"{left} violation(s) need a person (not mechanical); see `secretshift adr check`\n")
    still_failing = left or (changed and not apply)
    return EXIT_FINDINGS if still_failing else EXIT_CLEAN
