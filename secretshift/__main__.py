from __future__ import annotations

from secretshift.cli import console

raise SystemExit(console())
