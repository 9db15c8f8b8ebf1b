"""Scan throughput and startup of secretshift against gitleaks, Kingfisher and detect-secrets.

    python bench/scan_speed.py [--runs 3] [--startup-runs 20] [--only TOOL ...]

The tree is real open-source code: the unpacked source distributions pinned in ``SDISTS``,
fetched once with ``pip download --no-binary :all: --no-deps`` and cached under ``bench/.work/``
(gitignored). Every tool scans the same tree, one after the other within each round (rounds
interleaved, so a noisy neighbour slows all tools alike); each tool also gets one untimed warm-up
run first (page cache, and Kingfisher's compiled rule cache, which it keeps between runs).
Throughput is bytes of the tree / median wall time; ratios are against gitleaks' median.

detect-secrets runs every plugin on every line in Python (about 0.15 MB/s here), so it scans a
small subtree (``DS_SUBTREE``) instead of the whole tree, with secretshift beside it on the same
subtree for the ratio.

Startup: each tool scans one small file (median of ``--startup-runs`` runs). The import check
runs ``python -X importtime -m secretshift scan FILE`` and fails if the scan path imported a
module it must not (boto3, botocore, GitPython, ruamel, libcst).

Peers come from ``bench/requirements.txt`` (pinned); run from the project's venv, where
``secretshift`` and the peers are on PATH next to the interpreter.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"
SDISTS = (("django", "5.1.4"), ("sqlalchemy", "2.0.36"), ("sympy", "1.13.3"))
DS_SUBTREE = "Django-5.1.4/django/db"
FORBIDDEN_ON_SCAN_PATH = ("boto3", "botocore", "git", "ruamel", "libcst")
SMALL_FILE = """\
# settings for the local development server
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
DATABASE_URL = "sqlite:///db.sqlite3"
LOG_LEVEL = "info"
CACHE_TTL = 300
FEATURE_FLAGS = {"new_ui": False, "beta_api": True}
"""


# -- the tree ---------------------------------------------------------------------------------
def prepare_tree() -> Path:
    tree = WORK / "tree"
    done = tree / ".complete"
    if done.exists():
        return tree
    sdist_dir = WORK / "sdist"
    sdist_dir.mkdir(parents=True, exist_ok=True)
    for name, version in SDISTS:
        if not _find_sdist(sdist_dir, name, version):
            print(f"downloading {name}=={version} (sdist)...", file=sys.stderr)
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
                 "-d", str(sdist_dir), f"{name}=={version}"],
                check=True,
            )
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    for name, version in SDISTS:
        archive = _find_sdist(sdist_dir, name, version)
        assert archive is not None
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")
    done.write_text("")
    return tree


def _find_sdist(folder: Path, name: str, version: str) -> Path | None:
    for path in folder.glob("*.tar.gz"):
        stem = path.name[: -len(".tar.gz")].lower().replace("_", "-")
        if stem == f"{name}-{version}":
            return path
    return None


def tree_stats(root: Path) -> tuple[int, int]:
    files = size = 0
    for current, _dirs, names in os.walk(root):
        for name in names:
            if name == ".complete":
                continue
            files += 1
            size += os.lstat(os.path.join(current, name)).st_size
    return files, size


# -- the tools --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tool:
    name: str
    argv: Callable[[Path, Path], list[str]]  # (target, report file) -> command line
    ok_codes: tuple[int, ...] = (0, 1)
    cwd_is_target: bool = False  # detect-secrets only reports paths under its cwd
    pythonpath: str | None = None  # another checkout of secretshift, for before/after runs


def _bin(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: pip install -r bench/requirements.txt -e .")
    return found


def tools(compare: Sequence[str] = ()) -> dict[str, Tool]:
    ss = _bin("secretshift")
    others = {
        f"secretshift@{Path(src).name}": Tool(
            f"secretshift@{Path(src).name}",
            lambda t, r: [sys.executable, "-m", "secretshift", "scan", "--no-git", "--format", "json", "-o", str(r), str(t)],
            pythonpath=str(Path(src).resolve()),
        )
        for src in compare
    }
    return {**others,
        "secretshift": Tool(
            "secretshift",
            lambda t, r: [ss, "scan", "--no-git", "--format", "json", "-o", str(r), str(t)],
        ),
        "secretshift-j1": Tool(
            "secretshift-j1",
            lambda t, r: [ss, "scan", "--no-git", "--jobs", "1", "--format", "json", "-o", str(r), str(t)],
        ),
        "gitleaks": Tool(
            "gitleaks",
            lambda t, r: [_bin("gitleaks"), "dir", "--no-banner", "--redact", "--log-level", "error",
                          "--report-format", "json", "--report-path", str(r), str(t)],
        ),
        "kingfisher": Tool(
            "kingfisher",
            lambda t, r: [_bin("kingfisher"), "scan", "--no-validate", "--no-update-check", "--quiet",
                          "--format", "json", "--output", str(r), str(t)],
            ok_codes=(0, 200, 205),  # 200: findings, 205: validated findings
        ),
        "detect-secrets": Tool(
            "detect-secrets",
            lambda t, r: [_bin("detect-secrets"), "scan", "--all-files", "." if t.is_dir() else t.name],
            cwd_is_target=True,
        ),
    }


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float  # user + system of the tool and its children (workers, threads)


def run_once(tool: Tool, target: Path) -> Sample:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report"
        argv = tool.argv(target, report)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        # Never the checkout's root as cwd: `python -m` would import the package there,
        # not the one a --compare-src run asked for.
        proc = subprocess.run(
            argv, cwd=(target if target.is_dir() else target.parent) if tool.cwd_is_target else tmp,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(tool),
        )
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in tool.ok_codes:
        raise SystemExit(f"{tool.name} failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr.decode()[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Sample(elapsed, cpu)


def _env(tool: Tool) -> dict[str, str]:
    env = dict(os.environ)
    # Users' installs have compiled bytecode; a session that forbids writing it would time
    # the compiler, not the tool.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if tool.pythonpath is not None:
        env["PYTHONPATH"] = tool.pythonpath
    return env


def measure(selected: Sequence[Tool], target: Path, runs: int, warm: bool = True) -> dict[str, list[Sample]]:
    times: dict[str, list[Sample]] = {t.name: [] for t in selected}
    if warm:
        for tool in selected:
            run_once(tool, target)
    for _ in range(runs):
        for tool in selected:
            times[tool.name].append(run_once(tool, target))
    return times


# -- reporting --------------------------------------------------------------------------------
def throughput_table(times: dict[str, list[Sample]], size: int, reference: str | None) -> str:
    """Wall time is what a user waits; CPU time (all processes) is what the machine spends,
    and is the steadier of the two on a busy machine."""
    ref = reference or "-"
    lines = [
        f"| tool | median wall s | min wall s | MB/s (wall) | vs {ref} (wall) | median CPU s | vs {ref} (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ref_wall = statistics.median(s.wall for s in times[reference]) if reference in times else None
    ref_cpu = statistics.median(s.cpu for s in times[reference]) if reference in times else None
    for name, samples in times.items():
        wall = statistics.median(s.wall for s in samples)
        cpu = statistics.median(s.cpu for s in samples)
        low = min(s.wall for s in samples)
        ratio_wall = f"{ref_wall / wall:.2f}x" if ref_wall else "-"
        ratio_cpu = f"{ref_cpu / cpu:.2f}x" if ref_cpu and cpu else "-"
        lines.append(
            f"| {name} | {wall:.3f} | {low:.3f} | {size / 1e6 / wall:.1f} | {ratio_wall} | {cpu:.3f} | {ratio_cpu} |"
        )
    return "\n".join(lines)


def import_check(small: Path) -> tuple[bool, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "secretshift", "scan", "--no-git", str(small)],
        capture_output=True, text=True, cwd=small.parent,
    )
    imported = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            imported.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    bad = sorted(m for m in FORBIDDEN_ON_SCAN_PATH if m in imported)
    return not bad and proc.returncode in (0, 1), bad


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool on the tree (default 3)")
    parser.add_argument("--ds-runs", type=int, default=1, help="timed detect-secrets runs on its subtree (default 1)")
    parser.add_argument("--startup-runs", type=int, default=20, help="runs per tool on one small file (default 20)")
    parser.add_argument("--only", nargs="*", help="tools to run (default: all)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["tree", "subtree", "startup"], help="parts to skip")
    parser.add_argument(
        "--compare-src", nargs="*", default=[], metavar="DIR",
        help="also time the secretshift checkout in DIR (e.g. a `git worktree` of an older commit)",
    )
    args = parser.parse_args(argv)

    available = tools(args.compare_src)
    chosen = [available[n] for n in (args.only or available)]
    chosen += [t for t in available.values() if t.pythonpath is not None and t not in chosen]
    tree = prepare_tree()
    files, size = tree_stats(tree)
    sdists = ", ".join(f"{n}=={v}" for n, v in SDISTS)
    print(f"tree: {tree} ({sdists}; {files} files, {size / 1e6:.1f} MB); cpus: {os.cpu_count()}")

    if "tree" not in args.skip:
        on_tree = [t for t in chosen if t.name != "detect-secrets"]
        times = measure(on_tree, tree, args.runs)
        print(f"\nwhole tree, median of {args.runs} interleaved runs:\n")
        print(throughput_table(times, size, "gitleaks" if "gitleaks" in times else None))

    if "subtree" not in args.skip and any(t.name == "detect-secrets" for t in chosen):
        sub = tree / DS_SUBTREE
        _, sub_size = tree_stats(sub)
        pair = [available["secretshift-j1"], available["detect-secrets"]]
        times = measure(pair, sub, args.ds_runs, warm=False)
        print(f"\n{DS_SUBTREE} ({sub_size / 1e6:.1f} MB), median of {args.ds_runs} run(s):\n")
        print(throughput_table(times, sub_size, "detect-secrets"))

    if "startup" not in args.skip:
        small_dir = WORK / "small"
        small_dir.mkdir(parents=True, exist_ok=True)
        small = small_dir / "settings.py"
        small.write_text(SMALL_FILE)
        startup = [t for t in chosen if t.name != "secretshift-j1"]
        times = measure(startup, small, args.startup_runs)
        print(f"\nstartup, one small file, median of {args.startup_runs} runs:\n")
        print("| tool | median wall ms | min wall ms | median CPU ms |\n| --- | ---: | ---: | ---: |")
        for name, samples in times.items():
            wall = [s.wall * 1000 for s in samples]
            cpu = [s.cpu * 1000 for s in samples]
            print(f"| {name} | {statistics.median(wall):.0f} | {min(wall):.0f} | {statistics.median(cpu):.0f} |")
        ok, bad = import_check(small)
        print(f"\nimport check (python -X importtime -m secretshift scan FILE): "
              f"{'ok, none of ' + ', '.join(FORBIDDEN_ON_SCAN_PATH) if ok else 'FAILED: ' + ', '.join(bad)}")
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
