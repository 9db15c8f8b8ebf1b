"""What checking only the commit's added lines costs the commit hook: `secretshift hook FILES`
of two installations side by side (before: whole staged files; after: git's added lines, one
`git diff --cached` more), on hook_latency.py's repository (10 staged files, 200 added lines).

    python3 -m venv /tmp/before && /tmp/before/bin/pip install -q "git+file://$PWD@main" detect-secrets==1.5.0
    python3 -m venv /tmp/after && /tmp/after/bin/pip install -q . detect-secrets==1.5.0
    /tmp/after/bin/python bench/hook_semantics.py --before /tmp/before --after /tmp/after [--runs 15]

Runs are interleaved round-robin after one warm-up each; medians of wall and CPU time.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hook_latency import make_repo, run_once  # noqa: E402  (a sibling script, not a package)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="venv with the old secretshift")
    parser.add_argument("--after", type=Path, required=True, help="venv with the new secretshift")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        names = make_repo(Path(folder))
        repo = Path(folder) / "repo"
        commands = {label: [str(venv / "bin" / "secretshift"), "hook", *names]
                    for label, venv in (("before", args.before), ("after", args.after))}
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
        for command in commands.values():
            run_once(command, repo)  # warm-up: bytecode and rule-pack caches
        for _ in range(args.runs):
            for label, command in commands.items():
                wall, cpu, code = run_once(command, repo)
                if code != 0:
                    raise SystemExit(f"{label}: exit {code} on a change with no secret")
                times[label].append((wall, cpu))
    print("| hook | median wall ms | median CPU ms |\n| --- | ---: | ---: |")
    for label, samples in times.items():
        wall = statistics.median(w for w, _ in samples) * 1000
        cpu = statistics.median(c for _, c in samples) * 1000
        print(f"| {label} | {wall:.0f} | {cpu:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
