"""`scan --diff` / `scan --history`: real repositories, real git, findings on the real lines."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.config import Config
from secretshift.pipeline import CommitScan, scan_commits
from secretshift.models import Finding
from secretshift.sources.git import diff_selection, history_selection
from tests.conftest import ROOT, git, run_cli
from tests.fakes import aws_key_id, private_key


def commit(repo: Path, message: str, date: str = "2024-01-02T03:04:05+00:00") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, f"--date={date}")
    return git(repo, "rev-parse", "HEAD").strip()


def write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def history(repo: Path, branch: str | None = None, since: str | None = None) -> CommitScan:
    return scan_commits(history_selection(str(repo), branch, since), Config())


def found(scan: CommitScan) -> list[tuple[str, str, int, str | None]]:
    return sorted((f.rule, f.path, f.line, f.commit) for f in scan.result.findings)


def only(scan: CommitScan) -> Finding:
    assert len(scan.result.findings) == 1, found(scan)
    return scan.result.findings[0]


def test_secret_deleted_later_is_found_with_commit_date_and_file_line(git_repo: Path) -> None:
    write(git_repo, "app/settings.py", "".join(f"LINE_{n} = {n}\n" for n in range(1, 11)))
    commit(git_repo, "base")
    lines = [f"LINE_{n} = {n}\n" for n in range(1, 11)]
    lines.insert(6, f'AWS_KEY = "{aws_key_id(1)}"\n')  # becomes line 7; lines 1-6 and 8-11 unchanged
    write(git_repo, "app/settings.py", "".join(lines))
    added = commit(git_repo, "add key", "2024-02-03T04:05:06+01:00")
    write(git_repo, "app/settings.py", "".join(f"LINE_{n} = {n}\n" for n in range(1, 11)))
    commit(git_repo, "remove key")

    finding = only(history(git_repo))
    assert (finding.rule, finding.path, finding.line, finding.column) == ("aws-access-key-id", "app/settings.py", 7, 12)
    assert finding.end_line == 7
    assert finding.commit == added
    assert finding.author_date == "2024-02-03T04:05:06+01:00"
    assert finding.secret.reveal() == aws_key_id(1)


def test_private_key_is_found_whole_with_lines_mapped_across_hunks(git_repo: Path) -> None:
    original = [f"row {n}\n" for n in range(1, 41)]
    write(git_repo, "deploy/notes.txt", "".join(original))
    commit(git_repo, "base")
    changed = list(original)
    changed[2] = "row 3 edited\n"  # a separate hunk before the key
    key = private_key(2)
    changed[20:20] = [line + "\n" for line in key.splitlines()]  # the key starts on line 21
    write(git_repo, "deploy/notes.txt", "".join(changed))
    commit(git_repo, "add key")

    finding = only(history(git_repo))
    assert finding.rule == "private-key"
    assert (finding.line, finding.end_line) == (21, 21 + len(key.splitlines()) - 1)
    assert finding.secret.reveal() == key


def test_huge_hunk_read_in_chunks_keeps_line_numbers(git_repo: Path) -> None:
    lines = [f"value_{n} = {n}\n" for n in range(1, 10001)]
    lines[8999] = f'token = "{aws_key_id(3)}"\n'
    write(git_repo, "big.py", "".join(lines))
    commit(git_repo, "big")
    assert only(history(git_repo)).line == 9000


def test_diff_range_scans_only_its_commits(git_repo: Path) -> None:
    write(git_repo, "old.py", f'KEY = "{aws_key_id(4)}"\n')
    base = commit(git_repo, "old secret, before the range")
    write(git_repo, "new.py", f'KEY = "{aws_key_id(5)}"\n')
    first = commit(git_repo, "new secret")
    write(git_repo, "new.py", "KEY = None\n")
    commit(git_repo, "remove it again")

    scan = scan_commits(diff_selection(str(git_repo), f"{base}..HEAD"), Config())
    assert found(scan) == [("aws-access-key-id", "new.py", 1, first)]
    assert scan.source.commits == 2


def test_merge_scans_only_what_the_merge_itself_added(git_repo: Path) -> None:
    write(git_repo, "conf.py", "A = 1\nB = 2\n")
    commit(git_repo, "base")
    git(git_repo, "checkout", "-qb", "feature")
    write(git_repo, "conf.py", f'A = 1\nB = 2\nFEATURE_KEY = "{aws_key_id(6)}"\n')
    on_feature = commit(git_repo, "feature key")
    git(git_repo, "checkout", "-q", "main")
    write(git_repo, "conf.py", "A = 10\nB = 2\n")
    commit(git_repo, "main change")
    subprocess.run(["git", "merge", "-q", "feature"], cwd=git_repo, capture_output=True, check=False)
    # The conflict resolution introduces a key that is on neither side: an "evil merge".
    write(git_repo, "conf.py", f'A = 10\nB = 2\nFEATURE_KEY = "{aws_key_id(6)}"\nMERGE_KEY = "{aws_key_id(7)}"\n')
    merge = commit(git_repo, "merge feature")

    scan = history(git_repo)
    assert found(scan) == sorted([
        ("aws-access-key-id", "conf.py", 3, on_feature),
        ("aws-access-key-id", "conf.py", 4, merge),
    ])


def test_octopus_merge_with_a_file_of_its_own(git_repo: Path) -> None:
    write(git_repo, "base.txt", "base\n")
    commit(git_repo, "base")
    for name in ("one", "two"):
        git(git_repo, "checkout", "-qb", name, "main")
        write(git_repo, f"{name}.py", f'KEY = "{aws_key_id(20 if name == "one" else 21)}"\n')
        commit(git_repo, name)
    git(git_repo, "checkout", "-q", "main")
    git(git_repo, "merge", "-q", "--no-commit", "one", "two")
    write(git_repo, "octo.py", f'first = 1\nKEY = "{aws_key_id(22)}"\n')
    merge = commit(git_repo, "octopus with its own file")

    result = found(history(git_repo))
    assert [(path, line) for _, path, line, _ in result] == [("octo.py", 2), ("one.py", 1), ("two.py", 1)]
    assert result[0][3] == merge


def test_renames_deletions_and_copies_on_other_branches(git_repo: Path) -> None:
    body = "".join(f"setting_{n} = {n}\n" for n in range(30))
    write(git_repo, "a/config.py", body + f'KEY = "{aws_key_id(8)}"\n')
    first = commit(git_repo, "key")
    (git_repo / "b").mkdir()
    git(git_repo, "mv", "a/config.py", "b/config.py")
    renamed = commit(git_repo, "pure rename: nothing new to scan")
    write(git_repo, "b/config.py", body + f'KEY = "{aws_key_id(8)}"\nOTHER = "{aws_key_id(9)}"\n')
    second = commit(git_repo, "edit after rename")
    git(git_repo, "rm", "-q", "b/config.py")
    commit(git_repo, "delete")
    # The same added text on another branch (a cherry-pick) is scanned once.
    git(git_repo, "checkout", "-qb", "copy", renamed)
    write(git_repo, "unrelated.txt", "so that the copy is a different commit\n")
    commit(git_repo, "unrelated")
    git(git_repo, "cherry-pick", "--allow-empty", second)
    copy = git(git_repo, "rev-parse", "HEAD").strip()

    scan = history(git_repo)
    (_, path_a, line_a, commit_a), (_, path_b, line_b, commit_b) = found(scan)
    assert (path_a, line_a, commit_a) == ("a/config.py", 31, first)
    assert (path_b, line_b) == ("b/config.py", 32) and commit_b in (second, copy)  # whichever came first
    assert scan.source.duplicates == 1


def test_binary_files_and_submodules_are_skipped_with_a_note(git_repo: Path, tmp_path: Path) -> None:
    (git_repo / "blob.dat").write_bytes(b"\x00\x01" + f'KEY = "{aws_key_id(10)}"'.encode())
    commit(git_repo, "binary")
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    write(other, "x.txt", "x\n")
    commit(other, "x")
    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "vendor/other")
    commit(git_repo, "submodule")

    scan = history(git_repo)
    assert scan.result.findings == []
    assert scan.source.binary == 1
    # Binary content is read from the blob, sniffed, and still listed when it is not text (#13).
    assert sorted((s.path, "submodule" in s.reason, "binary" in s.reason) for s in scan.result.skipped) == [
        ("blob.dat", False, True), ("vendor/other", True, False)]


@pytest.mark.parametrize(
    "name",
    ["with space.py", "tab\there.py", 'quote".py', "ünïcødé/ключ.py", "back\\slash.py"],
    ids=["space", "tab", "quote", "unicode", "backslash"],
)
def test_unusual_paths_are_reported_as_they_are(git_repo: Path, name: str) -> None:
    write(git_repo, name, f'KEY = "{aws_key_id(11)}"')  # no newline at end of file, too
    commit(git_repo, "odd name")
    assert only(history(git_repo)).path == name


def commit_at(repo: Path, message: str, committed: str) -> None:
    """A commit with a chosen committer date (what `--since` filters on)."""
    git(repo, "add", "-A")
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", message],
        cwd=repo, check=True, env={**os.environ, "GIT_COMMITTER_DATE": committed},
    )


def test_branch_and_since_narrow_the_history(git_repo: Path) -> None:
    write(git_repo, "a.py", f'KEY = "{aws_key_id(12)}"\n')
    commit_at(git_repo, "old", "2020-01-01T00:00:00+00:00")
    git(git_repo, "checkout", "-qb", "side")
    write(git_repo, "b.py", f'KEY = "{aws_key_id(13)}"\n')
    commit_at(git_repo, "side", "2020-01-02T00:00:00+00:00")
    git(git_repo, "checkout", "-q", "main")
    write(git_repo, "c.py", f'KEY = "{aws_key_id(14)}"\n')
    commit_at(git_repo, "new", "2024-06-01T00:00:00+00:00")

    assert {f.path for f in history(git_repo).result.findings} == {"a.py", "b.py", "c.py"}
    assert {f.path for f in history(git_repo, branch="main").result.findings} == {"a.py", "c.py"}
    assert {f.path for f in history(git_repo, branch="main", since="2024-01-01").result.findings} == {"c.py"}
    assert {f.path for f in history(git_repo, since="2024-01-01").result.findings} == {"c.py"}


def test_shallow_clone_names_the_boundary(git_repo: Path, tmp_path: Path) -> None:
    for n in range(3):
        write(git_repo, f"f{n}.py", f"x = {n}\n")
        commit(git_repo, f"c{n}")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{git_repo}", str(clone))
    boundary = git(clone, "rev-parse", "HEAD").strip()

    proc = run_cli("scan", "--history", str(clone))
    assert proc.returncode == 0, proc.stderr
    assert "shallow clone" in proc.stderr and boundary[:12] in proc.stderr

    proc = run_cli("scan", "--diff", "HEAD~2..HEAD", str(clone))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "fetch-depth: 0" in proc.stderr


def test_empty_repository_is_clean_with_a_message(git_repo: Path) -> None:
    proc = run_cli("scan", "--history", str(git_repo))
    assert proc.returncode == 0, proc.stderr
    assert "no commits" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--diff", "nope..HEAD"], "unknown revision 'nope'"),
        (["--diff", "HEAD"], "expected BASE..HEAD"),
        (["--diff", "HEAD...HEAD"], "expected BASE..HEAD"),
        (["--diff=--all..HEAD"], "invalid"),
        (["--history", "--branch", "missing"], "unknown revision 'missing'"),
        (["--branch", "main"], "need --history"),
        (["--history", "--diff", "HEAD..HEAD"], "mutually exclusive"),
    ],
    ids=["unknown-base", "no-dots", "three-dots", "option-injection", "unknown-branch", "branch-alone", "both"],
)
def test_invalid_ranges_exit_2_with_one_line(git_repo: Path, args: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, "a.py", "a = 1\n")
    commit(git_repo, "a")
    assert main(["scan", *args, str(git_repo)]) == 2  # the CLI entry point, in-process
    stderr = capsys.readouterr().err
    assert message in stderr
    assert [line for line in stderr.splitlines() if not line.startswith(("usage:", " "))] == [
        next(line for line in stderr.splitlines() if line.startswith("secretshift: error"))
    ]


def test_not_a_repository_is_an_error(tmp_path: Path) -> None:
    proc = run_cli("scan", "--history", str(tmp_path))
    assert proc.returncode == 2 and "not a git repository" in proc.stderr


def test_cli_end_to_end_json_carries_commit_and_date(git_repo: Path) -> None:
    write(git_repo, "x.env", f'KEY="{aws_key_id(15)}"\n')
    sha = commit(git_repo, "x", "2023-05-06T07:08:09+00:00")
    git(git_repo, "rm", "-q", "x.env")
    commit(git_repo, "rm")
    proc = run_cli("scan", "--history", "--format", "json", cwd=git_repo)
    assert proc.returncode == 1, proc.stderr
    [finding] = json.loads(proc.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["commit"]) == ("x.env", 1, sha)
    assert finding["author_date"] == "2023-05-06T07:08:09+00:00"
    assert aws_key_id(15) not in proc.stdout + proc.stderr
    assert "across 2 commits" in proc.stderr


@pytest.mark.subprocess
def test_plain_scan_never_imports_gitpython(git_repo: Path) -> None:
    write(git_repo, "a.py", "a = 1\n")
    code = (
        "import sys; from secretshift.cli import main; rc = main(['scan', sys.argv[1]]);"
        "print('git' in sys.modules, 'secretshift.sources.git' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(git_repo)], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "False False", proc.stderr


def _run_on_pty(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal, as a person at a terminal would."""
    main, replica = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "secretshift", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=replica)
    os.close(replica)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.subprocess
def test_progress_only_on_a_terminal_and_never_in_ci(git_repo: Path) -> None:
    write(git_repo, "a.py", "a = 1\n")
    commit(git_repo, "a")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    assert "1/1 commits" in _run_on_pty(["scan", "--history"], git_repo, env)
    assert "commits (" not in _run_on_pty(["scan", "--history"], git_repo, {**env, "CI": "true"})
    piped = run_cli("scan", "--history", cwd=git_repo, env={"CI": ""})
    assert "\r" not in piped.stderr


def test_added_text_over_the_size_limit_is_skipped_and_listed(git_repo: Path) -> None:
    write(git_repo, "small.py", f'KEY = "{aws_key_id(30)}"\n')
    write(git_repo, "big.py", "x = 1\n" * 1000 + f'KEY = "{aws_key_id(31)}"\n')
    sha = commit(git_repo, "two files")
    scan = scan_commits(history_selection(str(git_repo), None, None), Config(max_file_size=1024))
    assert [f.path for f in scan.result.findings] == ["small.py"]
    [skipped] = scan.result.skipped
    assert skipped.path == "big.py" and sha[:12] in skipped.reason and "max file size" in skipped.reason
