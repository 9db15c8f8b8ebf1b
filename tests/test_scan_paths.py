"""The fast paths of a tree scan give the same answers as the plain ones: listing, reading,
the process pool, the small-scan prefilter and the compiled-prefilter cache."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from secretshift.scanner import cache
from secretshift.config import Config
from secretshift.models import Blob, Finding, ScanResult, Skipped
from secretshift.scanner.prefilter import Prefilter, hyperscan_module
from secretshift.pipeline import scan_paths
from secretshift.scanner.build import build_engine
from secretshift.sources.files import FileEntry, list_files, read_blob

# Fake credentials made for these tests (valid shapes and checksums, never issued).
GITHUB_TOKEN = "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"  # secretshift: allow
AWS_KEY_ID = "AKIAR5TQWZ3KD7NBX2LM"  # secretshift: allow


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(folder))
    return folder


def _tree(root: Path, files: int) -> None:
    """Many small files in nested folders, a secret in every seventh, plus the odd ones."""
    for i in range(files):
        folder = root / f"pkg{i % 9}" / f"mod{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        body = f"# module {i}\nVALUE_{i} = {i}\n"
        if i % 7 == 0:
            body += f'GITHUB_TOKEN = "{GITHUB_TOKEN}"\n'
        if i % 11 == 0:
            body += f"aws_access_key_id = {AWS_KEY_ID}\r\n"
        (folder / f"file{i}.py").write_text(body)
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + GITHUB_TOKEN.encode())
    (root / "blob.dat").write_bytes(b"\x00\x01" + GITHUB_TOKEN.encode())
    (root / "big.txt").write_text("x" * 5000 + GITHUB_TOKEN)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"token = {GITHUB_TOKEN}\n")
    (root / "link.py").symlink_to(root / "pkg0" / "mod0" / "file0.py")


def _facts(result: ScanResult) -> tuple[object, ...]:
    findings = [(f.path, f.line, f.column, f.end_line, f.end_column, f.rule, f.secret_hash, f.key) for f in result.findings]
    return findings, [(s.path, s.reason) for s in result.skipped], result.files_scanned, result.bytes_scanned


@pytest.mark.parametrize("jobs", [2, 0], ids=["two-processes", "auto"])
def test_parallel_scan_equals_serial_scan(tmp_path: Path, jobs: int) -> None:
    root = tmp_path / "tree"
    _tree(root, 450)
    config = Config(max_file_size=4096)
    serial = scan_paths([str(root)], config, use_git=False, jobs=1)
    parallel = scan_paths([str(root)], config, use_git=False, jobs=jobs)
    assert _facts(parallel) == _facts(serial)
    paths = {f.path for f in serial.findings}
    assert "pkg0/mod0/file0.py" in paths and "pkg7/mod2/file682.py" not in paths
    assert len(serial.findings) == 65 + 41  # every seventh file and every eleventh
    assert [s.path for s in serial.skipped] == ["big.txt"]
    assert not any(p.startswith((".git/", "link", "image", "blob")) for p in paths)


def test_walk_lists_in_name_order_without_links_or_vcs_folders(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "b" / "a.txt").write_text("a")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / ".hg").mkdir()
    (tmp_path / "c" / ".hg" / "store").write_text("x")
    (tmp_path / "linked").symlink_to(tmp_path / "b", target_is_directory=True)
    (tmp_path / "a-link.txt").symlink_to(tmp_path / "a.txt")
    entries = list(list_files(str(tmp_path), use_git=False))
    assert [e.display for e in entries] == ["a.txt", "b/a.txt", "b/z.txt"]
    assert entries[1].fs_path == os.path.join(str(tmp_path), "b", "a.txt")
    assert all(e.error is None for e in entries)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_unreadable_directory_is_an_entry_with_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "f.txt").write_text("x")
    locked.chmod(0)
    try:
        entries = list(list_files(str(tmp_path), use_git=False))
    finally:
        locked.chmod(0o755)
    (entry,) = entries
    assert entry.display == "locked" and entry.error is not None
    assert isinstance(read_blob(entry, 1 << 20), Skipped)


def test_read_blob_outcomes(tmp_path: Path) -> None:
    (tmp_path / "text.env").write_bytes(b"A=1\r\nB=2\r\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "zeros.txt").write_bytes(b"ab\x00cd")
    (tmp_path / "utf16.txt").write_bytes("A=1\n".encode("utf-16"))
    (tmp_path / "huge.txt").write_bytes(b"y" * 101)
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.env").symlink_to(tmp_path / "text.env")
    os.mkfifo(tmp_path / "pipe")

    def read(name: str) -> Blob | Skipped | None:
        return read_blob(FileEntry(str(tmp_path / name), name), 100)

    blob = read("text.env")
    assert isinstance(blob, Blob) and blob.data == b"A=1\r\nB=2\r\n" and blob.path == "text.env"
    assert read("empty.txt") == Blob("empty.txt", b"")
    assert read("zeros.txt") is None
    assert isinstance(read("utf16.txt"), Blob)  # a BOM'd UTF-16 file has zero bytes and is text
    assert read("link.env") is None
    skipped = {name: read(name) for name in ("huge.txt", "folder", "pipe", "missing.txt")}
    reasons = {name: s.reason.split(" ")[0] for name, s in skipped.items() if isinstance(s, Skipped)}
    assert reasons == {"huge.txt": "larger", "folder": "a", "pipe": "not", "missing.txt": "vanished"}


def test_reading_a_fifo_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(read_blob(FileEntry(str(tmp_path / "pipe"), "pipe"), 100)))
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive() and isinstance(outcome[0], Skipped)


def test_small_scan_without_a_cache_uses_re2_prefilter_and_finds_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", "off")
    assert build_engine(Config(), small=True).prefilter.engine == "re2"
    text = f'GITHUB_TOKEN = "{GITHUB_TOKEN}"\naws_access_key_id={AWS_KEY_ID}\npassword = "Wq9rT4yU2iO7xZ"\n'
    blob = Blob("settings.py", text.encode())

    def facts(findings: list[Finding]) -> list[tuple[str, int, int]]:
        return [(f.rule, f.line, f.column) for f in findings]

    small, large = build_engine(Config(), small=True), build_engine(Config())
    assert facts(small.scan(blob)) == facts(large.scan(blob))
    assert {"github-token", "aws-access-key-id"} <= {rule for rule, _, _ in facts(small.scan(blob))}


@pytest.mark.subprocess
def test_scan_path_imports_no_heavy_or_network_modules(tmp_path: Path) -> None:
    target = tmp_path / "settings.py"
    target.write_text(f'GITHUB_TOKEN = "{GITHUB_TOKEN}"\n')

    def imported(cache: str) -> set[str]:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "secretshift", "scan", "--no-git", str(target)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={**os.environ, "SECRETSHIFT_CACHE_DIR": cache},
        )
        assert proc.returncode == 1, proc.stderr
        names = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
        return {name.split(".")[0] for name in names}

    heavy = {"boto3", "botocore", "git", "ruamel", "libcst", "multiprocessing"}
    # One file to scan: no process pool, nothing for migration; Hyperscan only with its compiled
    # database cached (with the cache off, RE2's alternation compiles faster than Hyperscan loads).
    assert sorted(imported("off") & (heavy | {"hyperscan"})) == []
    assert sorted(imported(str(tmp_path / "cache")) & heavy) == []


@pytest.mark.skipif(hyperscan_module() is None, reason="hyperscan is not installed on this platform")
def test_compiled_prefilter_is_cached_and_a_damaged_cache_is_a_miss(private_cache: Path) -> None:
    keywords = ["ghp_", "akia", "password", "pass"]
    text = b"x = 'ghp_abc' # PASSWORD AKIA passes"
    fresh = Prefilter(keywords).scan(text)
    (stored,) = private_cache.glob("prefilter-*.bin")
    hs = hyperscan_module()
    with pytest.MonkeyPatch.context() as patch:  # loaded from the cache: nothing is compiled
        patch.setattr(hs, "Database", lambda *a, **k: pytest.fail("compiled instead of loaded"))
        loaded = Prefilter(keywords)
    assert loaded.engine == "hyperscan" and loaded.scan(text) == fresh
    assert sorted(fresh) == sorted(Prefilter(keywords, use_hyperscan=False).scan(text))

    stored.write_bytes(stored.read_bytes()[:-7] + b"garbage")
    assert Prefilter(keywords).scan(text) == fresh  # recompiled, and stored again
    assert cache.load("prefilter", stored.name[len("prefilter-") : -len(".bin")]) is not None

    Prefilter([*keywords, "token"])
    assert len(list(private_cache.glob("prefilter-*.bin"))) == 2  # other keywords, other entry


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    cache.store("prefilter", "k", b"payload")
    assert cache.load("prefilter", "k") is None
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(tmp_path / "c"))
    cache.store("prefilter", "k", b"payload")
    assert cache.load("prefilter", "k") == b"payload"
    assert cache.key_of("a", "b") != cache.key_of("ab") != cache.key_of("a", "c")
