"""Full-history scan: `secretshift scan --history` vs Kingfisher and gitleaks, with git's floors.

The repository is real code with a real history, built offline and deterministically: the
released source distributions of `requests` and `urllib3` (every version whose sdist pip can
download and prepare, fetched once with `pip download --no-binary :all: --no-deps` into
bench/.work/sdists) are replayed in release order (ordered by each sdist's PKG-INFO mtime). Each
version becomes one commit per changed file (then one commit for its deletions) and a tag, so the
history has thousands of commits whose diffs are the projects' real changes (written with
`git fast-import`, dates from the release times). A few fake AWS keys (generated here) are
committed and removed again in the next commit, so both tools must read history to find them.

    python bench/history.py [--runs 3] [--download] [--rebuild] [--append]
    python bench/history.py --repo bench/.work/sqlalchemy [--runs 3] [--append]

`--repo` scans an existing repository instead (bench/RESULTS.md: a mirror clone of SQLAlchemy's,
26,890 commits on 1,585 refs, fetched once; any clone works). Every ref is scanned.

Each round runs every command once, interleaved (so load drift hits all alike):
`secretshift scan --history` (default: the history split over every core), the same with
`--jobs 1` (one `git log` stream, as before the split), `kingfisher scan --no-validate` (it reads
each unique blob of the history once), `gitleaks git`, and the floors: `git log -p -U0 --all`
(the stream one-stream tools read) and `git cat-file --batch-all-objects --batch` (every object
once). Then a pull-request-sized range (`--diff HEAD~N..HEAD`, --pr-commits) for secretshift,
and, with `--compare-src DIR`, the same commands run from another checkout (e.g. main before
this change: `git worktree add /tmp/before main`).

Reported: median wall and CPU (user+system of the tool and every child) over the rounds, the
ratio to Kingfisher and to the `git log` floor, the peak resident memory of the process tree
(sum of RSS, which counts the pack files every `git` maps once per process) and its peak PSS
(shared pages divided among the processes that map them: the memory really used), and the
number of findings. The machine is shared: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import json
import resource
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
SDISTS = WORK / "sdists"
REPO = WORK / "history-repo"
PACKAGES = ("requests", "urllib3")
PLANTED = 6  # fake keys committed and later removed


# -- building the repository --------------------------------------------------------------------
def download_sdists() -> None:
    SDISTS.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        listing = subprocess.run([sys.executable, "-m", "pip", "index", "versions", package],
                                 capture_output=True, text=True, check=True).stdout
        versions = [v.strip() for v in listing.split("Available versions:", 1)[1].splitlines()[0].split(",")]
        for version in versions:
            if any(SDISTS.glob(f"{package}-{version}.*")) or (SDISTS / f".failed-{package}-{version}").exists():
                continue
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
                 f"{package}=={version}", "-d", str(SDISTS)],
                capture_output=True, text=True,
            )
            if proc.returncode != 0:  # very old sdists no longer build metadata on this Python
                (SDISTS / f".failed-{package}-{version}").touch()


@dataclass(frozen=True)
class Release:
    package: str
    version: str
    archive: Path
    released: int  # unix time


def releases() -> list[Release]:
    found = []
    for archive in sorted(SDISTS.glob("*.tar.gz")):
        name = archive.name.removesuffix(".tar.gz")
        package, _, version = name.rpartition("-")
        if package.lower() not in PACKAGES:
            continue
        with tarfile.open(archive) as tar:
            infos = [m for m in tar.getmembers() if m.name.endswith("/PKG-INFO") and m.name.count("/") == 1]
            stamp = int(infos[0].mtime) if infos else int(max(m.mtime for m in tar.getmembers()))
        found.append(Release(package.lower(), version, archive, stamp))
    return sorted(found, key=lambda r: (r.released, r.package, r.version))


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


def _fake_key(n: int) -> str:  # generated here: a fake, never a real credential
    rng = random.Random(n)
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def build_repo(target: Path) -> int:
    """Write the replayed history with `git fast-import` (one process, deterministic)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    _git(target, "init", "-q", "-b", "main")
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=target, stdin=subprocess.PIPE)
    assert importer.stdin is not None
    out = importer.stdin
    all_releases = releases()
    trees: dict[str, dict[str, bytes]] = {}
    commits = 0
    planted = 0
    stamp = 0

    def commit(message: str, changes: list[tuple[str, bytes | None]]) -> None:
        nonlocal commits, stamp
        stamp += 1
        commits += 1
        body = message.encode()
        who = f"Replay <replay@example.invalid> {stamp} +0000".encode()
        out.write(b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n"
                  % (commits, who, who, len(body), body))
        for path, data in changes:
            if data is None:
                out.write(b"D %s\n" % path.encode())
            else:
                out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        out.write(b"\n")

    for index, release in enumerate(all_releases):
        stamp = max(stamp, release.released)
        files = {f"{release.package}/{name}": data for name, data in _extract(release.archive).items()}
        current = trees.setdefault(release.package, {})
        for path in sorted(files):
            if current.get(path) != files[path]:
                commit(f"{release.package} {release.version}: {path}", [(path, files[path])])
        removed = sorted(set(current) - set(files))
        if removed:
            commit(f"{release.package} {release.version}: remove {len(removed)} files", [(p, None) for p in removed])
        trees[release.package] = files
        # Plant a fake key in one release's settings, removed again in the next commit.
        if planted < PLANTED and index % max(1, len(all_releases) // PLANTED) == 0:
            settings = "deploy/settings.py"
            commit("deploy settings", [(settings, f'REGION = "eu-west-1"\nAWS_ACCESS_KEY_ID = "{_fake_key(planted)}"\n'.encode())])
            commit("remove the key again", [(settings, b'REGION = "eu-west-1"\n')])
            planted += 1
        out.write(b"reset refs/tags/%s-%s\nfrom :%d\n\n" % (release.package.encode(), release.version.encode(), commits))
    out.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    # Packed with deltas, as a clone would be (best effort: the scan does not depend on it).
    subprocess.run(["git", "gc", "-q"], cwd=target, capture_output=True, check=False)
    return commits


def _extract(archive: Path) -> dict[str, bytes]:
    files = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or "/" not in member.name:
                continue
            handle = tar.extractfile(member)
            if handle is not None:
                files[member.name.split("/", 1)[1]] = handle.read()
    return files


# -- measuring ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float  # user + system of the command and all its children
    peak_rss_mb: float  # sum over the process tree
    peak_pss_mb: float  # the same, shared pages split among their users
    exit_code: int


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return children


def _tree_memory_kb(root: int) -> tuple[int, int]:
    """(RSS, PSS) summed over ``root`` and its descendants."""
    children = _children()
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    peak = peak_pss = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "CI": "true", **(env or {})})
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory_kb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    sampler.join()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(seconds, cpu, peak / 1024, peak_pss / 1024, code)


@dataclass(frozen=True)
class Command:
    argv: list[str]
    report: Path | None = None  # where its findings go (None: a floor)
    env: dict[str, str] | None = None


def _shell_to_devnull(*argv: str) -> list[str]:
    return ["sh", "-c", '"$@" >/dev/null', "floor", *argv]


def commands(repo: Path, reports: Path, pr_commits: int, compare: list[Path]) -> dict[str, Command]:
    bindir = Path(sys.executable).parent

    def ours(name: str, *args: str, src: Path | None = None) -> Command:
        report = reports / f"{name}.json"
        argv = [sys.executable, "-m", "secretshift", "scan", *args, "--format", "json", "--output", str(report), str(repo)]
        return Command(argv, report, {"PYTHONPATH": str(src)} if src else None)

    found: dict[str, Command] = {
        "secretshift --history (split, default)": ours("ss-split", "--history"),
        "secretshift --history --jobs 1 (one stream)": ours("ss-one", "--history", "--jobs", "1"),
        "kingfisher scan --no-validate": Command(
            [str(bindir / "kingfisher"), "scan", str(repo), "--no-validate", "--no-update-check", "-q",
             "--format", "json", "--output", str(reports / "kingfisher.json")], reports / "kingfisher.json"),
        "gitleaks git": Command(
            [str(bindir / "gitleaks"), "git", "--no-banner", "--log-level", "error", "--report-format", "json",
             "--report-path", str(reports / "gitleaks.json"), str(repo)], reports / "gitleaks.json"),
        "floor: git log -p -U0 --all": Command(_shell_to_devnull(
            "git", "-C", str(repo), "log", "-p", "-U0", "--all", "--no-color", "--format=%H")),
        "floor: git cat-file --batch-all-objects --batch": Command(_shell_to_devnull(
            "git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch")),
    }
    for src in compare:
        found[f"secretshift@{src.name} --history"] = ours(f"ss-{src.name}", "--history", src=src)
    pr = f"HEAD~{pr_commits}..HEAD"
    found[f"secretshift --diff {pr}"] = ours("ss-pr", "--diff", pr)
    for src in compare:
        found[f"secretshift@{src.name} --diff {pr}"] = ours(f"ss-pr-{src.name}", "--diff", pr, src=src)
    return found


def count_findings(command: Command) -> str:
    if command.report is None:
        return "-"
    try:
        data = json.loads(command.report.read_text())
    except (OSError, ValueError):
        return "?"
    if isinstance(data, dict) and "findings" in data:
        return str(len(data["findings"]))
    if isinstance(data, list):
        return str(len(data))
    if isinstance(data, dict):  # kingfisher's envelope
        for key in ("matches", "findings", "results"):
            if isinstance(data.get(key), list):
                return str(len(data[key]))
    return "?"


def exposure_check(repo: Path) -> None:
    """The migration's "reached history" check on `repo`: today's capped and uncapped `exposures()`
    against `split_history.oldest_additions` (three sample values, one of them never committed)."""
    from secretshift.migrate.history import _needles, exposures
    from secretshift.sources.split_history import oldest_additions

    values = {"db#password": "tiger@localhost/test", "app#key": "AKIAIOSFODNN7EXAMPLE", "x#never": "never-committed-value-123"}

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    runs = {
        "exposures (today: 5,000 commits / 512 MB cap)": lambda: exposures(repo, values),
        "oldest_additions (whole history, split)": lambda: (
            [(k, v[:10]) for k, v in sorted(oldest_additions(str(repo), {k: _needles(v) for k, v in values.items()}).items())],
            True),
        "exposures (today, uncapped)": lambda: exposures(repo, values, max_commits=10**9, max_bytes=1 << 62),
    }
    for name, run in runs.items():
        before, start = cpu(), time.perf_counter()
        found, complete = run()
        print(f"{name}: wall {time.perf_counter() - start:.1f} s, CPU {cpu() - before:.1f} s, "
              f"complete={complete}, found={found}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exposure-check", action="store_true",
                        help="time the migration's history check instead (needs --repo)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, help="an existing repository to scan (default: build the replayed one)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the replayed repository")
    parser.add_argument("--download", action="store_true", help="fetch any sdists not downloaded yet")
    parser.add_argument("--pr-commits", type=int, default=50, help="size of the pull-request range")
    parser.add_argument("--compare-src", type=Path, action="append", default=[],
                        help="also run secretshift from this checkout (PYTHONPATH)")
    parser.add_argument("--only", nargs="+", help="run only commands whose name contains one of these")
    parser.add_argument("--append", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args()

    if args.exposure_check:
        exposure_check(args.repo.resolve())
        return 0
    repo = args.repo
    if repo is None:
        if args.download or not any(SDISTS.glob("*.tar.gz")):
            download_sdists()
        if args.rebuild or args.download or not REPO.exists():
            print(f"built {build_repo(REPO)} commits in {REPO}", file=sys.stderr)
        repo = REPO
    repo = repo.resolve()
    commits = int(_git(repo, "rev-list", "--all", "--count").strip())
    refs = _git(repo, "for-each-ref", "--format=%(refname)").count("\n")
    git_dir = Path(_git(repo, "rev-parse", "--absolute-git-dir").strip())
    pack_mb = sum(f.stat().st_size for f in git_dir.rglob("*") if f.is_file()) / 1e6
    reports = WORK / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    todo = commands(repo, reports, args.pr_commits, args.compare_src)
    if args.only:
        todo = {name: c for name, c in todo.items() if any(word in name for word in args.only)}
    load = os.getloadavg()
    runs: dict[str, list[Run]] = {name: [] for name in todo}
    for _ in range(args.runs):
        for name, command in todo.items():
            runs[name].append(measure(command.argv, repo, command.env))
            print(f"{name}: {runs[name][-1]}", file=sys.stderr)
    load_after = os.getloadavg()
    med = {name: statistics.median(r.seconds for r in items) for name, items in runs.items()}
    cpu = {name: statistics.median(r.cpu for r in items) for name, items in runs.items()}
    kingfisher = med.get("kingfisher scan --no-validate")
    kingfisher_cpu = cpu.get("kingfisher scan --no-validate")
    floor = med.get("floor: git log -p -U0 --all")
    lines = [
        f"Repository: {repo.name}, {commits} commits on {refs} refs (.git {pack_mb:.0f} MB); {args.runs} "
        f"rounds, commands interleaved; {os.cpu_count()} CPUs; load average {load[0]:.1f} at the start, "
        f"{load_after[0]:.1f} at the end.",
        "",
        "| command | median wall s | min s | median CPU s | vs Kingfisher (wall) | vs Kingfisher (CPU) "
        "| vs `git log -p` floor (wall) | peak RSS MB (tree) | peak PSS MB (tree) | findings | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, items in runs.items():
        ratio_k = f"{med[name] / kingfisher:.2f}x" if kingfisher else "-"
        ratio_f = f"{med[name] / floor:.2f}x" if floor else "-"
        ratio_kc = f"{cpu[name] / kingfisher_cpu:.2f}x" if kingfisher_cpu else "-"
        lines.append(
            f"| {name} | {med[name]:.2f} | {min(r.seconds for r in items):.2f} | {cpu[name]:.2f} | {ratio_k} | "
            f"{ratio_kc} | {ratio_f} | {max(r.peak_rss_mb for r in items):.0f} | {max(r.peak_pss_mb for r in items):.0f} | "
            f"{count_findings(todo[name])} | {items[-1].exit_code} |"
        )
    text = "\n".join(lines)
    print(text)
    if args.append:
        argv = " ".join(sys.argv[1:])
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write(
                f"\n## Full-history scan ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n"
                f"Command: `python bench/history.py {argv}`\n\n{text}\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
