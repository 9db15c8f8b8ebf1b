from __future__ import annotations

from secretshift.cli import main

raise SystemExit(main())
