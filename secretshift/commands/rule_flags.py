"""Command-line flags that mirror the config's selection settings, as gitleaks and detect-secrets
users expect them: `--exclude REGEX` (config `exclude`), `--enable-rule ID` (`enable`: only these
rules run) and `--disable-rule ID` (`disable`). Flags add to what the config file says."""
from __future__ import annotations

import argparse

from secretshift.config import Config
from secretshift.errors import FatalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("selection (added to the config's `exclude`, `enable`, `disable`)")
    group.add_argument("--exclude", action="append", default=[], metavar="REGEX",
                       help="never scan paths matching REGEX (repeatable)")
    group.add_argument("--enable-rule", action="append", default=[], metavar="ID",
                       help="run only this rule (repeatable; `secretshift rules` lists the ids)")
    group.add_argument("--disable-rule", action="append", default=[], metavar="ID",
                       help="do not run this rule (repeatable)")


def apply(args: argparse.Namespace, config: Config) -> Config:
    """``config`` with the flags added; an unknown rule id or a bad regex is an error (exit 2),
    never a run that silently checks something else."""
    exclude = list(getattr(args, "exclude", None) or [])
    enable = list(getattr(args, "enable_rule", None) or [])
    disable = list(getattr(args, "disable_rule", None) or [])
    if not (exclude or enable or disable):
        return config
    from secretshift.scanner.regex import compile_text

    for pattern in exclude:
        compile_text(pattern, f"--exclude {pattern!r}")
    if enable or disable:
        _check_rule_ids([*enable, *disable], config)
    enabled_only = config.enabled_only
    if enable:
        enabled_only = frozenset(enable) if enabled_only is None else enabled_only | frozenset(enable)
    return config._replace(exclude=(*config.exclude, *exclude), enabled_only=enabled_only,
                   disabled=config.disabled | frozenset(disable))


def _check_rule_ids(ids: list[str], config: Config) -> None:
    from secretshift.plugins import detector_factories
    from secretshift.scanner.rules import builtin_rules

    known = {rule.id for rule in (*builtin_rules(examples=False), *config.extra_rules)}
    known |= {rule.id for factory in detector_factories().values() for rule in factory().rules}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise FatalError(f"unknown rule id(s): {', '.join(unknown)} (`secretshift rules` lists them)")
