"""`secretshift sweep`: the full history of many repositories on a Dask cluster, one report."""
from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secretshift.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, FatalError

if TYPE_CHECKING:
    from secretshift.sweep.store import RepoRecord

FORMATS = ("json", "sarif", "html")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$")

EXAMPLES = """\
examples:
  secretshift sweep ~/src                       # every repository under ~/src, a local cluster
  secretshift sweep --repos repos.txt --out sweep-2026-12 --format html --format json
  secretshift sweep --scheduler tcp://dask-scheduler:8786 --repos repos.txt
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXAMPLES
    parser.add_argument("sources", nargs="*", metavar="SOURCE",
                        help="a repository, a folder holding repositories (2 levels deep), a mirror, or a git URL")
    parser.add_argument("--repos", metavar="FILE", help="a file listing repository paths or git URLs, one a line")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler (tcp://host:8786); "
                        "default: a LocalCluster sized to this machine")
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes of the local cluster (default: CPUs)")
    parser.add_argument("--out", default="secretshift-sweep", metavar="DIR",
                        help="results and reports (default: ./secretshift-sweep); a re-run resumes from it")
    parser.add_argument("--format", action="append", choices=FORMATS, dest="formats",
                        help="report to write into DIR, repeatable (default: json and html)")
    parser.add_argument("--since", metavar="DATE", help="only commits since DATE (YYYY-MM-DD[THH:MM[:SS]])")
    parser.add_argument("--config", metavar="FILE", help="the sweep's configuration (never read from the repositories)")
    parser.add_argument("--cache-dir", metavar="DIR", help="where workers keep mirrors of remote repositories "
                        "(default: $SECRETSHIFT_CACHE_DIR/sweep-repos or ~/.cache/secretshift/sweep-repos)")
    parser.add_argument("--task-timeout", type=float, default=3600.0, metavar="SECONDS",
                        help="time limit of one task (a clone, or one commit range's scan); default 3600")
    parser.add_argument("--task-memory", metavar="SIZE", help="memory limit of one scanning process, e.g. 2GB")
    parser.add_argument("--split-commits", type=int, default=20_000, metavar="N",
                        help="cut histories longer than N commits into several tasks (default 20000)")
    from secretshift.validate.flags import add_arguments as add_validate_arguments

    add_validate_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from secretshift.config import parse_size
    from secretshift.sweep.inventory import discover
    from secretshift.sweep.tasks import Limits, SweepOptions

    if args.workers is not None and args.workers < 1:
        raise FatalError("--workers must be at least 1")
    if args.workers is not None and args.scheduler:
        raise FatalError("--workers sizes the local cluster; it cannot be combined with --scheduler")
    if args.task_timeout <= 0:
        raise FatalError("--task-timeout must be positive")
    if args.split_commits < 100:
        raise FatalError("--split-commits must be at least 100")
    if args.since is not None and not _ISO_DATE.match(args.since):
        raise FatalError(f"invalid --since date {args.since!r}: expected YYYY-MM-DD[THH:MM[:SS]]")
    memory = parse_size(args.task_memory, "--task-memory") if args.task_memory else None
    from secretshift.validate.flags import options_from

    validate = options_from(args)
    config_text, origin = _config(args.config)
    repos = discover(args.sources, args.repos)
    out_dir = Path(args.out)
    options = SweepOptions(
        cache_dir=args.cache_dir or _default_cache(),
        limits=Limits(seconds=args.task_timeout, memory_bytes=memory, split_commits=args.split_commits),
        since=args.since,
        config_text=config_text,
        config_origin=origin,
        validate=None if validate is None else {
            "network_services": validate.network_services, "cache_ttl": validate.cache_ttl,
            "only_valid": bool(args.only_valid)},
    )
    if validate is not None:
        print("secretshift sweep: --validate: the workers send each secret found to its provider's documented "
              "host only (see `secretshift rules`); results are cached by keyed hash", file=sys.stderr)
    from secretshift.sweep.run import run_sweep

    result = run_sweep(repos, out_dir, options, scheduler=args.scheduler, workers=args.workers, progress=sys.stderr)
    written = write_reports(result.records, out_dir, args.formats or ["json", "html"], result.seconds)
    findings = sum(len(r.findings) for r in result.records)
    print(
        f"secretshift sweep: {len(result.records)} repositories ({result.scanned} scanned, "
        f"{result.unchanged} unchanged, {result.failed} failed), {findings} findings in "
        f"{result.seconds:.1f} s; reports: {', '.join(str(p) for p in written)}",
        file=sys.stderr,
    )
    if result.failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def write_reports(records: Sequence[RepoRecord], out_dir: Path, formats: Sequence[str],
                  seconds: float | None = None) -> list[Path]:
    from secretshift.report.html import render_document
    from secretshift.sweep.report import build_document, render_json, render_sarif

    document = build_document(records, seconds)
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "json": render_json, "sarif": render_sarif, "html": render_document}
    written = []
    for name in dict.fromkeys(formats):
        target = out_dir / f"report.{name}"
        _write(target, renderers[name](document))
        written.append(target)
    return written


def _write(target: Path, text: str) -> None:
    from secretshift.safe_write import PathOrigin, write_bytes

    # --out is named by the user; inside it nothing is followed through a symlink
    write_bytes(target, text.encode("utf-8", "backslashreplace"), root=target.parent, origin=PathOrigin.NAMED_BY_USER)


def _config(path: str | None) -> tuple[str | None, str]:
    if path is None:
        return None, "<defaults>"
    try:
        return Path(path).read_text(encoding="utf-8"), str(Path(path).resolve())
    except OSError as exc:
        raise FatalError(f"cannot read --config {path}: {exc.strerror}") from None


def _default_cache() -> str:
    base = os.environ.get("SECRETSHIFT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "secretshift")
    return os.path.join(base, "sweep-repos")
