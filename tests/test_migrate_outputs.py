"""The files apply writes besides the rewrites: dependencies, IAM policy, runbook; atomic writes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift.errors import FatalError
from secretshift.migrate.apply import write_all
from secretshift.migrate.deps import plan_dependencies
from secretshift.migrate.iam import policy_document, wildcard_arn
from secretshift.migrate.plan_file import PlannedKey, PlannedSecret, SourceRef
from secretshift.migrate.runbook import runbook_text

NEEDED = ["aws-secretsmanager-caching", "boto3"]


@pytest.mark.parametrize(("name", "before", "after"), [
    pytest.param("requirements.txt", "requests>=2\n", "requests>=2\naws-secretsmanager-caching\nboto3\n", id="requirements"),
    pytest.param("requirements.txt", "Boto3==1.34\n", "Boto3==1.34\naws-secretsmanager-caching\n", id="requirements-has-one"),
    pytest.param("pyproject.toml", '[project]\nname = "x"\ndependencies = [\n    "requests",\n]\n',
                 '[project]\nname = "x"\ndependencies = [\n    "requests",\n    "aws-secretsmanager-caching",\n    "boto3",\n]\n',
                 id="pyproject-multiline"),
    pytest.param("pyproject.toml", '[project]\nname = "x"\ndependencies = ["requests"]\n',
                 '[project]\nname = "x"\ndependencies = ["requests", "aws-secretsmanager-caching", "boto3"]\n',
                 id="pyproject-one-line"),
])
def test_dependencies_are_added_to_the_project_file(tmp_path: Path, name: str, before: str, after: str) -> None:
    (tmp_path / name).write_text(before)
    edit = plan_dependencies(tmp_path, NEEDED)
    assert (edit.path, edit.text) == (name, after)


def test_dependencies_are_listed_when_the_project_declares_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    edit = plan_dependencies(tmp_path, NEEDED)
    assert edit.path is None and edit.missing == tuple(NEEDED)


def test_iam_policy_wildcards_the_suffix_and_keeps_earlier_grants() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/env-AbC123"
    assert wildcard_arn(arn) == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/env-??????"
    first = policy_document([arn], {})
    second = json.loads(policy_document(
        ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-XyZ789"],
        {"arn:aws:kms:eu-west-1:123456789012:key/k1": "eu-west-1"}, existing=first))
    assert second["Statement"][0]["Resource"] == [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-??????",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/env-??????",
    ]
    assert second["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"] == "secretsmanager.eu-west-1.amazonaws.com"


def _secret(name: str, days: int) -> PlannedSecret:
    ref = SourceRef(".env", 2, 7, 2, 20, "0" * 64, name, "TOKEN", "github-token", key="TOKEN")
    return PlannedSecret(name, ".env", "d", (PlannedKey("TOKEN", "0" * 64, ("github-token",)),), (ref,), (),
                         None, days, "manual", None, "team-a")


def test_runbook_extends_and_replaces_its_own_sections() -> None:
    text = runbook_text(None, [_secret("shop/prod/a", 90)])
    text += "\nNotes kept by hand.\n"
    again = runbook_text(text, [_secret("shop/prod/a", 30), _secret("shop/prod/b", 90)])
    assert again.count("## `shop/prod/a`") == 1 and "Lifetime: 30 days" in again
    assert "## `shop/prod/b`" in again and "Notes kept by hand." in again
    assert runbook_text(again, [_secret("shop/prod/a", 30)]) == again
    assert "`.env:2` (`TOKEN`) -> key `TOKEN`" in again and "team-a" in again


def test_write_all_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old a\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep").write_text("x")  # `b` is a non-empty directory: replacing it fails
    with pytest.raises(FatalError, match="every file was restored"):
        write_all(tmp_path, {"a.txt": "new a\n", "b": "new b\n", "c.txt": "new c\n"})
    assert (tmp_path / "a.txt").read_text() == "old a\n"
    assert not (tmp_path / "c.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b"]


def test_write_all_skips_unchanged_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("same\n")
    assert write_all(tmp_path, {"a.txt": "same\n", "d/new.txt": "n\n"}) == ["d/new.txt"]


@pytest.mark.parametrize("rel", ["../outside.txt", "/etc/passwd-copy", "docs/../../outside.txt"])
def test_write_all_refuses_paths_outside_the_repository(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    with pytest.raises(FatalError, match="outside the repository"):
        write_all(root, {"ok.txt": "fine\n", rel: "x\n"})
    assert not (root / "ok.txt").exists() and not (tmp_path / "outside.txt").exists()
