"""Commit-hook latency: secretshift vs gitleaks, Kingfisher and detect-secrets, as pre-commit runs them.

A temp git repository gets a base commit, then a staged change of 10 files (~200 added lines,
code and config with secret-ish keywords but no secret, the common case of a passing commit).
Each tool runs on it as pre-commit (or its own docs) would run it:

    secretshift hook FILES...                                  (entry of the `secretshift` hook)
    gitleaks git --pre-commit --staged                          (gitleaks' own pre-commit hook)
    kingfisher scan . --staged --no-validate                    (Kingfisher's staged-changes mode)
    detect-secrets-hook --baseline .secrets.baseline FILES...   (detect-secrets' hook)

Runs are interleaved round-robin (so machine noise hits every tool alike) after one warm-up
each; the median of --runs runs is reported with its ratio to secretshift. Two floors run in the
same rounds: `python -c pass` (the interpreter start every Python hook pays) and
`git diff --staged` (reading the change at all).

    python3 -m venv bench/.work/venv
    bench/.work/venv/bin/pip install . -r bench/requirements.txt
    bench/.work/venv/bin/python bench/hook_latency.py [--runs 15] [--append bench/RESULTS.md]

The tools are taken from the running interpreter's venv: a normal (not editable) install, as
pre-commit makes one; an editable install adds a path finder to every interpreter start.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
FILES = 10
ADDED_PER_FILE = 20


def tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        raise SystemExit(f"{name} not found: pip install -r bench/requirements.txt")
    return found


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "-c", "commit.gpgsign=false",
                    "-c", "init.defaultBranch=main", *args], cwd=repo, check=True, capture_output=True)


def _lines(index: int, count: int, salt: str) -> list[str]:
    kinds = [
        'DATABASE_HOST = os.environ.get("DATABASE_HOST", "localhost")',
        "def handler_{n}(event, context):",
        '    token = request.headers.get("Authorization", "")',
        '    password_field = form.fields["password_{n}"]',
        "    api_key_name = settings.API_KEY_HEADER",
        '    logger.info("processing %s", event["id"])',
        "    return {{'status': {n}, 'secret_ref': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app'}}",
        "# see docs/config.md for the key rotation schedule ({n})",
    ]
    return [kinds[(index + i) % len(kinds)].format(n=f"{salt}{index}_{i}") for i in range(count)]


def make_repo(root: Path) -> list[str]:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    names = []
    for index in range(FILES):
        name = f"service_{index}/{'settings.py' if index % 2 else 'config.yaml'}"
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("\n".join(_lines(index, 60, "base")) + "\n")
        names.append(name)
    base = {name: (repo / name).read_text() for name in names}
    changed = {}
    for index, name in enumerate(names):
        lines = base[name].splitlines()
        middle = len(lines) // 2
        lines[middle:middle] = _lines(index, ADDED_PER_FILE, "new")
        changed[name] = "\n".join(lines) + "\n"
        (repo / name).write_text(changed[name])
    # detect-secrets' baseline accepts what it flags in the final content (its keyword plugin
    # flags some lines); it is committed with the base, so only the 10 files are staged.
    git(repo, "add", "-A")  # detect-secrets scans tracked files only
    made = subprocess.run([tool("detect-secrets"), "scan"], cwd=repo, capture_output=True, text=True, check=True)
    (repo / ".secrets.baseline").write_text(made.stdout)
    for name in names:
        (repo / name).write_text(base[name])
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for name in names:
        (repo / name).write_text(changed[name])
    git(repo, "add", "-A")
    return names


# As installed tools run: with bytecode caches (pip writes them at install time; an editable
# checkout gets them on the warm-up run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system, less sensitive to a busy machine), exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--append", metavar="FILE", help="append a results section to FILE (bench/RESULTS.md)")
    parser.add_argument("--compare-src", type=Path, action="append", default=[],
                        help="also run the hook from this source checkout (PYTHONPATH), e.g. main before a change")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        names = make_repo(Path(tmp))
        repo = Path(tmp) / "repo"
        commands = {
            "secretshift hook FILES": [tool("secretshift"), "hook", *names],
            "gitleaks git --pre-commit --staged": [tool("gitleaks"), "git", "--pre-commit", "--staged",
                                                   "--no-banner", "--log-level", "error", "--redact"],
            "kingfisher scan . --staged --no-validate": [tool("kingfisher"), "scan", ".", "--staged", "--no-validate",
                                                         "--no-update-check", "-q"],
            "detect-secrets-hook --baseline": [tool("detect-secrets-hook"), "--baseline", ".secrets.baseline", *names],
            # The floor every Python hook pays, for reading the absolute numbers on a busy machine.
            "python -c pass (interpreter start only)": [sys.executable, "-c", "pass"],
            "git diff --staged (floor: reading the change)": ["git", "diff", "--staged", "--no-color"],
        }
        envs = {f"secretshift@{src.name} hook FILES": {**ENV, "PYTHONPATH": str(src.resolve())} for src in args.compare_src}
        for name in envs:
            commands[name] = [sys.executable, "-m", "secretshift", "hook", *names]
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for name, command in commands.items():
            code = run_once(command, repo, envs.get(name))[2]  # warm-up (page cache, bytecode)
            if code != 0:
                raise SystemExit(f"{name}: exit {code} on a clean change; the benchmark would be unfair")
        for _ in range(args.runs):
            for name, command in commands.items():
                wall, cpu, _ = run_once(command, repo, envs.get(name))
                walls[name].append(wall)
                cpus[name].append(cpu)
    wall_ms = {name: statistics.median(values) * 1000 for name, values in walls.items()}
    cpu_ms = {name: statistics.median(values) * 1000 for name, values in cpus.items()}
    ours = "secretshift hook FILES"
    rows = [
        f"| {name} | {wall_ms[name]:.0f} | {wall_ms[name] / wall_ms[ours]:.2f}x | {cpu_ms[name]:.0f} | "
        f"{cpu_ms[name] / cpu_ms[ours]:.2f}x |"
        for name in commands
    ]
    table = "\n".join([
        "| command | median wall ms | wall vs secretshift | median CPU ms | CPU vs secretshift |",
        "| --- | ---: | ---: | ---: | ---: |", *rows,
    ])
    print(table)
    if args.append:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## Commit-hook latency ({stamp})\n\n"
            f"`bench/.work/venv/bin/python bench/hook_latency.py {' '.join(argv or sys.argv[1:])}` "
            f"(venv: `pip install . -r bench/requirements.txt`) — a staged change of "
            f"{FILES} files, {FILES * ADDED_PER_FILE} added lines, no secret; median of {args.runs} interleaved "
            f"runs after a warm-up; {os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
            f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. "
            f"Target: secretshift median <= 100 ms wall and no slower than any peer.\n\n{table}\n"
        )
        with open(args.append, "a", encoding="utf-8") as handle:
            handle.write(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
