"""`secretshift baseline create|update|audit`: the accepted findings, in `.secrets.baseline`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secretshift.config import Config
from secretshift.errors import EXIT_CLEAN, FatalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    for name, help_text in (
        ("create", "scan and write a new baseline (refuses to replace one without --force)"),
        ("update", "rescan: add new findings, refresh line numbers, drop what is gone, keep labels"),
    ):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
        _common(sub)
        sub.add_argument("--no-git", "--all-files", dest="no_git", action="store_true",
                         help="scan every file, ignoring .gitignore")
        if name == "create":
            sub.add_argument("--force", action="store_true", help="replace an existing baseline")
    audit = actions.add_parser("audit", help="label baseline entries as real or false positive",
                               description="label baseline entries as real or false positive (in a terminal)")
    _common(audit)
    audit.add_argument("file", nargs="?", metavar="FILE",
                       help="the baseline to audit (as detect-secrets' `audit FILE`; same as --baseline)")
    audit.add_argument("--report", action="store_true", help="print a summary instead of asking")
    audit.add_argument("--all", action="store_true", help="ask about labelled entries too")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--baseline", metavar="PATH",
                        help="baseline file (default: `baseline` in the config, else .secrets.baseline at the repository root)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")


def baseline_location(explicit: str | None, configured: str | None, root: Path,
                      config_source: str | None = None) -> Path:
    """Where the baseline is (or will be written): as `resolve_baseline_path` finds it."""
    if explicit is not None:
        return Path(explicit)
    if configured is not None:
        folder = Path(config_source).parent if config_source else root
        return Path(configured) if Path(configured).is_absolute() else folder / configured
    from secretshift.baseline_file import BASELINE_NAME

    return root / BASELINE_NAME


def run(args: argparse.Namespace) -> int:
    from secretshift.baseline_file import find_repo_root
    from secretshift.config import load_config

    root = find_repo_root(Path.cwd())
    config = load_config(args.config, root)
    explicit = args.baseline
    if getattr(args, "file", None):
        if args.baseline and args.baseline != args.file:
            raise FatalError("give the baseline once: as FILE or as --baseline")
        explicit = args.file
    path = baseline_location(explicit, config.baseline, root, config.source)
    if args.action == "audit":
        from secretshift.audit import audit_interactively, audit_report

        if args.report:
            sys.stdout.write(audit_report(path, config))
            return EXIT_CLEAN
        return audit_interactively(path, config, root, ask_all=args.all)
    return _write(args, config, path, root)


def _write(args: argparse.Namespace, config: Config, path: Path, root: Path) -> int:
    from secretshift.baseline_file import Baseline, load_baseline, refreshed, root_relative, write_baseline
    from secretshift.rooted_scan import scan_rooted
    if args.action == "create" and path.exists() and not args.force:
        raise FatalError(f"{path} exists; use `secretshift baseline update` (keeps labels) or create --force")
    previous = load_baseline(path, config.hash_key) if args.action == "update" and path.exists() else Baseline()
    rooted = scan_rooted(args.paths or ["."], config, root, use_git=not args.no_git)
    # The baseline never lists itself.
    own_name = root_relative(str(path), root)
    named = [(name, finding) for name, finding in rooted.named if name != own_name]
    updated = refreshed(previous, named, rooted.covers)
    from secretshift.safe_write import PathOrigin

    origin = PathOrigin.NAMED_BY_USER if args.baseline else PathOrigin.FROM_REPOSITORY
    changed = write_baseline(path, updated, root, origin)
    before = {e.identity for e in previous.entries}
    after = {e.identity for e in updated.entries}
    state = "written" if changed else "unchanged"
    print(
        f"secretshift: baseline {root_relative(str(path), root)} {state}: {len(after)} entries "
        f"({len(after - before)} added, {len(before - after)} removed)",
        file=sys.stderr,
    )
    return EXIT_CLEAN
