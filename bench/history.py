"""Full-history scan: `secretshift scan --history` vs `gitleaks git`, side by side.

The repository is real code with a real history, built offline and deterministically: the
released source distributions of `requests` and `urllib3` (every version whose sdist pip can
download and prepare, fetched once with `pip download --no-binary :all: --no-deps` into
bench/.work/sdists) are replayed in release order (ordered by each sdist's PKG-INFO mtime). Each
version becomes one commit per changed file (then one commit for its deletions) and a tag, so the
history has thousands of commits whose diffs are the projects' real changes (written with
`git fast-import`, dates from the release times). A few fake AWS keys (generated here) are
committed and removed again in the next commit, so both tools must read history to find them.

    python bench/history.py [--runs 3] [--download] [--rebuild] [--append]

Reports the median wall time of each tool over the runs (alternating, so load drift hits both),
the peak resident memory of the whole process tree (each tool runs `git log` as a child, whose
pack mappings and delta cache count too) and of the tool's own process (sampled from /proc every
20 ms), and the number of findings. The same secretshift scan over the first tenth of the
history shows whether memory grows with history.
"""
from __future__ import annotations

import argparse
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
    peak_rss_mb: float  # the whole process tree (the tool and its `git log`)
    peak_self_mb: float  # the tool's own process
    exit_code: int


def _tree_rss_kb(root: int) -> tuple[int, int]:
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
    total, own, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        own = int(line.split()[1]) if pid == root else own
                        break
        except OSError:
            continue
    return total, own


def measure(command: list[str], cwd: Path) -> Run:
    peak = peak_self = 0
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "CI": "true"})
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_self
        while not done.is_set():
            total, own = _tree_rss_kb(proc.pid)
            peak, peak_self = max(peak, total), max(peak_self, own)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Run(seconds, peak / 1024, peak_self / 1024, code)


def tools(repo: Path, report_dir: Path) -> dict[str, list[str]]:
    bindir = Path(sys.executable).parent
    return {
        "secretshift": [str(bindir / "secretshift"), "scan", "--history", "--format", "json",
                        "--output", str(report_dir / "secretshift.json"), str(repo)],
        "gitleaks": [str(bindir / "gitleaks"), "git", "--no-banner", "--log-level", "error",
                     "--report-format", "json", "--report-path", str(report_dir / "gitleaks.json"), str(repo)],
    }


def count_findings(report_dir: Path) -> dict[str, int]:
    import json

    ours = json.loads((report_dir / "secretshift.json").read_text())["findings"]
    theirs = json.loads((report_dir / "gitleaks.json").read_text())
    early = json.loads((report_dir / "secretshift-early.json").read_text())["findings"]
    return {"secretshift": len(ours), "gitleaks": len(theirs), "early": len(early)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the replayed repository")
    parser.add_argument("--append", action="store_true", help="append the results to bench/RESULTS.md")
    parser.add_argument("--download", action="store_true", help="fetch any sdists not downloaded yet")
    args = parser.parse_args()

    if args.download or not any(SDISTS.glob("*.tar.gz")):
        download_sdists()
    if args.rebuild or args.download or not REPO.exists():
        print(f"built {build_repo(REPO)} commits in {REPO}", file=sys.stderr)
    commits = int(_git(REPO, "rev-list", "--all", "--count").strip())
    history_mb = sum(f.stat().st_size for f in (REPO / ".git").rglob("*") if f.is_file()) / 1e6
    added = _git(REPO, "log", "--all", "-p", "--unified=0", "--format=", "--no-renames").count("\n")
    versions = len(releases())
    report_dir = WORK / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    commands = tools(REPO, report_dir)
    # Memory must not grow with history: the same scan over the first tenth of it, for comparison.
    early_tag = f"{releases()[versions // 10].package}-{releases()[versions // 10].version}"
    early_commits = int(_git(REPO, "rev-list", "--count", early_tag).strip())
    commands[f"secretshift, first {early_commits} commits"] = [
        *commands["secretshift"][:3], "--branch", early_tag, *commands["secretshift"][3:-3], "--output",
        str(report_dir / "secretshift-early.json"), str(REPO)]
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            runs[name].append(measure(command, REPO))
    found = count_findings(report_dir)
    lines = [
        f"Repository: {commits} commits replayed from {versions} sdists of {', '.join(PACKAGES)} "
        f"(.git {history_mb:.1f} MB, {added} patch lines); {args.runs} runs each, alternating.",
        "",
        "| tool | median wall s | min s | max s | peak RSS MB: tool + git | tool alone | findings | exit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, items in runs.items():
        times = [r.seconds for r in items]
        lines.append(
            f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} | "
            f"{max(r.peak_rss_mb for r in items):.0f} | {max(r.peak_self_mb for r in items):.0f} | "
            f"{found.get(name, found['early'])} | {items[-1].exit_code} |"
        )
    ratio = statistics.median(r.seconds for r in runs["secretshift"]) / statistics.median(
        r.seconds for r in runs["gitleaks"])
    lines += ["", f"secretshift / gitleaks wall-time ratio: {ratio:.2f}"]
    text = "\n".join(lines)
    print(text)
    if args.append:
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write(
                "\n## Full-history scan vs gitleaks (bench/history.py)\n\n"
                f"Command: `python bench/history.py --runs {args.runs} --append` "
                f"({time.strftime('%Y-%m-%d', time.gmtime())}, gitleaks "
                f"{subprocess.run([commands['gitleaks'][0], 'version'], capture_output=True, text=True).stdout.strip()}).\n\n"
                + text + "\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
