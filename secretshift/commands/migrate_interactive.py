"""`secretshift migrate interactive [PATH]`: decide per finding (migrate / allow / baseline / skip),
then plan and apply the ones chosen for migration. Reads answers from stdin, so it can be scripted."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secretshift.errors import EXIT_CLEAN
from secretshift.models import Finding

_LEADERS = {"python": "#", "dotenv": "#", "yaml": "#", "shell": "#", "toml": "#", "ini": "#",
            "properties": "#", "ruby": "#", "dockerfile": "#", "terraform": "#", "hcl": "#",
            "javascript": "//", "typescript": "//", "go": "//", "java": "//", "csharp": "//", "php": "//"}
_CONFIG_KINDS = {"dotenv", "yaml", "toml", "ini", "properties", "hcl", "terraform"}
_CHOICES = {"m": "migrate", "a": "allow", "b": "baseline", "s": "skip", "q": "quit"}


def _answer(prompt: str) -> str:
    while True:
        print(prompt, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return "q"
        choice = line.strip().lower()[:1]
        if choice in _CHOICES:
            return choice
        print("answer m (migrate), a (allow), b (baseline), s (skip) or q (quit)")


def _allow(root: Path, path: str, line: int, kind: str) -> bool:
    """Mark the finding with the allow comment the scanner honours: inline in code; on the line
    above in config files, where some readers (docker compose env_file) would take an inline
    comment as part of the value."""
    leader = _LEADERS.get(kind)
    target = root / path
    lines = target.read_text("utf-8").splitlines(keepends=True)
    if leader is None or line > len(lines):
        return False
    text = lines[line - 1]
    ending = text[len(text.rstrip("\r\n")):] or "\n"
    if kind in _CONFIG_KINDS:
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
    return [f for f in findings if baseline.lookup(f.path, f.secret_hash) is None]


def _to_baseline(root: Path, finding: Finding) -> None:
    """Accept the finding in the repository's baseline."""
    from secretshift.baseline_file import BASELINE_NAME, Baseline, entry_for, load_baseline, resolve_baseline_path, write_baseline
    from secretshift.config import load_config

    config = load_config(None, root)
    path = resolve_baseline_path(None, config.baseline, root) or root / BASELINE_NAME
    baseline = load_baseline(path, config.hash_key) if path.is_file() else Baseline()
    previous = baseline.lookup(finding.path, finding.secret_hash)
    write_baseline(path, baseline.with_entries([*baseline.entries, entry_for(finding, finding.path, previous)]))


def run_interactive(args: argparse.Namespace) -> int:
    from secretshift.commands.migrate import aws_settings, load_settings
    from secretshift.migrate.apply import ApplyOptions, apply_plan
    from secretshift.migrate.plan import Target, file_kind, plan_migration, repo_root, scan_targets
    from secretshift.migrate.summary import plan_summary

    config, settings = load_settings(args.config, args.path)
    root = repo_root(Path(args.path).resolve())
    findings, _ = scan_targets([Target(args.path)], config, root)
    findings = _baselined(root, findings)
    if not findings:
        print("no secrets found: nothing to do")
        return EXIT_CLEAN
    chosen: list[str] = []
    print(f"{len(findings)} finding(s). For each: [m]igrate to AWS Secrets Manager, [a]llow "
          "(inline comment), [b]aseline, [s]kip, [q]uit")
    for index, finding in enumerate(findings, 1):
        key = f" {finding.key}" if finding.key else ""
        print(f"[{index}/{len(findings)}] {finding.path}:{finding.line}{key} {finding.rule} {finding.redacted}")
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
    print(plan_summary(plan, with_diff=True))
    print("apply this plan now? [y/N] ", end="", flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        print("not applied")
        return EXIT_CLEAN
    options = ApplyOptions(aws=aws_settings(args, dict(plan.aws)), yes=True)
    return apply_plan(plan, options, lambda _q: True, print)
