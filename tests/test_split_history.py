"""History split over processes (secretshift.sources.split_history): the same answers as one
``git log`` stream, on a repository with branches, merges, renames, cherry-picks, re-added
secrets, UTF-16 and binary files, submodules and oversized changes, sliced finely so that every
kind of event lands on a slice boundary somewhere."""
from __future__ import annotations

import codecs
import dataclasses
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secretshift.cli import main
from secretshift.config import Config
from secretshift.errors import FatalError
from secretshift.pipeline import scan_commits
from secretshift.models import Finding
from secretshift.sources import split_history
from secretshift.sources.git import GitSelection, history_selection
from tests import test_git_source as contract
from tests.conftest import git
from tests.fakes import aws_key_id, github_token, private_key


def _commit(repo: Path, message: str, day: int) -> str:
    git(repo, "add", "-A")
    date = f"2024-01-{day % 28 + 1:02d}T{day % 24:02d}:00:00+00:00"
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty",
         "-m", message, f"--date={date}"],
        cwd=repo, check=True, env={"GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin:/usr/local/bin",
                                   "HOME": str(repo)},
    )
    return git(repo, "rev-parse", "HEAD").strip()


def _write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def busy_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 45 commits on four branches, the way a small team's repository grows."""
    root = tmp_path_factory.mktemp("split")
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    day = 0

    def commit(message: str) -> str:
        nonlocal day
        day += 1
        return _commit(repo, message, day)

    settings = [f"SETTING_{n} = {n}\n" for n in range(40)]
    _write(repo, "app/settings.py", "".join(settings))
    _write(repo, "README.md", "# service\n")
    commit("base")
    for n in range(8):  # ordinary edits, one leaking a key that a later commit removes again
        settings[n * 4] = f"SETTING_{n * 4} = {n * 100}\n"
        if n == 3:
            settings.insert(20, f'AWS_KEY = "{aws_key_id(101)}"\n')
        if n == 5:
            settings.pop(20)
        _write(repo, "app/settings.py", "".join(settings))
        commit(f"tune {n}")
    git(repo, "checkout", "-qb", "feature")
    _write(repo, "feature/client.py", f'TOKEN = "{github_token(102)}"\nretries = 3\n')
    feature_key = commit("feature client")
    _write(repo, "deploy/id_rsa.pem", private_key(103) + "\n")
    commit("deploy key")
    git(repo, "mv", "feature/client.py", "feature/api_client.py")
    commit("rename: nothing new to scan")
    (repo / "deploy" / "windows.env").write_bytes(codecs.BOM_UTF16_LE + f"DB_TOKEN={github_token(104)}\r\n".encode("utf-16-le"))
    commit("utf-16 env file, as PowerShell writes it")
    (repo / "assets").mkdir()
    (repo / "assets" / "logo.bin").write_bytes(b"\x89PNG\x00\x01" + aws_key_id(105).encode())
    commit("binary asset")
    git(repo, "checkout", "-q", "main")
    for n in range(6):
        _write(repo, f"docs/page{n}.md", f"page {n}\n" * (n + 1))
        commit(f"docs {n}")
    _write(repo, "app/settings.py", "".join(settings).replace("SETTING_1 =", "SETTING_ONE ="))
    commit("main edit that conflicts with nothing")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    # An "evil merge": content introduced by the merge commit itself.
    git(repo, "checkout", "-qb", "hotfix", "HEAD~3")
    _write(repo, "app/hotfix.py", "fixed = True\n")
    commit("hotfix")
    git(repo, "checkout", "-q", "main")
    subprocess.run(["git", "merge", "-q", "--no-commit", "--no-ff", "hotfix"], cwd=repo, capture_output=True, check=False)
    _write(repo, "app/hotfix.py", f'fixed = True\nMERGE_KEY = "{aws_key_id(106)}"\n')
    commit("merge hotfix, with a key of its own")
    # The same text re-added on another branch (a cherry-pick) and the same key re-added later.
    git(repo, "checkout", "-qb", "backport", "HEAD~5")
    _write(repo, "feature/api_client.py", f'TOKEN = "{github_token(102)}"\nretries = 3\n')
    commit("backport the client")
    for n in range(8):
        _write(repo, f"backport/b{n}.py", f"value = {n}\n")
        commit(f"backport {n}")
    git(repo, "checkout", "-q", "main")
    _write(repo, "app/settings.py", "".join(settings) + f'AWS_KEY = "{aws_key_id(101)}"\n')
    commit("the removed key comes back")
    _write(repo, "big/generated.py", "x = 1\n" * 3000 + f'KEY = "{aws_key_id(107)}"\n')
    commit("too large for the limit below")
    sub = root / "sub"
    sub.mkdir()
    git(sub, "init", "-q")
    _write(sub, "x.txt", "x\n")
    _commit(sub, "x", 1)
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    commit("submodule")
    for n in range(6):
        _write(repo, "CHANGELOG.md", "".join(f"- change {k}\n" for k in range(n + 1)))
        commit(f"release {n}")
    assert feature_key
    return repo


CONFIG = Config(max_file_size=8192)


def _facts(findings: list[Finding]) -> list[tuple[str, str, int, int, int, str | None, str | None, str]]:
    return sorted((f.rule, f.path, f.line, f.end_line, f.column, f.commit, f.author_date, f.secret.reveal())
                  for f in findings)


class _Whole:
    """One ``git log`` stream's answer (the reference), with the split scan's field names."""

    def __init__(self, repo: Path, branch: str | None, since: str | None) -> None:
        scan = scan_commits(history_selection(str(repo), branch, since), CONFIG, jobs=1)
        assert type(scan.source).__name__ == "AddedLinesSource"
        self.findings, self.skipped = scan.result.findings, scan.result.skipped
        self.files_scanned, self.bytes_scanned = scan.result.files_scanned, scan.result.bytes_scanned
        self.commits, self.duplicates, self.binary = scan.source.commits, scan.source.duplicates, scan.source.binary


def _one_stream(repo: Path, branch: str | None = None, since: str | None = None) -> _Whole:
    return _Whole(repo, branch, since)


def _merged(selection: GitSelection, slices: int, workers: int) -> split_history.SplitScan:
    commits = split_history.list_commits(selection)
    parts = split_history.slice_selections(selection, commits, slices, min_slice=1)
    assert len(parts) == min(slices, len(commits))
    scanner = split_history.slice_scanner(CONFIG)
    return split_history.scan_split(parts, scanner, workers)


@pytest.mark.parametrize("slices", [2, 7, 45], ids=["halves", "sevenths", "one-commit-each"])
def test_split_scan_equals_one_stream(busy_repo: Path, slices: int) -> None:
    whole = _one_stream(busy_repo)
    split = _merged(history_selection(str(busy_repo), None, None), slices, workers=2)
    got = split.result
    assert _facts(got.findings) == _facts(whole.findings)
    assert (split.commits, got.files_scanned, got.bytes_scanned, split.duplicates, split.binary) == (
        whole.commits, whole.files_scanned, whole.bytes_scanned, whole.duplicates, whole.binary)
    assert sorted((s.path, s.reason) for s in got.skipped) == sorted((s.path, s.reason) for s in whole.skipped)


def test_what_the_one_stream_finds_is_what_the_history_holds(busy_repo: Path) -> None:
    """Not only equal to itself: the findings are the commits that really added each secret."""
    whole = _one_stream(busy_repo)
    by_path: dict[str, list[Finding]] = {}
    for finding in whole.findings:
        by_path.setdefault(finding.path, []).append(finding)
    log = git(busy_repo, "log", "--all", "--format=%H %s").splitlines()
    subject = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in log}
    assert [subject[f.commit or ""] for f in sorted(by_path["app/settings.py"], key=lambda f: f.line)] == [
        "tune 3", "the removed key comes back"]
    assert [subject[f.commit or ""] for f in by_path["app/hotfix.py"]] == ["merge hotfix, with a key of its own"]
    assert by_path["app/hotfix.py"][0].line == 2
    # Added on `feature`, re-added with the same text on `backport`: one finding, the newest.
    assert [subject[f.commit or ""] for f in by_path["feature/api_client.py"]] == ["backport the client"]
    assert "feature/client.py" in by_path  # the first add, before the rename
    assert [f.line for f in by_path["deploy/id_rsa.pem"]] == [1]
    assert "big/generated.py" not in by_path
    assert any(s.path == "big/generated.py" and "max file size" in s.reason for s in whole.skipped)
    assert [s.path for s in whole.skipped if "submodule" in s.reason] == ["vendor/sub"]


def test_branch_and_since_are_honoured_when_split(busy_repo: Path) -> None:
    for branch, since in (("backport", None), (None, "2024-01-20"), ("main", "2024-01-10")):
        selection = history_selection(str(busy_repo), branch, since)
        whole = _one_stream(busy_repo, branch, since)
        split = _merged(selection, 5, workers=2)
        assert _facts(split.result.findings) == _facts(whole.findings)
        assert split.commits == whole.commits == len(split_history.list_commits(selection))
        assert 0 < whole.commits < 45


def test_dispatch_uses_one_stream_for_short_histories(busy_repo: Path) -> None:
    selection = history_selection(str(busy_repo), None, None)
    assert split_history.scan_history(selection, CONFIG, workers=2) is None  # 45 < MIN_SPLIT_COMMITS
    assert split_history.scan_history(selection, CONFIG, workers=1, min_commits=1) is None  # one CPU
    split = split_history.scan_history(selection, CONFIG, workers=2, min_commits=1)
    assert split is not None and split.merged.workers == 2 and split.merged.slices > 2
    assert _facts(split.result.findings) == _facts(_one_stream(busy_repo).findings)


def test_a_failing_rev_list_is_one_line_error(busy_repo: Path) -> None:
    selection = history_selection(str(busy_repo), None, None)
    broken = dataclasses.replace(selection, revisions=("no-such-ref-anywhere",))
    with pytest.raises(FatalError, match="git rev-list failed: .*no-such-ref-anywhere"):
        split_history.list_commits(broken)


# -- the history tests of one stream, run again with every history split into one-commit slices
# over two processes (the contract: same findings, counters, notes and errors).
_ONE_COMMIT = {"test_contract_huge_hunk", "test_contract_size_limit"}


@pytest.fixture(autouse=True)
def _split_every_history(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not request.node.name.startswith("test_contract_"):
        yield
        return
    monkeypatch.setattr(split_history, "default_workers", lambda: 2)
    original = split_history.scan_history
    runs: list[split_history.SplitHistory] = []

    def forced(*args: Any, **kwargs: Any) -> split_history.SplitHistory | None:
        kwargs["min_commits"] = 2
        split = original(*args, **kwargs)
        if split is not None:
            runs.append(split)
        return split

    monkeypatch.setattr(split_history, "scan_history", forced)
    yield
    if request.node.originalname not in _ONE_COMMIT and "unusual_paths" not in request.node.name:
        assert runs, "the split path did not run"
        assert all(run.merged.workers == 2 and run.merged.slices == run.commits for run in runs)


test_contract_deleted_secret = contract.test_secret_deleted_later_is_found_with_commit_date_and_file_line
test_contract_private_key = contract.test_private_key_is_found_whole_with_lines_mapped_across_hunks
test_contract_huge_hunk = contract.test_huge_hunk_read_in_chunks_keeps_line_numbers
test_contract_diff_range = contract.test_diff_range_scans_only_its_commits
test_contract_merge = contract.test_merge_scans_only_what_the_merge_itself_added
test_contract_octopus = contract.test_octopus_merge_with_a_file_of_its_own
test_contract_renames = contract.test_renames_deletions_and_copies_on_other_branches
test_contract_binary_and_submodules = contract.test_binary_files_and_submodules_are_skipped_with_a_note
test_contract_unusual_paths = contract.test_unusual_paths_are_reported_as_they_are
test_contract_branch_and_since = contract.test_branch_and_since_narrow_the_history
test_contract_size_limit = contract.test_added_text_over_the_size_limit_is_skipped_and_listed


def test_contract_cli_json_in_process(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI end to end (in-process, so the fixture's split applies), as the one-stream test."""
    _write(git_repo, "x.env", f'KEY="{aws_key_id(15)}"\n')
    sha = _commit(git_repo, "x", 5)
    git(git_repo, "rm", "-q", "x.env")
    _commit(git_repo, "rm", 6)
    assert main(["scan", "--history", "--format", "json", str(git_repo)]) == 1
    out, err = capsys.readouterr()
    [finding] = json.loads(out)["findings"]
    assert (finding["path"], finding["line"], finding["commit"]) == ("x.env", 1, sha)
    assert aws_key_id(15) not in out + err
    assert "across 2 commits" in err
    assert main(["scan", "--history", "--jobs", "1", "--format", "json", str(git_repo)]) == 1
    assert json.loads(capsys.readouterr().out)["findings"] == [finding]


# -- oldest_additions: which values reached history, for the migration's "rotate it now" check
def _pickaxe_oldest(repo: Path, value: str) -> str:
    """git's own answer: the oldest commit that changed how often ``value`` occurs."""
    return git(repo, "log", "--all", "--reverse", f"-S{value}", "--format=%H").split()[0]


@pytest.mark.parametrize(("workers", "read"), [(1, 4 << 20), (2, 64), (2, 4 << 20)],
                         ids=["one-process", "tiny-reads", "two-processes"])
def test_oldest_additions_agree_with_git_pickaxe(busy_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                 workers: int, read: int) -> None:
    monkeypatch.setattr(split_history, "_READ", read)  # reads that end mid-line and mid-needle
    token = github_token(102)
    values = {"settings#AWS_KEY": aws_key_id(101), "client#TOKEN": token, "pem#key": private_key(103).splitlines()[3],
              "never#x": aws_key_id(999)}
    found = split_history.oldest_additions(str(busy_repo), {k: [v.encode()] for k, v in values.items()},
                                           workers=workers, min_slice=1)
    assert set(found) == {"settings#AWS_KEY", "client#TOKEN", "pem#key"}
    for label in found:
        assert found[label] == _pickaxe_oldest(busy_repo, values[label]), label
    # Only added lines count: the commit that removed the key is newer, never reported.
    subject = git(busy_repo, "log", "-1", "--format=%s", found["settings#AWS_KEY"]).strip()
    assert subject == "tune 3"


def test_oldest_additions_see_a_merge_that_adds_a_value(busy_repo: Path) -> None:
    """A value only a merge commit introduced (git log -p shows merges' patches only with --cc)."""
    found = split_history.oldest_additions(str(busy_repo), {"merge#KEY": [aws_key_id(106).encode()]},
                                           workers=2, min_slice=1)
    assert git(busy_repo, "log", "-1", "--format=%s", found["merge#KEY"]).strip() == "merge hotfix, with a key of its own"


def test_oldest_additions_any_form_and_empty_inputs(busy_repo: Path) -> None:
    import base64

    plain = aws_key_id(101)
    encoded = base64.b64encode(plain.encode()).decode()
    found = split_history.oldest_additions(str(busy_repo), {"k": [encoded.encode(), plain.encode()], "empty": [b""]})
    assert set(found) == {"k"}
    assert split_history.oldest_additions(str(busy_repo), {}) == {}


def test_slices_stay_within_the_command_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    selection = GitSelection("/r", ("--all",), "2024-01-01", "history", frozenset())
    commits = [f"{n:040x}" for n in range(100_000)]
    parts = split_history.slice_selections(selection, commits, 8)
    assert len(parts) == 8 and all(len(p.revisions) - 1 <= 16_000 for p in parts)  # 12,500 each
    monkeypatch.setattr(split_history, "_MAX_SLICE", 1000)
    parts = split_history.slice_selections(selection, commits, 8)
    assert len(parts) == 100 and [c for p in parts for c in p.revisions[1:]] == commits
    assert all(p.revisions[0] == "--no-walk=unsorted" and p.since is None for p in parts)
