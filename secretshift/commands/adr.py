"""`secretshift adr check|checks`: hold IaC (and, with --aws, the live account) to ADR 005."""
from __future__ import annotations

import argparse
import sys

from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS

FORMATS = ("text", "json", "sarif", "github", "junit")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="adr_command", metavar="STEP", parser_class=type(parser))
    sub.required = True
    check = sub.add_parser("check", help="check Terraform, CloudFormation, Kubernetes, eksctl, IAM and ECS "
                                         "files against ADR 005 (exit 1 on violations)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--format", "-f", choices=FORMATS, default="text")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--config", metavar="FILE", help="config file with [tool.secretshift.adr]")
    check.add_argument("--aws", action="store_true", help="also check the live AWS account (read-only calls)")
    check.add_argument("--region", help="AWS region for --aws (default: the standard AWS settings)")
    check.add_argument("--profile", help="AWS profile for --aws")
    check.add_argument("--endpoint-url", help="AWS endpoint for --aws (a local test endpoint)")
    check.add_argument("--fix", action="store_true",
                       help="show a diff fixing the mechanical violations in Terraform and CloudFormation")
    check.add_argument("--yes", action="store_true", help="with --fix: write the fixes")
    check.add_argument("--as-of", metavar="DATE", help="judge exception expiry as of this ISO date (default: today)")
    sub.add_parser("checks", help="list the checks and the ADR clause each enforces")


def _list_checks() -> int:
    from secretshift.adr.model import CHECKS, CLAUSES

    for clause, title in CLAUSES.items():
        print(f"clause {clause}: {title}")
        for check in CHECKS.values():
            if check.clause == clause:
                print(f"  {check.id:38} {check.title}")
    return EXIT_CLEAN


def run(args: argparse.Namespace) -> int:
    if args.adr_command == "checks":
        return _list_checks()
    import datetime as dt

    from secretshift.adr.engine import apply_exceptions, check_paths, first_directory
    from secretshift.adr.fix import write_report
    from secretshift.adr.report import RENDERERS
    from secretshift.adr.settings import load_settings
    from secretshift.errors import FatalError

    paths = args.paths or ["."]
    if args.yes and not args.fix:
        raise FatalError("--yes only goes with --fix")
    today = dt.date.today()
    if args.as_of:
        try:
            today = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise FatalError(f"--as-of must be an ISO date such as 2026-01-31, got {args.as_of!r}") from None
    settings = load_settings(args.config, first_directory(paths))
    result = check_paths(paths, settings, today)
    if args.aws:
        from secretshift.adr.live import check_account

        live = check_account(settings, region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)
        merged = apply_exceptions([*result.violations, *result.excepted, *live], settings, today,
                                  result.skipped, result.files_checked)
        result = merged
    if args.fix:
        from secretshift.adr.fix import fix_violations

        return fix_violations(result, apply=args.yes)
    write_report(RENDERERS[args.format](result), args.output)
    if result.violations and args.format == "text" and args.output is None and sys.stdout.isatty():
        print("Fix the mechanical ones with: secretshift adr check --fix (shows a diff; --fix --yes writes it)")
    return EXIT_FINDINGS if result.violations else EXIT_CLEAN
