"""Org-wide sweep throughput: `secretshift sweep` on a LocalCluster with 1 and 2 workers, against
`secretshift scan --history` run once per repository in a shell loop, on the same repositories.

    python bench/sweep.py [--repos 40] [--commits 150] [--runs 3]

The repositories are generated here (deterministic): each has `--commits` commits touching a
handful of Python modules, a few branches, and two planted fake tokens committed and removed.
Reports the median wall time of each way over the runs (interleaved, so load drift hits all of
them), repositories per second, and the per-repository overhead of the sweep over the plain loop
(cluster start-up excluded and included). A fresh `--out` folder per run: nothing is skipped as
unchanged. Then one more sweep over the same results folder shows the cost of a re-run that finds
nothing changed.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "sweep"
_B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    subprocess.run(["git", *args], cwd=repo, input=stdin, check=True, capture_output=True, env=env)


def build(count: int, commits: int) -> list[Path]:
    """Repositories written with `git fast-import` (quick to make, real history to read)."""
    root = WORK / f"repos-{count}x{commits}"
    if root.exists():
        return sorted(p for p in root.iterdir() if p.is_dir())
    root.mkdir(parents=True)
    repos = []
    for index in range(count):
        rng = random.Random(index)
        repo = root / f"repo-{index:04d}"
        repo.mkdir()
        _git(repo, "init", "-q", "-b", "main")
        stream = []
        mark = 0
        for n in range(commits):
            mark += 1
            body = "".join(f"def f{n}_{k}(x):\n    return x * {rng.randrange(1000)}\n\n" for k in range(12))
            if n in (commits // 3, 2 * commits // 3):
                token = "ghp_" + "".join(rng.choice(_B62) for _ in range(36))
                body += f'TOKEN = "{token}"\n'
            data = body.encode()
            branch = "main" if n % 10 else f"feature-{n // 10}"
            stream.append(f"commit refs/heads/{branch}\nmark :{mark}\n"
                          f"committer b <b@example.com> {1600000000 + n * 3600} +0000\n"
                          f"data 8\nchange {n % 10}\n")
            if n > 0:
                stream.append(f"from :{mark - 1}\n")
            stream.append(f"M 100644 inline src/mod{n % 6}.py\ndata {len(data)}\n")
            stream.append(body + "\n")
        _git(repo, "fast-import", "--quiet", stdin="".join(stream).encode())
        _git(repo, "reset", "-q", "--hard", "main")
        repos.append(repo)
    return repos


def timed(command: list[str]) -> float:
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr[-2000:]}")
    return time.monotonic() - started


def loop(repos: list[Path], secretshift: str) -> float:
    started = time.monotonic()
    for repo in repos:
        proc = subprocess.run([secretshift, "scan", "--history", str(repo), "--format", "json"], capture_output=True)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"scan --history failed on {repo}")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=40)
    parser.add_argument("--commits", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    repos = build(args.repos, args.commits)
    secretshift = str(Path(sys.executable).parent / "secretshift")
    listing = WORK / "repos.txt"
    listing.write_text("".join(f"{r}\n" for r in repos))
    times: dict[str, list[float]] = {"loop": [], "sweep-1": [], "sweep-2": []}
    for _ in range(args.runs):
        times["loop"].append(loop(repos, secretshift))
        for workers in (1, 2):
            out = WORK / f"out-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            times[f"sweep-{workers}"].append(timed([secretshift, "sweep", "--repos", str(listing), "--out", str(out),
                                                    "--workers", str(workers), "--format", "json"]))
    rerun = timed([secretshift, "sweep", "--repos", str(listing), "--out", str(WORK / "out-2"), "--workers", "2",
                   "--format", "json"])
    start = timed([sys.executable, "-c", "from distributed import LocalCluster, Client\n"
                   "c = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)\n"
                   "Client(c).close(); c.close()"])
    load = os.getloadavg()[0]
    print(f"{len(repos)} repositories x {args.commits} commits, {args.runs} runs, load average {load:.1f}")
    print("| way | median wall | repositories/s | per repository |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} s | {len(repos) / median:.1f} | {1000 * median / len(repos):.0f} ms |")
    print(f"| sweep-2 re-run, nothing changed | {rerun:.2f} s | {len(repos) / rerun:.1f} | {1000 * rerun / len(repos):.0f} ms |")
    print(f"| LocalCluster start + stop (2 workers) | {start:.2f} s | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
