"""What `scan`, `ci` and `migrate plan` run for `--validate`: one call that validates a run's
findings, orders them and (with `--only-valid`) keeps the live ones. Imported only when
`--validate` is given (the flags themselves are in the light :mod:`secretshift.validate.flags`)."""
from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from secretshift.config import Config
from secretshift.models import Finding
from secretshift.triage import Triage
from secretshift.validate.priority import only_valid, triage_order
from secretshift.validate.runner import ValidateOptions, validate_findings

_MAX_FILE = 4 << 20


def validate_triage(triage: Triage, options: ValidateOptions, bases: Sequence[Path], only_live: bool) -> Triage:
    """The run's findings validated together (two halves of a key pair may be one new, one
    accepted), each group in priority order; with ``only_live``, the live ones only."""
    everything = [*triage.new, *triage.to_migrate]
    checked = validate_findings(everything, options, text_of=text_source(bases))
    new, accepted = checked[: len(triage.new)], checked[len(triage.new):]
    if only_live:
        new, accepted = only_valid(new), only_valid(accepted)
    return triage._replace(new=tuple(triage_order(new)), to_migrate=tuple(triage_order(accepted)))


def text_source(bases: Sequence[Path]) -> Callable[[Finding], str | None]:
    """The text of a finding's file: from the work tree, or for a commit's finding its blob
    (so a database URL or an account name next to the secret can be read)."""

    def text_of(finding: Finding) -> str | None:
        for base in bases:
            text = _blob(base, finding.commit, finding.path) if finding.commit else _file(base / finding.path)
            if text is not None:
                return text
        return None

    return text_of


def _file(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_FILE:
            return None
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return None


def _blob(repo: Path, commit: str, path: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), "cat-file", "blob", f"{commit}:{path}"],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or len(done.stdout) > _MAX_FILE:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def validate_plan_targets(targets: Sequence[str], config: Config, options: ValidateOptions,
                          only_live: bool) -> tuple[list[str], str]:
    """For `migrate plan --validate`: (the targets to plan, narrowed to the live secrets'
    `PATH:LINE` with ``only_live``; the "rotate first" section to print with the plan)."""
    from secretshift.errors import FatalError
    from secretshift.migrate.history import exposures
    from secretshift.migrate.plan import parse_target, repo_root, scan_targets
    from secretshift.validate.priority import plan_section

    parsed = [parse_target(t) for t in targets]
    root = repo_root(Path(parsed[0].path).resolve() if Path(parsed[0].path).exists() else Path.cwd())
    findings = validate_findings(scan_targets(parsed, config, root)[0], options, text_of=text_source([root]))
    if only_live:
        findings = only_valid(findings)
        if not findings:
            raise FatalError("nothing to migrate: --validate found no live secret (--only-valid)", 1)
        targets = [f"{root / f.path}:{f.line}" for f in findings]
    found, _ = exposures(root, {f.secret_hash: f.secret.reveal() for f in findings})
    return list(targets), plan_section(findings, {e.label for e in found})
