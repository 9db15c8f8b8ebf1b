"""`secretshift adr check` vs checkov on a generated 10,000-file IaC tree.

    python bench/adr_speed.py [--files 10000] [--runs 1] [--checkov PATH]

The tree (bench/.work/adr-tree, gitignored) is the labelled corpus (tests/adr/corpus) copied
into numbered team folders until it holds --files files, each copy's resource names and
secret names made unique (so Kubernetes Secrets do not all collide across copies). Both tools
read the whole tree and write a JSON report; wall time per run, medians of --runs interleaved
rounds. checkov runs its default frameworks with --skip-download (no network here).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "adr" / "corpus"
WORK = ROOT / "bench" / ".work"


def build_tree(target: Path, files: int) -> int:
    sources = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix in (".tf", ".yaml", ".yml", ".json")]
    if target.exists():
        shutil.rmtree(target)
    written = 0
    copy = 0
    while written < files:
        for source in sources:
            if written >= files:
                break
            rel = source.relative_to(CORPUS)
            out = target / f"team-{copy:04d}" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            text = text.replace("payments", f"payments{copy}").replace("checkout", f"checkout{copy}")
            out.write_text(text, encoding="utf-8")
            written += 1
        copy += 1
    return written


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--checkov", default=str(ROOT / ".venv-checkov" / "bin" / "checkov"))
    args = parser.parse_args()
    tree = WORK / "adr-tree"
    count = build_tree(tree, args.files)
    print(f"tree: {count} files under {tree}")
    ours_cmd = [sys.executable, "-m", "secretshift", "adr", "check", "--format", "json", "--output",
                str(WORK / "adr-report.json"), "."]
    peer_cmd = [args.checkov, "-d", ".", "-o", "json", "--quiet", "--compact", "--skip-download",
                "--output-file-path", str(WORK / "checkov-report")]
    ours: list[float] = []
    peer: list[float] = []
    env_note = os.environ.get("SECRETSHIFT_BENCH_NOTE", "")
    for run in range(args.runs):
        ours.append(timed(ours_cmd, tree))
        print(f"run {run + 1}: secretshift adr {ours[-1]:.1f} s", flush=True)
        peer.append(timed(peer_cmd, tree))
        print(f"run {run + 1}: checkov {peer[-1]:.1f} s", flush=True)
    ours_median, peer_median = statistics.median(ours), statistics.median(peer)
    print(f"| files | secretshift adr check | checkov | checkov / secretshift |\n| --- | --- | --- | --- |\n"
          f"| {count} | {ours_median:.1f} s | {peer_median:.1f} s | {peer_median / ours_median:.1f}x |{env_note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
