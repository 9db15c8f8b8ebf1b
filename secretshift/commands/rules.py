"""`secretshift rules`: what the scanner looks for."""
from __future__ import annotations

import argparse
import json

from secretshift.config import load_config
from secretshift.errors import EXIT_CLEAN


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--config", metavar="FILE", help="config file (default: discovered)")


def run(args: argparse.Namespace) -> int:
    from secretshift.scanner.build import all_rule_descriptions

    rules = sorted(all_rule_descriptions(load_config(args.config)), key=lambda r: r.id)
    if args.format == "json":
        print(json.dumps(
            [{"id": r.id, "description": r.description, "provider": r.provider,
              "keywords": list(r.keywords), "rotation": r.rotation} for r in rules],
            indent=2,
        ))
    else:
        width = max((len(r.id) for r in rules), default=0)
        for rule in rules:
            print(f"{rule.id.ljust(width)}  {rule.description}")
    return EXIT_CLEAN
