"""CI entry point: ``secretshift-ci`` is ``secretshift ci`` (see ``secretshift.commands.ci``)."""
from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    from secretshift.cli import main as cli_main

    return cli_main(["ci", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
