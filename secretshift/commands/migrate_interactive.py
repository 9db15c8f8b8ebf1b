"""`secretshift migrate interactive [PATH ...]`: decide per finding (migrate / allow / baseline / skip),
then plan and apply the ones chosen for migration. Reads answers from stdin, so it can be scripted."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secretshift.errors import EXIT_CLEAN
from secretshift.models import Finding
from secretshift.plugins.filekind import KINDS
from secretshift.textutil import terminal_text

# Comment leaders by file kind (the detectors' kinds: every YAML flavour is a YAML file) ...
_LEADERS = {kind.name: kind.leader for kind in KINDS if kind.leader}
# ... and by file name ending, for kinds the detectors leave generic.
_SUFFIX_LEADERS = {f".{ext}": kind.leader for kind in KINDS if kind.leader for ext in kind.extensions}
# Files whose readers may take an inline comment as part of the value: the comment goes above.
_CONFIG_KINDS = frozenset(kind.name for kind in KINDS if kind.above)
_CONFIG_SUFFIXES = tuple(f".{ext}" for kind in KINDS if kind.above for ext in kind.extensions)
_CHOICES = {"m": "migrate", "a": "allow", "b": "baseline", "s": "skip", "q": "quit"}


def _read_answer(prompt: str) -> str | None:
    """One line of input after ``prompt``. When input is piped, the answer is echoed and the line
    ended, so a scripted run's output reads as a dialogue instead of prompts run together."""
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not sys.stdin.isatty():
        print(line.strip() if line else "(end of input)", flush=True)
    return line or None


def _answer(prompt: str) -> str:
    while True:
        line = _read_answer(prompt)
        if line is None:
            return "q"
        choice = line.strip().lower()[:1]
        if choice in _CHOICES:
            return choice
        print("answer m (migrate), a (allow), b (baseline), s (skip) or q (quit)")


def _comment_style(path: str, kind: str) -> tuple[str | None, bool]:
    """(comment leader, whether the comment goes on the line above) for ``path``."""
    lowered = path.lower()
    suffix = next((s for s in _SUFFIX_LEADERS if lowered.endswith(s)), None)
    leader = _LEADERS.get(kind) or (_SUFFIX_LEADERS[suffix] if suffix else None)
    above = kind in _CONFIG_KINDS or lowered.endswith(_CONFIG_SUFFIXES)
    return leader, above


def _allow(root: Path, path: str, line: int, kind: str) -> bool:
    """Mark the finding with the allow comment the scanner honours: inline in code; on the line
    above in config files, where some readers (docker compose env_file) would take an inline
    comment as part of the value."""
    leader, above = _comment_style(path, kind)
    target = root / path
    lines = target.read_text("utf-8").splitlines(keepends=True)
    if leader is None or line > len(lines):
        return False
    text = lines[line - 1]
    ending = text[len(text.rstrip("\r\n")):] or "\n"
    if above:
        indent = text[: len(text) - len(text.lstrip())]
        lines.insert(line - 1, f"{indent}{leader} secretshift: allow{ending}")
    else:
        lines[line - 1] = text.rstrip("\r\n") + f"  {leader} secretshift: allow" + ending
    from secretshift.migrate.apply import write_all

    write_all(root, {path: "".join(lines)})
    return True


def _baselined(root: Path, findings: list[Finding]) -> list[Finding]:
    """The findings not yet accepted in the repository's baseline."""
    from secretshift.baseline_file import load_baseline, resolve_baseline_path
    from secretshift.config import load_config

    config = load_config(None, root)
    path = resolve_baseline_path(None, config.baseline, root)
    if path is None:
        return findings
    baseline = load_baseline(path, config.hash_key)
    return [f for f in findings if baseline.match(f.path, f) is None]


def _to_baseline(root: Path, finding: Finding) -> None:
    """Accept the finding in the repository's baseline."""
    from secretshift.baseline_file import BASELINE_NAME, Baseline, entry_for, load_baseline, resolve_baseline_path, write_baseline
    from secretshift.config import load_config

    config = load_config(None, root)
    path = resolve_baseline_path(None, config.baseline, root) or root / BASELINE_NAME
    baseline = load_baseline(path, config.hash_key) if path.is_file() else Baseline()
    previous = baseline.match(finding.path, finding)
    write_baseline(path, baseline.with_entries([*baseline.entries, entry_for(finding, finding.path, previous)]))


def run_interactive(args: argparse.Namespace) -> int:
    from secretshift.commands.migrate import aws_settings, load_settings
    from secretshift.migrate.apply import ApplyOptions, apply_plan
    from secretshift.migrate.plan import Target, file_kind, plan_migration, repo_root, scan_targets
    from secretshift.migrate.summary import plan_summary

    paths = list(getattr(args, "paths", None) or [getattr(args, "path", ".")])
    config, settings = load_settings(args.config, paths[0])
    root = repo_root(Path(paths[0]).resolve())
    findings, _ = scan_targets([Target(p) for p in paths], config, root)
    findings = _baselined(root, findings)
    if not findings:
        print("no secrets found: nothing to do")
        return EXIT_CLEAN
    chosen: list[str] = []
    print(f"{len(findings)} finding(s). For each: [m]igrate to AWS Secrets Manager, [a]llow "
          "(inline comment), [b]aseline, [s]kip, [q]uit")
    for index, finding in enumerate(findings, 1):
        key = f" {finding.key}" if finding.key else ""
        print(terminal_text(f"[{index}/{len(findings)}] {finding.path}:{finding.line}{key} {finding.rule} "
                            f"{finding.redacted}").replace("\n", "\\n"))
        choice = _answer("m/a/b/s/q? ")
        if choice == "q":
            break
        if choice == "m":
            chosen.append(f"{root / finding.path}:{finding.line}")
        elif choice == "a":
            done = _allow(root, finding.path, finding.line, file_kind(finding.path, finding))
            print("  allowed with an inline comment" if done else "  cannot add a comment to this file type; skipped")
        elif choice == "b":
            _to_baseline(root, finding)
            print("  added to the baseline")
    if not chosen:
        print("nothing chosen for migration")
        return EXIT_CLEAN
    plan = plan_migration(chosen, config, settings)
    print(terminal_text(plan_summary(plan, with_diff=True)))
    answer = _read_answer("apply this plan now? [y/N] ")
    if (answer or "").strip().lower() not in ("y", "yes"):
        print("not applied")
        return EXIT_CLEAN
    options = ApplyOptions(aws=aws_settings(args, dict(plan.aws)), yes=True)
    return apply_plan(plan, options, lambda _q: True, print)
