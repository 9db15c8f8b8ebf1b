"""Hostile file names, links, special files, unreadable and vanishing files.

Decisions tested here:
- Symbolic links are never followed, inside or outside the scanned root (the target, when it is
  inside, is scanned as itself); a link given as the scan root is refused if it is a directory.
- A special file (FIFO, socket, device) or a directory where git lists a file (a submodule) is
  reported in `skipped` and the scan goes on; it is never opened (a FIFO would block).
- Unreadable files are reported in `skipped` with the OS reason. Tests run as root, who can read
  anything, so the test drops to `nobody` inside the child process after its imports.
- Text output escapes control characters in names; JSON and SARIF keep names exact (JSON as the
  `os.fsdecode` string, SARIF as percent-encoded bytes).
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from secretshift.pipeline import run
from secretshift.scanner.build import build_engine
from secretshift.sources.files import FilesSource
from secretshift.config import Config
from secretshift.sources.files import list_files
from tests.conftest import git, run_cli
from tests.planted import github_token

HOSTILE_NAMES = [
    b"with space.env",
    b"new\nline.env",
    b"tab\there.env",
    "ünïcødé ✓.env".encode(),
    "decomposed e\u0301.env".encode(),
    b"-leading-dash.env",
    b"--format=json",
    b"bad\xffutf8.env",
    b"esc\x1b[31mred.env",
    b"cr\rreturn.env",
    b"quote'and\"dq.env",
    b"$(touch pwned).env",
    b"back\\slash.env",
    b"x" * 200 + b".env",
]


def _plant(folder: Path) -> dict[bytes, str]:
    planted = {}
    for index, name in enumerate(HOSTILE_NAMES):
        token = github_token(1000 + index)
        with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
            handle.write(f"GITHUB_TOKEN={token}\n".encode())
        planted[name] = token
    return planted


@pytest.fixture(params=["no-git", "git"])
def hostile_tree(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    folder = tmp_path / "tree"
    folder.mkdir()
    _plant(folder)
    flags = ["--no-git"]
    if request.param == "git":
        git(folder, "init", "-q")
        git(folder, "add", "-A")
        git(folder, "commit", "-qm", "hostile names")
        flags = []
    yield folder, flags


def test_json_paths_are_exact(hostile_tree: tuple[Path, list[str]]) -> None:
    folder, flags = hostile_tree
    proc = run_cli("scan", *flags, "--format", "json", str(folder))
    assert proc.returncode == 1, proc.stderr
    paths = [os.fsencode(f["path"]) for f in json.loads(proc.stdout)["findings"]]
    assert sorted(paths) == sorted(HOSTILE_NAMES)


def test_sarif_uris_are_exact(hostile_tree: tuple[Path, list[str]]) -> None:
    folder, flags = hostile_tree
    proc = run_cli("scan", *flags, "--format", "sarif", str(folder))
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert sorted(unquote_to_bytes(u) for u in uris) == sorted(HOSTILE_NAMES)


@pytest.mark.subprocess
def test_text_output_escapes_control_characters(hostile_tree: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, flags = hostile_tree
    proc = subprocess.run(
        [sys.executable, "-m", "secretshift", "scan", *flags, str(folder)], capture_output=True, timeout=120
    )
    assert proc.returncode == 1
    out = proc.stdout
    out.decode("utf-8")  # always valid UTF-8, whatever the names
    assert not any(byte < 0x20 and byte != 0x0A for byte in out), "raw control character in text output"
    lines = out.decode().splitlines()
    assert len([line for line in lines if " github-token " in line]) == len(HOSTILE_NAMES)
    # Each fix hint is one shell word that names the file exactly, with no command substitution.
    hints = [line.split("migrate plan ", 1)[1].split("  (", 1)[0] for line in lines if "fix:" in line]
    assert len(hints) == len(HOSTILE_NAMES)
    named = []
    for hint in hints:
        word = hint[3:] if hint.startswith("-- ") else hint
        assert hint.startswith("-- ") or not word.startswith("-"), f"{hint} would read as an option"
        shown = subprocess.run(
            ["bash", "-c", f"printf '%s' {word}"], cwd=tmp_path, capture_output=True, check=True
        ).stdout
        named.append(shown.rsplit(b":", 1)[0])
    assert sorted(named) == sorted(HOSTILE_NAMES)
    assert not (tmp_path / "pwned").exists()


def test_leading_dash_path_after_double_dash(tmp_path: Path) -> None:
    (tmp_path / "-x.env").write_text(f"GITHUB_TOKEN={github_token(5)}\n")
    proc = run_cli("scan", "--no-git", "--format", "json", "--", "-x.env", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["-x.env"]


# -- links ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["no-git", "git"])
def test_symlinks_are_never_followed(tmp_path: Path, mode: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.env").write_text(f"GITHUB_TOKEN={github_token(7)}\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "inside.env").write_text(f"GITHUB_TOKEN={github_token(8)}\n")
    (root / "to-outside-file.env").symlink_to(outside / "secret.env")
    (root / "to-outside-dir").symlink_to(outside, target_is_directory=True)
    (root / "to-inside.env").symlink_to(root / "inside.env")
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    (root / "self").symlink_to(root, target_is_directory=True)
    (root / "dangling.env").symlink_to(tmp_path / "nowhere")
    flags = ["--no-git"]
    if mode == "git":
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "links")
        flags = []
    proc = run_cli("scan", *flags, "--format", "json", str(root))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("inside.env", 1)]
    assert github_token(7)[:4] not in proc.stdout.replace(github_token(8)[:4], "")


def test_symlinked_directory_as_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    proc = run_cli("scan", "--no-git", str(tmp_path / "link"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "symlink" in proc.stderr


# -- special, unreadable and vanishing files ---------------------------------------------------
def test_fifo_is_reported_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.env")  # opening it would block forever: no writer
    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(9)}\n")
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path))
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert report["skipped"] == [{"path": "pipe.env", "reason": "not a regular file"}]
    assert [f["path"] for f in report["findings"]] == ["a.env"]


def test_fifo_given_by_name_is_reported(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    proc = run_cli("scan", "--no-git", "--format", "json", str(tmp_path / "pipe"))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["skipped"][0]["reason"] == "not a regular file"


def test_directory_where_git_lists_a_file(git_repo: Path) -> None:
    (git_repo / "was-a-file.env").write_text("A=1\n")
    (git_repo / "b.env").write_text(f"GITHUB_TOKEN={github_token(10)}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "files")
    (git_repo / "was-a-file.env").unlink()
    (git_repo / "was-a-file.env").mkdir()
    (git_repo / "was-a-file.env" / "inner").write_text("x\n")
    proc = run_cli("scan", "--format", "json", str(git_repo))
    report = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    assert [s["path"] for s in report["skipped"]] == ["was-a-file.env"]
    assert [f["path"] for f in report["findings"]] == ["b.env"]


_AS_NOBODY = """
import contextlib, io, os, pwd, sys, tempfile
# The interpreter's own files may not be readable by nobody, so everything the scan imports
# lazily is loaded first by a warm-up run of the same command, as root, on a throwaway tree
# holding a finding (so the finding and report paths are loaded too).
# The on-disk cache is off so both runs take the same code path (root's cache folder is
# not readable by nobody).
os.environ["SECRETSHIFT_CACHE_DIR"] = "off"
import secretshift.cli
warm = tempfile.mkdtemp()
with open(os.path.join(warm, "a.env"), "w") as handle:
    handle.write("GITHUB_TOKEN=%s\\n" % os.environ["WARM_TOKEN"])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    secretshift.cli.main([*sys.argv[1:-1], warm])
user = pwd.getpwnam("nobody")
os.setgroups([])
os.setgid(user.pw_gid)
os.setuid(user.pw_uid)
raise SystemExit(secretshift.cli.main(sys.argv[1:]))
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    # pytest's tmp_path lives under a root-only directory; nobody needs to traverse this one.
    folder = Path(tempfile.mkdtemp(prefix="secretshift-perm-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.subprocess
def test_unreadable_file_is_reported_and_scan_continues(shared_dir: Path) -> None:
    (shared_dir / "locked.env").write_text(f"GITHUB_TOKEN={github_token(11)}\n")
    (shared_dir / "locked.env").chmod(0o600)
    (shared_dir / "open.env").write_text(f"GITHUB_TOKEN={github_token(12)}\n")
    (shared_dir / "open.env").chmod(0o644)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("no `nobody` user to drop to")
        command = [sys.executable, "-c", _AS_NOBODY]
    else:
        (shared_dir / "locked.env").chmod(0o000)
        command = [sys.executable, "-m", "secretshift"]
    proc = subprocess.run(
        [*command, "scan", "--no-git", "--jobs", "1", "--format", "json", str(shared_dir)],
        capture_output=True, text=True, cwd=shared_dir, timeout=120,
        env={**os.environ, "WARM_TOKEN": github_token(15)},
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["skipped"] == [{"path": "locked.env", "reason": "cannot read: Permission denied"}]
    assert [f["path"] for f in report["findings"]] == ["open.env"]


@pytest.mark.subprocess
def test_unreadable_directory_is_reported(shared_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody")
    locked = shared_dir / "locked"
    locked.mkdir(mode=0o700)
    (locked / "a.env").write_text(f"GITHUB_TOKEN={github_token(13)}\n")
    (shared_dir / "open.env").write_text(f"GITHUB_TOKEN={github_token(14)}\n")
    (shared_dir / "open.env").chmod(0o644)
    proc = subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, "scan", "--no-git", "--jobs", "1", "--format", "json", str(shared_dir)],
        capture_output=True, text=True, cwd=shared_dir, timeout=120,
        env={**os.environ, "WARM_TOKEN": github_token(15)},
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["path"] for f in report["findings"]] == ["open.env"]
    assert [s["path"] for s in report["skipped"]] == ["locked"]


def test_file_deleted_between_listing_and_reading(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}.env").write_text(f"GITHUB_TOKEN={github_token(20 + i)}\n")
    entries = list(list_files(str(tmp_path), use_git=False))
    (tmp_path / "f2.env").unlink()
    (tmp_path / "f3.env").unlink()
    (tmp_path / "f3.env").mkdir()  # replaced by a directory in the meantime
    result = run(build_engine(Config()), FilesSource(entries, 1 << 20))
    assert sorted(f.path for f in result.findings) == ["f0.env", "f1.env", "f4.env"]
    assert sorted((s.path, s.reason.split(" ")[0]) for s in result.skipped) == [("f2.env", "vanished"), ("f3.env", "a")]


def test_tracked_file_deleted_from_work_tree(git_repo: Path) -> None:
    (git_repo / "gone.env").write_text(f"GITHUB_TOKEN={github_token(30)}\n")
    (git_repo / "kept.env").write_text(f"GITHUB_TOKEN={github_token(31)}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "two")
    (git_repo / "gone.env").unlink()
    proc = run_cli("scan", "--format", "json", str(git_repo))
    report = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    assert [f["path"] for f in report["findings"]] == ["kept.env"]
    assert [s["path"] for s in report["skipped"]] == ["gone.env"]


# -- where reports go ------------------------------------------------------------------------------
def test_output_to_a_fifo_writes_into_it(tmp_path: Path) -> None:
    # The same path as /dev/null or /dev/stdout: a special file is written into, never replaced
    # (replacing /dev/null with a regular file, as root, was the bug).
    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(80)}\n")
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    proc = run_cli("scan", "--no-git", "--format", "json", "--output", str(fifo), str(tmp_path / "a.env"))
    out, _ = reader.communicate(timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out)["findings"][0]["rule"] == "github-token"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_is_refused(tmp_path: Path) -> None:
    """#13: a report is never written through a symlink, even one named on the command line (a
    planted /tmp link is the classic attack); the link and its target stay as they were."""
    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(81)}\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "scan.json").write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "reports" / "scan.json")
    proc = run_cli("scan", "--no-git", "--format", "json", "--output", str(link), str(tmp_path / "a.env"))
    assert proc.returncode == 2, proc.stderr
    assert "symlink" in proc.stderr
    assert link.is_symlink()
    assert (tmp_path / "reports" / "scan.json").read_text() == "old"