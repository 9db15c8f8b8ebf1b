"""The `--validate` flags of `scan`, `ci` and `migrate plan`. Light on purpose: parsing the
command line must not import an HTTP client; the work is in :mod:`secretshift.validate.command`."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from secretshift.errors import FatalError

if TYPE_CHECKING:
    from secretshift.validate.runner import ValidateOptions
    from secretshift.validate.safety import test_base_url

    test_base_url()  # a misused test hook is refused now, not after the scan

DEFAULT_TTL = 24 * 3600


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("live validation (off by default: sends each secret to its provider)")
    group.add_argument("--validate", action="store_true",
                       help="ask each secret's provider whether it is live and whose it is (prints what it contacts)")
    group.add_argument("--validate-network-services", action="store_true",
                       help="with --validate: also connect to the databases named in database URLs")
    group.add_argument("--only-valid", action="store_true", help="with --validate: report only live secrets")
    group.add_argument("--validate-cache-ttl", type=float, default=DEFAULT_TTL, metavar="SECONDS",
                       help=f"reuse validation results this long (default {DEFAULT_TTL}; 0: no cache)")


def options_from(args: argparse.Namespace) -> ValidateOptions | None:
    """None without `--validate`; a flag that needs it without it is a usage error (exit 2)."""
    wanted = getattr(args, "validate", False)
    if not wanted:
        for flag in ("validate_network_services", "only_valid"):
            if getattr(args, flag, False):
                raise FatalError(f"--{flag.replace('_', '-')} needs --validate")
        return None
    ttl = getattr(args, "validate_cache_ttl", DEFAULT_TTL)
    if ttl < 0:
        raise FatalError("--validate-cache-ttl must be 0 or more seconds")
    from secretshift.validate.runner import ValidateOptions
    from secretshift.validate.safety import test_base_url

    test_base_url()  # a misused test hook is refused now, not after the scan

    return ValidateOptions(network_services=getattr(args, "validate_network_services", False), cache_ttl=ttl)
