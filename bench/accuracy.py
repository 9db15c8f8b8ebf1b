"""Detection accuracy of secretshift and its peers on the labelled corpus.

    python bench/accuracy.py [--corpus DIR] [--write-results]

Generates the corpus (``tests/corpus/generate.py``, seeded) unless ``--corpus`` points at one,
runs each tool on ``DIR/files`` and scores its findings by (path, line where the secret value
starts): precision, recall, F1 and per-kind recall. Peers come from ``bench/requirements.txt``;
a peer that is not installed is reported as missing, not scored.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus.generate import build  # noqa: E402
from tests.corpus.score import Score, score  # noqa: E402

BIN = Path(sys.executable).parent
MARK_BEGIN = "<!-- accuracy:begin -->"
MARK_END = "<!-- accuracy:end -->"
CAVEAT = (
    "Read secretshift's row with care: the corpus and the detectors were written by the same hand, so "
    "its score is an upper bound; the peers' rows and the per-kind table show where the detectors "
    "add recall. Peers run with their default configuration; detect-secrets' high recall comes with "
    "its keyword/entropy plugins flagging most hard negatives."
)


def _tool(name: str) -> str | None:
    local = BIN / name
    return str(local) if local.exists() else shutil.which(name)


def _rel(path: str, files: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(files.resolve()).as_posix()
        except ValueError:
            return candidate.as_posix()
    text = candidate.as_posix()
    return text[2:] if text.startswith("./") else text


def run_secretshift(files: Path, out: Path) -> list[tuple[str, int]]:
    exe = _tool("secretshift")
    cmd = [exe] if exe else [sys.executable, "-m", "secretshift"]
    subprocess.run([*cmd, "scan", "--no-git", "--format", "json", "--output", str(out), "."], cwd=files,
                   capture_output=True, check=False)
    return [(_rel(f["path"], files), f["line"]) for f in json.loads(out.read_text())["findings"]]


def run_gitleaks(files: Path, out: Path) -> list[tuple[str, int]]:
    subprocess.run([_tool("gitleaks") or "gitleaks", "dir", ".", "--no-banner", "-f", "json", "-r", str(out)],
                   cwd=files, capture_output=True, check=False)
    return [(_rel(f["File"], files), f["StartLine"]) for f in json.loads(out.read_text() or "[]")]


def run_kingfisher(files: Path, out: Path) -> list[tuple[str, int]]:
    subprocess.run([_tool("kingfisher") or "kingfisher", "scan", ".", "--no-validate", "--format", "json", "-o", str(out)],
                   cwd=files, capture_output=True, check=False)
    report = json.loads(out.read_text() or "{}")
    return [(_rel(f["finding"]["path"], files), f["finding"]["line"]) for f in report.get("findings", [])]


def run_detect_secrets(files: Path, out: Path) -> list[tuple[str, int]]:
    proc = subprocess.run([_tool("detect-secrets") or "detect-secrets", "scan", "--all-files", "."], cwd=files,
                          capture_output=True, check=False, text=True)
    out.write_text(proc.stdout)
    results = json.loads(proc.stdout or "{}").get("results", {})
    return [(_rel(path, files), item["line_number"]) for path, items in results.items() for item in items]


def run_betterleaks(files: Path, out: Path) -> list[tuple[str, int]]:
    subprocess.run([_tool("betterleaks") or "betterleaks", ".", "--no-color", "-o", str(out)],
                   cwd=files, capture_output=True, check=False)
    report = json.loads(out.read_text() or "{}") if out.exists() else {}
    return [(_rel(f["location"]["path"], files), f["location"]["start_line"]) for f in report.get("findings") or []]


def run_credsweeper(files: Path, out: Path) -> list[tuple[str, int]]:
    # Default settings: ML validation on, as a user installing it gets.
    subprocess.run([_tool("credsweeper") or "credsweeper", "--path", ".", "--save-json", str(out)],
                   cwd=files, capture_output=True, check=False)
    report = json.loads(out.read_text() or "[]") if out.exists() else []
    found = set()
    for candidate in report:
        for line in candidate.get("line_data_list", [])[:1]:  # the value's line, not its context lines
            found.add((_rel(line["path"], files), line["line_num"]))
    return sorted(found)


TOOLS: dict[str, tuple[str, Callable[[Path, Path], list[tuple[str, int]]]]] = {
    "secretshift": ("secretshift scan --no-git --format json .", run_secretshift),
    "gitleaks": ("gitleaks dir . -f json", run_gitleaks),
    "kingfisher": ("kingfisher scan . --no-validate --format json", run_kingfisher),
    "detect-secrets": ("detect-secrets scan --all-files .", run_detect_secrets),
    "betterleaks": ("betterleaks . -o report.json", run_betterleaks),
    "credsweeper": ("credsweeper --path . --save-json report.json", run_credsweeper),
}


def evaluate(corpus: Path) -> tuple[dict[str, tuple[Score, float]], dict[str, object]]:
    labels = json.loads((corpus / "labels.json").read_text())
    files = corpus / "files"
    results: dict[str, tuple[Score, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, (command, runner) in TOOLS.items():
            if name != "secretshift" and _tool(command.split()[0]) is None:
                print(f"{name}: not installed (pip install -r bench/requirements.txt)", file=sys.stderr)
                continue
            started = time.perf_counter()
            predicted = runner(files, Path(scratch) / f"{name}.json")
            results[name] = (score(predicted, labels["positives"]), time.perf_counter() - started)
    return results, labels


def report(results: dict[str, tuple[Score, float]], labels: dict[str, object]) -> str:
    positives = labels["positives"]
    assert isinstance(positives, list)
    lines = [
        f"Corpus: {len(positives)} labelled secrets in {len({p['path'] for p in positives})} files, "
        f"{labels['negatives']} labelled hard negatives (everything unlabelled counts as negative). "
        "A finding matches when its path and the line where the secret value starts match a label.",
        "",
        "| tool | precision | recall | F1 | TP | FP | FN | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, (s, seconds) in results.items():
        lines.append(f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} | {seconds:.1f} |")
    kinds = sorted({k for s, _ in results.values() for k in s.per_kind_recall})
    lines += ["", "Recall per file kind:", "", "| kind | " + " | ".join(results) + " |",
              "| --- |" + " ---: |" * len(results)]
    for kind in kinds:
        cells = [f"{s.per_kind_recall.get(kind, 0.0):.2f}" for s, _ in results.values()]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_results(body: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    section = (f"{MARK_BEGIN}\n## Detection accuracy (labelled corpus)\n\n"
               f"Command: `python bench/accuracy.py --write-results`\n\n{body}\n\n{CAVEAT}\n{MARK_END}")
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        text = head + section + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="an existing corpus directory (files/ + labels.json)")
    parser.add_argument("--write-results", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--show-errors", metavar="TOOL", help="list this tool's false positives and negatives")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(args.corpus) if args.corpus else Path(scratch)
        if not args.corpus:
            build(corpus)
        results, labels = evaluate(corpus)
    body = report(results, labels)
    print(body)
    if args.show_errors and args.show_errors in results:
        s = results[args.show_errors][0]
        print("\nfalse positives:", *s.false_positives, sep="\n  ")
        print("false negatives:", *s.false_negatives, sep="\n  ")
    if args.write_results:
        write_results(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
