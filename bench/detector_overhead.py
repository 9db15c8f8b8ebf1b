"""What the Python detectors (generic, Kubernetes Secret, encoded) cost on a real tree.

    python bench/detector_overhead.py [PATH] [--runs 3]

Runs ``secretshift scan --no-git`` on PATH (default: this interpreter's site-packages) with the
detectors on and with their rules disabled, alternating, and prints the medians and the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

DETECTOR_RULES = (
    "generic-password", "generic-api-token", "generic-secret-key", "generic-url-password",
    "k8s-secret-data", "k8s-secret-string-data", "encoded-secret",
)


def _time(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, capture_output=True, check=False)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["purelib"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    exe = Path(sys.executable).parent / "secretshift"
    base = [str(exe), "scan", "--no-git", "--format", "json", "--output", "/dev/null"]
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "off.toml"
        config.write_text("[secretshift]\ndisable = [%s]\n" % ", ".join(f'"{r}"' for r in DETECTOR_RULES))
        on: list[float] = []
        off: list[float] = []
        for _ in range(args.runs):
            off.append(_time([*base, "--config", str(config), args.path]))
            on.append(_time([*base, args.path]))
    median_on, median_off = statistics.median(on), statistics.median(off)
    print(f"tree: {args.path}")
    print(f"detectors off: median {median_off:.2f}s of {[round(t, 2) for t in off]}")
    print(f"detectors on:  median {median_on:.2f}s of {[round(t, 2) for t in on]}")
    print(f"ratio on/off: {median_on / median_off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
