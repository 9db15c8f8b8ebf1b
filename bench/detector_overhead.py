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


def _engine_cpu(path: str, runs: int) -> tuple[float, float]:
    """Median CPU seconds of Engine.scan over every file already in memory: the detectors' own
    cost, free of process start-up, file reads and the noise of a shared machine's I/O."""
    from secretshift.config import Config
    from secretshift.scanner.engine import Engine
    from secretshift.models import Blob
    from secretshift.scanner.rules import builtin_rules
    from secretshift.scanner.build import build_engine
    from secretshift.sources.files import list_files, read_blob

    blobs = [b for e in list_files(path, False) if isinstance(b := read_blob(e, 25 << 20), Blob)]
    engines = {"on": build_engine(Config()), "off": Engine(builtin_rules())}
    times: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(runs):
        for name, engine in engines.items():
            started = time.process_time()
            for blob in blobs:
                engine.scan(blob)
            times[name].append(time.process_time() - started)
    return statistics.median(times["on"]), statistics.median(times["off"])


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
    cpu_on, cpu_off = _engine_cpu(args.path, args.runs)
    print(f"tree: {args.path}")
    print(f"engine CPU in one process (no I/O): packs only {cpu_off:.2f}s, packs + detectors {cpu_on:.2f}s")
    print(f"detectors off: median {median_off:.2f}s of {[round(t, 2) for t in off]}")
    print(f"detectors on:  median {median_on:.2f}s of {[round(t, 2) for t in on]}")
    print(f"ratio on/off: {median_on / median_off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
