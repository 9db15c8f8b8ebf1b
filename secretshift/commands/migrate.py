"""`secretshift migrate plan|apply|interactive`: move hard-coded secrets into AWS Secrets Manager."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from secretshift.errors import EXIT_CLEAN, FatalError
from secretshift.textutil import terminal_text

if TYPE_CHECKING:
    from secretshift.config import Config
    from secretshift.migrate.settings import MigrateSettings
    from secretshift.migrate.store import AwsSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="migrate_command", metavar="STEP", parser_class=type(parser))
    sub.required = True
    plan = sub.add_parser("plan", help="plan the migration (no AWS call, nothing written but --out)")
    plan.add_argument("targets", nargs="*", metavar="PATH[:LINE]", help="files, directories or file:line (default: .)")
    plan.add_argument("--out", metavar="FILE", help="write the plan as JSON (default: print a summary)")
    plan.add_argument("--config", metavar="FILE", help="config file (default: .secretshift.toml or pyproject.toml)")
    plan.add_argument("--include-tests", action="store_true",
                      help="also migrate findings under test paths (tests/, *_test.go, *.spec.ts, ...)")
    plan.add_argument("--store-unreferenced", action="store_true",
                      help="store a secret in ASM even when no rewritten reference reads it")
    from secretshift.validate.flags import add_arguments as add_validate_arguments

    add_validate_arguments(plan)
    apply = sub.add_parser(
        "apply", help="apply a plan: create the secrets, then rewrite the files",
        epilog="exit codes: 0 migrated, nothing left in plaintext; 1 a file changed since the plan (named) "
               "or cancelled; 2 an error (AWS, a foreign secret, configuration); 3 applied, but plaintext is "
               "left at the sites listed (refused sites, copies, values found elsewhere in the repository)")
    apply.add_argument("plan", metavar="PLAN", help="a plan file from `migrate plan --out`")
    add_aws_arguments(apply)
    apply.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    apply.add_argument("--dry-run", action="store_true", help="check everything, call nothing that writes")
    apply.add_argument("--update-existing", action="store_true",
                       help="overwrite an existing secret of the same name holding a different value")
    apply.add_argument("--write-replace-file", metavar="PATH",
                       help="write a `git filter-repo --replace-text` file (outside the repo, mode 0600)")
    interactive = sub.add_parser("interactive", help="walk through findings, then plan and apply")
    interactive.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                             help="files or directories (default: .)")
    interactive.add_argument("--config", metavar="FILE")
    add_aws_arguments(interactive)


def add_aws_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", metavar="URL", help="AWS endpoint (default: AWS_ENDPOINT_URL or AWS's)")
    parser.add_argument("--region", metavar="REGION", help="AWS region (default: AWS_REGION / profile)")
    parser.add_argument("--profile", metavar="NAME", help="AWS profile (default: AWS_PROFILE / default)")


def run(args: argparse.Namespace) -> int:
    if args.migrate_command == "plan":
        return run_plan(args)
    if args.migrate_command == "apply":
        return run_apply(args)
    from secretshift.commands.migrate_interactive import run_interactive

    return run_interactive(args)


def load_settings(config_path: str | None, first: str) -> tuple[Config, MigrateSettings]:
    """The config of the repository holding ``first`` (its root's `.secretshift.toml` or
    `pyproject.toml`), wherever inside it the command runs; `--config` wins."""
    from secretshift.commands.scan import resolve_config
    from secretshift.migrate.plan import repo_root
    from secretshift.migrate.settings import parse_settings

    start = Path(first).resolve() if Path(first).exists() else Path.cwd()
    config = resolve_config(argparse.Namespace(config=config_path), str(repo_root(start)))
    origin = f"{config.source or 'config'} [tool.secretshift.migrate]"
    settings = parse_settings(config.migrate, origin)
    if settings.rotation_by_rule:
        # a misspelt rule id would silently keep the default lifetime for that credential
        from secretshift.config import check_rule_table_ids
        from secretshift.scanner.build import all_rule_descriptions

        check_rule_table_ids(settings.rotation_by_rule, f"{origin} rotation.rule",
                             [rule.id for rule in all_rule_descriptions(config)])
    return config, settings


def run_plan(args: argparse.Namespace) -> int:
    from secretshift.output import emit
    from secretshift.migrate.plan_file import plan_to_json
    from secretshift.migrate.plan import parse_target, plan_migration
    from secretshift.migrate.summary import plan_summary

    from secretshift.validate.flags import options_from

    targets = args.targets or ["."]
    config, settings = load_settings(args.config, parse_target(targets[0]).path)
    validate, rotate_first = options_from(args), ""
    if validate is not None:
        from secretshift.validate.command import validate_plan_targets

        targets, rotate_first = validate_plan_targets(targets, config, validate, args.only_valid)
    plan = plan_migration(targets, config, settings, include_tests=args.include_tests,
                          store_unreferenced=args.store_unreferenced)
    if args.out:
        emit(plan_to_json(plan), args.out)
        print(terminal_text(plan_summary(plan, with_diff=False) + rotate_first))
        print(terminal_text(f"plan written to {args.out}; apply it with `secretshift migrate apply {args.out}`"))
    else:
        print(terminal_text(plan_summary(plan, with_diff=True) + rotate_first))
    return EXIT_CLEAN


def aws_settings(args: argparse.Namespace, defaults: dict[str, str]) -> AwsSettings:
    from secretshift.migrate.store import AwsSettings

    return AwsSettings(
        region=args.region or defaults.get("region"),
        profile=args.profile or defaults.get("profile"),
        endpoint_url=args.endpoint_url or defaults.get("endpoint_url"),
    )


def ask(question: str) -> bool:
    if not sys.stdin.isatty():
        raise FatalError("not on a terminal: pass --yes to apply without confirmation")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def run_apply(args: argparse.Namespace) -> int:
    from secretshift.migrate.apply import ApplyOptions, apply_plan
    from secretshift.migrate.plan_file import plan_from_json

    try:
        text = Path(args.plan).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"cannot read plan {args.plan}: {getattr(exc, 'strerror', None) or exc}") from None
    plan = plan_from_json(text, args.plan)
    options = ApplyOptions(
        aws=aws_settings(args, dict(plan.aws)), yes=args.yes, dry_run=args.dry_run,
        update_existing=args.update_existing, write_replace_file=args.write_replace_file,
    )
    return apply_plan(plan, options, ask, print)
