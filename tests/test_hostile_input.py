"""Odd and hostile file contents: the scan neither crashes, hangs nor misses what it can read.

File system and path cases are in test_hostile_paths.py, git cases in test_hostile_git.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from secretshift.config import Config
from secretshift.models import Blob, Finding
from secretshift.scanner.build import build_engine
from tests.conftest import run_cli
from tests.planted import aws_key_id, github_token

ENGINE = build_engine(Config())


def scan(data: bytes, path: str = "config.env") -> list[Finding]:
    return ENGINE.scan(Blob(path, data))


def secrets(findings: list[Finding]) -> list[str]:
    return [f.secret.reveal() for f in findings]


# -- encodings ---------------------------------------------------------------------------------
TOKEN = github_token(1)
LINE = f"GITHUB_TOKEN={TOKEN}\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(("# passwört für die Datenbank\n" + LINE).encode("latin-1"), id="latin-1"),
        pytest.param(b"\xff\xfe\xc3(\x80 junk\n" + LINE.encode(), id="invalid-utf8-before"),
        pytest.param(b"x = '\xe9\xe8'; " + LINE.encode() + b"\xc0\xc1", id="invalid-utf8-same-line"),
        pytest.param(b"a" * 9000 + b"\x00\x00\n" + LINE.encode(), id="nul-after-first-8k"),
        pytest.param(("\ufeff" + LINE).encode("utf-8"), id="utf8-bom"),
        pytest.param(("\ufeff" + LINE).encode("utf-16-le"), id="utf16-le-bom"),
        pytest.param(("\ufeff" + LINE).encode("utf-16-be"), id="utf16-be-bom"),
        pytest.param(LINE.encode("utf-16-le"), id="utf16-le-no-bom"),
        pytest.param(LINE.encode("utf-16-be"), id="utf16-be-no-bom"),
        pytest.param(("\ufeff" + LINE).encode("utf-32-le"), id="utf32-le-bom"),
        pytest.param(("ключ 🔑\r\n" + LINE.replace("\n", "\r\n")).encode("utf-16"), id="utf16-crlf-non-ascii"),
        pytest.param(LINE.replace("\n", "\r").encode() * 2, id="cr-only-line-ends"),
    ],
)
def test_secret_in_odd_encoding_is_found(data: bytes) -> None:
    assert TOKEN in secrets(scan(data))


def test_latin1_position_counts_characters() -> None:
    data = "schlüssel = 'x'\nmot_de_passe_é = ".encode("latin-1") + TOKEN.encode()
    (finding,) = scan(data)
    assert (finding.line, finding.column) == (2, len("mot_de_passe_é = ") + 1)


def test_utf16_position_is_in_characters() -> None:
    data = ("\ufeffé\n  ключ=" + TOKEN).encode("utf-16")
    (finding,) = scan(data)
    assert (finding.line, finding.column, finding.end_column) == (2, 8, 8 + len(TOKEN))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + LINE.encode()),
        ("config.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00" + LINE.encode()),  # binary, text name
        ("notes.txt", bytes(range(256)) * 64 + LINE.encode()),
    ],
    ids=["png", "elf-named-yaml", "all-bytes-named-txt"],
)
def test_binary_content_is_skipped_whatever_its_name(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "ok.env").write_text(f"GITHUB_TOKEN={github_token(2)}\n")
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["path"] for f in report["findings"]] == ["ok.env"]
    assert report["stats"]["files_scanned"] == 1


def test_random_bytes_never_raise() -> None:
    import random

    rnd = random.Random(7)
    for size in (0, 1, 2, 3, 7, 100, 4096, 70000):
        for _ in range(5):
            data = bytes(rnd.getrandbits(8) for _ in range(size))
            scan(data)
            scan(b"\xff\xfe" + data)  # claims UTF-16 by BOM, odd length, invalid pairs
            scan(b"\x00\x00\xfe\xff" + data)


# -- size and shape ----------------------------------------------------------------------------
def test_five_mb_single_line_minified_file() -> None:
    tokens = [github_token(i) for i in range(3)]
    chunk = b"var a=function(b){return b*2};" * 30
    line = bytearray()
    while len(line) < 5 * 1024 * 1024:
        line += chunk
    for i, token in enumerate(tokens):  # at the start, middle and end of the line
        at = (len(line) - 60) * i // 2
        line[at:at] = f'"{token}",'.encode()
    findings = scan(bytes(line), "dist/app.min.js")
    assert sorted(secrets(findings)) == sorted(tokens)
    assert {f.line for f in findings} == {1}
    assert max(f.column for f in findings) > 5_000_000


def _time_scan(data: bytes) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        scan(data, "a.min.js")
        best = min(best, time.perf_counter() - start)
    return best


def test_many_findings_on_one_line_cost_the_same_as_on_many_lines() -> None:
    # Regression: positions, suppression and key lookup re-read the whole line per finding,
    # so 4,000 secrets on one 4 MB line took ~40 s (quadratic).
    items = [f'{"x" * 1000} t="{github_token(i)}";' for i in range(4000)]
    one_line = "".join(items).encode()
    many_lines = "\n".join(items).encode()
    assert len(scan(one_line, "a.min.js")) == 4000
    assert _time_scan(one_line) < 10 * _time_scan(many_lines) + 1.0


def test_million_short_lines() -> None:
    data = b"a=1\n" * 999_999 + f"k={TOKEN}\n".encode()
    (finding,) = scan(data, "big.txt")
    assert (finding.line, finding.column) == (1_000_000, 3)


def test_keyword_storm_without_secrets() -> None:
    # Every rule keyword over and over, no valid secret: windows merge, nothing is reported.
    keywords = sorted({k for rule in ENGINE.rules for k in rule.keywords})
    data = (" ".join(keywords) + "\n").encode() * 2000
    assert scan(data, "storm.txt") == []


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_and_yaml(depth: int) -> None:
    token = github_token(depth)
    as_json = ('{"a":' * depth + f'"{token}"' + "}" * depth).encode()
    as_yaml = "".join(f"{'  ' * i}k{i}:\n" for i in range(min(depth, 2000)))
    as_yaml += "  " * min(depth, 2000) + f"token: {token}\n"
    flow_yaml = ("[" * depth + f"token: {token}" + "]" * depth).encode()
    for name, data in (("deep.json", as_json), ("deep.yaml", as_yaml.encode()), ("flow.yaml", flow_yaml)):
        assert secrets(scan(data, name)) == [token], name


def test_yaml_billion_laughs_is_not_expanded() -> None:
    token = github_token(99)
    lines = [f'a0: &a0 ["{token}", "lol"]']
    for level in range(1, 30):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    data = ("\n".join(lines) + "\n").encode()
    start = time.perf_counter()
    findings = scan(data, "bomb.yaml")
    assert time.perf_counter() - start < 5
    assert secrets(findings) == [token]  # reported once, where it is written


def test_large_file_over_the_limit_is_skipped_and_reported(tmp_path: Path) -> None:
    big = tmp_path / "dump.sql"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)  # sparse: cheap to make
    (tmp_path / "a.env").write_text(LINE)
    proc = run_cli("scan", "--no-git", "--max-file-size", "2MB", "--format", "json", str(tmp_path))
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [s["path"] for s in report["skipped"]] == ["dump.sql"]
    assert "max file size" in report["skipped"][0]["reason"]
    assert secrets_in(report) == ["a.env"]


def secrets_in(report: dict[str, list[dict[str, str]]]) -> list[str]:
    return [f["path"] for f in report["findings"]]


# -- memory -------------------------------------------------------------------------------------
SLOW = pytest.mark.skipif(
    not os.environ.get("SECRETSHIFT_SLOW_TESTS"), reason="heavy: set SECRETSHIFT_SLOW_TESTS=1"
)
_MEASURE = (
    "import resource, subprocess, sys\n"
    "proc = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_rss_mb(*args: str) -> tuple[int, float]:
    """Exit code and peak RSS (MB) of one CLI run: measured in a fresh parent process, since
    RUSAGE_CHILDREN keeps the maximum over every child a process ever waited for."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "secretshift", *args],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout.split()
    return int(out[0]), int(out[1]) / 1024


def _write_big(path: Path, megabytes: int, one_line: bool) -> list[str]:
    """``megabytes`` of ordinary text with a secret every ~MB; returns the secrets."""
    filler = b"value = some ordinary configuration text here 12345" + (b" " if one_line else b"\n")
    block = filler * (1024 * 1024 // len(filler))
    tokens = []
    with path.open("wb") as handle:
        for i in range(megabytes):
            token = github_token(500 + i)
            tokens.append(token)
            handle.write(block + f"T={token}".encode() + (b";" if one_line else b"\n"))
    return tokens


def _check_big_file(tmp_path: Path, megabytes: int, one_line: bool) -> None:
    small = tmp_path / "small.txt"
    small.write_text("x = 1\n")
    _, base = peak_rss_mb("scan", "--no-git", str(small))
    big = tmp_path / "big.txt"
    tokens = _write_big(big, megabytes, one_line)
    size_mb = big.stat().st_size / 2**20
    # Within the limit: read once, scanned in place; memory ~ one copy of the file.
    code, peak = peak_rss_mb("scan", "--no-git", "--max-file-size", f"{megabytes + 8}MB", "--format", "json",
                             "--output", str(tmp_path / "report.json"), str(big))
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["findings"]) == len(tokens)
    assert peak < base + 1.5 * size_mb + 16, (peak, base, size_mb)
    # Over the limit: never read.
    code, peak = peak_rss_mb("scan", "--no-git", "--max-file-size", f"{megabytes // 2}MB", str(big))
    assert code == 0
    assert peak < base + 16, (peak, base)


@pytest.mark.parametrize("one_line", [False, True], ids=["lines", "one-line"])
def test_file_near_the_default_limit_memory_is_bounded(tmp_path: Path, one_line: bool) -> None:
    _check_big_file(tmp_path, 24, one_line)


@SLOW
@pytest.mark.parametrize("one_line", [False, True], ids=["lines", "one-line"])
def test_200_mb_file_memory_is_bounded(tmp_path: Path, one_line: bool) -> None:
    _check_big_file(tmp_path, 200, one_line)


def test_allow_markers_on_minified_lines() -> None:
    far = " " * 100_000
    near_marker = f"a='{github_token(70)}' /* secretshift: allow */{far}b='{github_token(71)}'"
    (finding,) = scan(near_marker.encode(), "a.min.js")
    assert finding.secret.reveal() == github_token(71)  # the marker is 100 KB away from it
    previous_line = f"// pragma: allowlist nextline secret\n{far}a='{github_token(72)}'{far}b='{github_token(73)}'"
    assert scan(previous_line.encode(), "a.min.js") == []  # the whole next line is allowed
    short = f"a='{github_token(74)}' b='{github_token(75)}' # secretshift: allow"
    assert scan(short.encode(), "a.py") == []


@pytest.mark.subprocess
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\n\r"], ids=["lf", "crlf", "cr", "lfcr"])
def test_line_ending_mixes_never_hang(tmp_path: Path, newline: str) -> None:
    # Regression: a line holding only "\r" (a CRLF line after an LF one) sent a structured
    # detector's line walk into an endless loop. A subprocess with a timeout turns a hang into a
    # failure instead of a stuck CI job.
    token = github_token(77)
    documents = {
        "k8s/secret.yaml": ["apiVersion: v1", "kind: Secret", "metadata:", "  name: api", "stringData:",
                            "  token: q7Lm2Wz9Kp4xR8", "", " ", "data:", "  other: dG9rZW4tdmFsdWUtMTIz", ""],
        "app.yaml": ["db:", "  password: hunter2-Xq9", "", "  token: " + token, " ", ""],
        ".env": ["A=1", "", "TOKEN=" + token, " ", ""],
        "cfg.json": ["{", '  "token": "' + token + '",', "", '  "x": 1', "}", ""],
        "main.tf": ['resource "x" "y" {', '  password = "hunter2-Xq9"', "", "}", ""],  # secretshift: allow
    }
    for name, lines in documents.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # Each document mixes the line ending under test with plain LF lines.
        target.write_bytes(("\n".join(lines[:2]) + "\n" + newline.join(lines[2:]) + "\r\n" + "\r").encode())
    proc = subprocess.run(
        [sys.executable, "-m", "secretshift", "scan", "--no-git", "--jobs", "1", "--format", "json", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["stats"]["files_scanned"] == len(documents)
