"""The `secretshift-migrate` hook: `secretshift migrate plan [ARGS]`, in the manual stage.

It writes a plan and changes nothing else; the planner's libraries come with the `migrate` extra
(the hook manifest lists them as additional_dependencies).
"""
from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from secretshift.cli import main as cli_main

    return cli_main(["migrate", "plan", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
