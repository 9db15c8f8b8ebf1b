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


def test_a_multi_line_value_is_one_regex_that_matches_it_whole_and_nothing_else(tmp_path: Path) -> None:
    import re

    from tests.fakes import private_key

    pem = private_key(3)
    target = tmp_path / "expr.txt"
    write_replace_file(target, {"app/tls#key": pem})
    lines = target.read_text().splitlines()
    assert len(lines) == 2 and all(line.startswith(("regex:", "literal:")) for line in lines)
    assert not any(line.startswith("literal:-----BEGIN") for line in lines)
    pattern = re.compile(lines[0][len("regex:"):].rsplit("==>", 1)[0])
    indented = "tls.key: |\n" + "\n".join("    " + row for row in pem.splitlines()) + "\n"
    other = "-----BEGIN RSA PRIVATE KEY-----\nsomething else\n-----END RSA PRIVATE KEY-----\n"
    assert pattern.search(pem) and pattern.search(pem.replace("\n", "\r\n")) and pattern.search(indented)
    assert not pattern.search(other)


def test_values_in_utf16_files_and_files_marked_binary_are_found_in_history(git_repo: Path) -> None:
    """A `.env` saved by PowerShell 5 (UTF-16) and one that `.gitattributes` calls binary were
    reported as "not in git history": git prints no diff for either."""
    from tests.fakes import aws_secret_access_key, github_token

    utf16, hidden = aws_secret_access_key(61), github_token(62)
    (git_repo / ".gitattributes").write_text("*.cfg binary\n")
    (git_repo / "win.env").write_bytes(f"AWS_SECRET_ACCESS_KEY={utf16}\r\n".encode("utf-16"))
    (git_repo / "deploy.cfg").write_text(f"token = {hidden}\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "windows box settings")
    added = git(git_repo, "rev-parse", "--short=7", "HEAD").strip()
    for name in ("win.env", "deploy.cfg"):
        (git_repo / name).unlink()
    git(git_repo, "commit", "-qam", "remove")
    found, complete = exposures(git_repo, {"a#utf16": utf16, "b#hidden": hidden})
    assert complete
    assert {(e.label, e.commit) for e in found} == {("a#utf16", added), ("b#hidden", added)}
