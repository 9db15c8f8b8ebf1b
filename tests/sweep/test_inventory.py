from __future__ import annotations

from pathlib import Path

import pytest

from secretshift.errors import FatalError
from secretshift.sweep.gitops import public_location
from secretshift.sweep.inventory import discover
from secretshift.sweep.store import RepoRecord, ResultStore
from tests.sweep.repos import git


def _repo(path: Path, bare: bool = False) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", *(["--bare"] if bare else []))
    return path


def test_folders_lists_and_urls(tmp_path: Path) -> None:
    _repo(tmp_path / "org" / "team-a" / "api")
    _repo(tmp_path / "org" / "team-b" / "api")
    _repo(tmp_path / "org" / "web")
    _repo(tmp_path / "mirrors" / "tools.git", bare=True)
    (tmp_path / "org" / "notes").mkdir()
    listing = tmp_path / "lists" / "repos.txt"
    listing.parent.mkdir()
    listing.write_text("# comment\n\n../mirrors/tools.git\nhttps://git.example.com/acme/billing.git\n"
                       "git@git.example.com:acme/infra.git\n../org/web\n")
    repos = discover([str(tmp_path / "org")], str(listing))
    names = [r.name for r in repos]
    assert names == ["team-a/api", "team-b/api", "web", "tools", "billing", "infra"]
    assert [r.remote for r in repos] == [False, False, False, False, True, True]
    assert len({r.key for r in repos}) == len(repos)


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="path not found"):
        discover([str(tmp_path / "nope")])


def test_credentials_in_urls_never_reach_reports() -> None:
    password = "-".join(["s3cr3t", "t0ken", "x9Qz"])  # built here: no literal credential in the file
    assert public_location(f"https://bot:{password}@git.example.com/a/b.git") == "https://***@git.example.com/a/b.git"
    assert public_location("/srv/git/b.git") == "/srv/git/b.git"


def test_a_torn_result_file_is_scanned_again(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    record = RepoRecord(key="k", name="n", location="/x", rules_version="v", since=None, status="ok")
    store.save(record)
    assert store.load("k") == record
    (tmp_path / "repos" / "k.json").write_text('{"store_version": 1, "key": "k"')
    assert store.load("k") is None


def test_reports_and_results_never_write_through_a_symlink(tmp_path: Path) -> None:
    from secretshift.commands.sweep import write_reports

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").symlink_to(victim)
    with pytest.raises(FatalError):
        write_reports([], out, ["html"])
    store = ResultStore(out)
    (store.folder / "k.json").symlink_to(victim)
    with pytest.raises(FatalError):
        store.save(RepoRecord(key="k", name="n", location="/x", rules_version="v", since=None, status="ok"))
    assert victim.read_text() == "keep me\n"
