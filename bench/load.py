"""Load: scan a generated tree of >= 1 GB and >= 100,000 files; wall time, throughput, peak RSS.

    python bench/load.py [--files 100000] [--gb 1.0] [--jobs 1 2] [--runs 1] [--keep]

The tree is deterministic (seeded) and lives in bench/.work/load (gitignored); it is removed at
the end unless --keep. Each run is `secretshift scan --no-git --jobs N --format json` with the
report written to /dev/null. Peak RSS is sampled every 50 ms over the whole process tree (the
main process plus its workers) from /proc, and the largest single process is taken from
RUSAGE_CHILDREN. Results are appended to bench/RESULTS.md with the command.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "load"
_ALNUM = string.ascii_letters + string.digits
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _token(rnd: random.Random) -> str:
    body = "".join(rnd.choice(_ALNUM) for _ in range(30))
    number, digits = zlib.crc32(body.encode()), []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "ghp_" + body + "".join(reversed(digits)).rjust(6, "0")


_WORDS = (
    "value config service request response handler client server index table user account "
    "session cache timeout retry limit region bucket queue topic stream record buffer"
).split()


def _paragraph(rnd: random.Random, kind: str, size: int) -> str:
    lines = []
    total = 0
    while total < size:
        a, b = rnd.choice(_WORDS), rnd.choice(_WORDS)
        if kind == "py":
            line = f"def {a}_{b}(x, y={rnd.randint(0, 999)}):\n    return x.{b}(y) + {rnd.random():.4f}\n"
        elif kind == "js":
            line = f"export const {a}{b.title()} = (x) => x.{b}({rnd.randint(0, 99)});\n"
        elif kind == "yaml":
            line = f"{a}:\n  {b}: {rnd.randint(0, 10**6)}\n  name: {a}-{b}\n"
        elif kind == "json":
            line = f'  "{a}_{b}": {{"id": {rnd.randint(0, 10**6)}, "label": "{a} {b}"}},\n'
        else:
            line = f"The {a} {b} is set to {rnd.randint(0, 999)} for the {rnd.choice(_WORDS)}.\n"
        lines.append(line)
        total += len(line)
    return "".join(lines)


def generate(files: int, total_bytes: int, seed: int = 2026) -> tuple[int, int, int]:
    """Write the tree; returns (files, bytes, planted secrets)."""
    if WORK.exists():
        shutil.rmtree(WORK)
    rnd = random.Random(seed)
    kinds = ["py", "js", "yaml", "json", "md"]
    extensions = {"py": "py", "js": "js", "yaml": "yaml", "json": "json", "md": "md"}
    # A pool of chunks reused with variation keeps generation fast; sizes vary per file.
    pool = {kind: [_paragraph(rnd, kind, 64 * 1024) for _ in range(4)] for kind in kinds}
    mean = total_bytes // files
    written = planted = 0
    for index in range(files):
        kind = kinds[index % len(kinds)]
        folder = WORK / f"pkg{index // 1000:03d}" / f"mod{index // 100 % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        if index % 5000 == 0:
            size = 40 * mean  # a few large files
        else:
            size = max(200, int(rnd.expovariate(1 / mean))) if index % 7 else mean
        size = min(size, total_bytes - written - (files - index - 1) * 200) if index == files - 1 else size
        chunk = rnd.choice(pool[kind])
        start = rnd.randrange(0, len(chunk) // 2)
        body = (chunk[start:] + chunk) * (size // len(chunk) + 1)
        text = body[:size]
        if index % 1000 == 500:
            text = f"API_TOKEN = '{_token(rnd)}'\n" + text
            planted += 1
        data = text.encode()
        (folder / f"f{index:06d}.{extensions[kind]}").write_bytes(data)
        written += len(data)
    # Top up to the byte target with a few more large files.
    extra = 0
    while written < total_bytes:
        data = (rnd.choice(pool["md"]) * 64).encode()[: min(8 << 20, total_bytes - written + 1)]
        (WORK / f"large{extra:03d}.md").write_bytes(data)
        written += len(data)
        extra += 1
    return files + extra, written, planted


def _tree_rss_kb(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(p) for p in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


_MEASURE = """
import json, resource, subprocess, sys, threading, time
sys.path.insert(0, sys.argv[1])
from load import _tree_rss_kb
peak = [0]
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
def sample():
    while proc.poll() is None:
        peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
        time.sleep(0.05)
thread = threading.Thread(target=sample, daemon=True)
start = time.perf_counter()
thread.start()
_, err = proc.communicate()
wall = time.perf_counter() - start
thread.join()
print(json.dumps({"code": proc.returncode, "wall": wall, "tree_rss_kb": peak[0],
                  "max_process_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stderr": err.decode(errors="replace")[-400:]}))
"""


def measure(jobs: int) -> dict[str, object]:
    command = [sys.executable, "-m", "secretshift", "scan", "--no-git", "--jobs", str(jobs),
               "--format", "json", "--output", "/dev/null", str(WORK)]
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(Path(__file__).parent), *command],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files, size, planted = generate(args.files, int(args.gb * (1 << 30)))
    print(f"generated {files} files, {size / 2**30:.2f} GiB, {planted} planted secrets "
          f"in {time.perf_counter() - started:.0f}s", flush=True)
    rows = []
    try:
        for jobs in args.jobs:
            runs = [measure(jobs) for _ in range(args.runs)]
            for run in runs:
                assert run["code"] == 1, run  # the planted secrets are found
            wall = statistics.median(float(r["wall"]) for r in runs)  # type: ignore[arg-type]
            tree = max(int(r["tree_rss_kb"]) for r in runs) / 1024  # type: ignore[call-overload]
            single = max(int(r["max_process_rss_kb"]) for r in runs) / 1024  # type: ignore[call-overload]
            rows.append((jobs, wall, size / wall / 2**20, files / wall, tree, single, runs[-1]["stderr"]))
            print(f"--jobs {jobs}: {wall:.1f}s, {size / wall / 2**20:.1f} MiB/s, {files / wall:.0f} files/s, "
                  f"peak RSS {tree:.0f} MiB (tree), {single:.0f} MiB (largest process)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    if not args.no_record:
        _record(args, files, size, planted, rows)
    return 0


def _record(args: argparse.Namespace, files: int, size: int, planted: int, rows: list[tuple[object, ...]]) -> None:
    lines = [
        "",
        f"## Load: {files:,} files, {size / 2**30:.2f} GiB ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Command: `python bench/load.py --files {args.files} --gb {args.gb} --jobs {' '.join(map(str, args.jobs))}"
        f" --runs {args.runs}` (each run: `secretshift scan --no-git --jobs N --format json --output /dev/null"
        f" bench/.work/load`; {planted} planted secrets found). {os.cpu_count()} cores, shared machine; "
        "medians of the runs, peak RSS sampled every 50 ms over the process tree.",
        "",
        "| --jobs | wall (s) | MiB/s | files/s | peak RSS, process tree (MiB) | largest process (MiB) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for jobs, wall, mib, per_s, tree, single, _ in rows:
        lines.append(f"| {jobs} | {wall:.1f} | {mib:.1f} | {per_s:.0f} | {tree:.0f} | {single:.0f} |")
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
