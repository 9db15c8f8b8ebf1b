"""Plan + apply every sample repository against a fresh moto server and count what is left.

    python -m tests.samples.measure [--pythonpath OLD_CHECKOUT]

prints, per sample: the plan and apply exit codes, the secrets created, the findings
`secretshift scan .` still reports afterwards, and the sites apply listed as left. With
`--pythonpath` the CLI runs from another checkout (e.g. a `git worktree` of an older commit), to
compare before/after on the same inputs.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.samples import infra_repo, node_service, python_service
from tests.samples.common import commit_all

BUILDERS = {"orders": python_service.build, "payments": node_service.build, "ledger-infra": infra_repo.build}
AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "secretshift", *args], cwd=cwd, env=env, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pythonpath", help="run the migration from this checkout")
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    scan_env = {**os.environ, **AWS}
    env = {**scan_env, **({"PYTHONPATH": args.pythonpath} if args.pythonpath else {})}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, build in BUILDERS.items():
                root = Path(tmp) / name
                root.mkdir()
                build(root)
                commit_all(root)
                plan = Path(tmp) / f"{name}.json"
                planned = _cli(["migrate", "plan", ".", "--out", str(plan)], root, env)
                applied = _cli(["migrate", "apply", str(plan), "--yes", "--endpoint-url", f"http://127.0.0.1:{port}"], root, env)
                scanned = _cli(["scan", ".", "--format", "json"], root, scan_env)
                found = len(json.loads(scanned.stdout)["findings"]) if scanned.stdout.strip() else -1
                created = sum(1 for line in applied.stdout.splitlines() if line.startswith("secret ") and "created" in line)
                left = sum(1 for line in applied.stdout.splitlines() if line.startswith("left: "))
                print(f"{name:13} plan={planned.returncode} apply={applied.returncode} secrets_created={created} "
                      f"scan_findings_after={found} left_listed={left}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
