"""`secretshift migrate interactive [PATH]`: decide per finding (migrate / allow / baseline / skip),
then plan and apply the ones chosen for migration. Reads answers from stdin, so it can be scripted."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secretshift.errors import EXIT_CLEAN, FatalError

_LEADERS = {"python": "#", "dotenv": "#", "yaml": "#", "shell": "#", "toml": "#", "ini": "#",
            "properties": "#", "ruby": "#", "dockerfile": "#", "terraform": "#", "hcl": "#",
            "javascript": "//", "typescript": "//", "go": "//", "java": "//", "csharp": "//", "php": "//"}
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
    """Mark the line with the inline allow comment the scanner honours."""
    leader = _LEADERS.get(kind)
    target = root / path
    lines = target.read_text("utf-8").splitlines(keepends=True)
    if leader is None or line > len(lines):
        return False
    text = lines[line - 1]
    ending = text[len(text.rstrip("\r\n")):]
    lines[line - 1] = text.rstrip("\r\n") + f"  {leader} secretshift: allow" + ending
    from secretshift.migrate.apply import write_all

    write_all(root, {path: "".join(lines)})
    return True


def run_interactive(args: argparse.Namespace) -> int:
    from secretshift.commands.migrate import aws_settings, load_settings
    from secretshift.migrate.apply import ApplyOptions, apply_plan
    from secretshift.migrate.plan import Target, file_kind, plan_migration, repo_root, scan_targets
    from secretshift.migrate.summary import plan_summary

    config, settings = load_settings(args.config, args.path)
    root = repo_root(Path(args.path).resolve())
    findings, _ = scan_targets([Target(args.path)], config, root)
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
            print("  baseline: not available in this build yet; skipped")
    if not chosen:
        print("nothing chosen for migration")
        return EXIT_CLEAN
    plan = plan_migration(chosen, config, settings)
    print(plan_summary(plan, with_diff=True))
    if _answer("apply this plan now? [m=yes / s=no] ") != "m":
        print("not applied")
        return EXIT_CLEAN
    options = ApplyOptions(aws=aws_settings(args, dict(plan.aws)), yes=True)
    if not sys.stdin:
        raise FatalError("no input")
    return apply_plan(plan, options, lambda _q: True, print)
