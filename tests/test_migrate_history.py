"""Which values reached git history, and the filter-repo expressions file."""
from __future__ import annotations

import base64
import stat
from pathlib import Path

from secretshift.migrate.history import exposures, write_replace_file
from tests.conftest import git


def test_finds_the_first_commit_of_each_value_in_any_form(git_repo: Path) -> None:
    (git_repo / "a.txt").write_text("nothing yet\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "one")
    (git_repo / "a.txt").write_text("token = plain-value-123\n")
    (git_repo / "s.yaml").write_text(f"data:\n  t: {base64.b64encode(b'encoded-value-456').decode()}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "two")
    second = git(git_repo, "rev-parse", "--short", "HEAD").strip()
    (git_repo / "a.txt").write_text("token = plain-value-123 # again\n")
    git(git_repo, "commit", "-q", "-am", "three")
    found, complete = exposures(git_repo, {"s#plain": "plain-value-123", "s#enc": "encoded-value-456",
                                           "s#never": "never-committed-789"})
    assert complete
    assert [(e.label, e.commit) for e in found] == [("s#enc", second), ("s#plain", second)]
    assert not any(e.bounded for e in found)
    bounded, complete = exposures(git_repo, {"s#plain": "plain-value-123"}, max_commits=1)
    assert not complete
    assert bounded[0].bounded and bounded[0].commit != second
    assert exposures(git_repo, {"s#plain": "plain-value-123"}, max_bytes=10) == ([], False)


def test_replace_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "expr.txt"
    target.write_text("old")
    target.chmod(0o644)
    write_replace_file(target, {"app/x#k": "v4lue-1"})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().splitlines() == [
        "literal:v4lue-1==>REMOVED-app/x#k", f"literal:{base64.b64encode(b'v4lue-1').decode()}==>REMOVED-app/x#k"]
