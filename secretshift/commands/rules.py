"""`secretshift rules`: what the scanner looks for."""
from __future__ import annotations

import argparse
import json
import sys

from secretshift.config import load_config
from secretshift.errors import EXIT_CLEAN
from secretshift.models import Rule


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--config", metavar="FILE", help="config file (default: discovered)")


def run(args: argparse.Namespace) -> int:
    from secretshift.scanner.build import all_rule_descriptions

    rules = sorted(all_rule_descriptions(load_config(args.config)), key=lambda r: r.id)
    if args.format == "json":
        print(json.dumps(
            [{"id": r.id, "description": r.description, "provider": r.provider, "family": _family(r),
              "confidence": r.confidence, "checksum": r.validator, "keywords": list(r.keywords),
              "rotation": r.rotation} for r in rules],
            indent=2,
        ))
    else:
        width = max((len(r.id) for r in rules), default=0)
        family_width = max((len(_family(r)) for r in rules), default=0)
        print(f"{'RULE'.ljust(width)}  {'FAMILY'.ljust(family_width)}  CONFIDENCE  CHECKSUM  DESCRIPTION")
        for rule in rules:
            checksum = "yes" if rule.validator else "-"
            print(
                f"{rule.id.ljust(width)}  {_family(rule).ljust(family_width)}  {rule.confidence.ljust(10)}  "
                f"{checksum.ljust(8)}  {rule.description}"
            )
        print(f"{len(rules)} rules", file=sys.stderr)
    return EXIT_CLEAN


def _family(rule: Rule) -> str:
    # Python detectors' rules have no pack: they are the generic/structural family.
    return rule.family or ("Generic and structured files" if not rule.regex else rule.provider or "Custom")
