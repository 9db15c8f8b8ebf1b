"""Planning: names, settings, grouping, de-duplication, the plan file (no values, round trip)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from secretshift.config import load_config
from secretshift.errors import FatalError
from secretshift.migrate.plan_file import plan_from_json, plan_to_json
from secretshift.migrate.naming import deconflict, render, validation_error
from secretshift.migrate.plan import parse_target, plan_migration
from secretshift.migrate.settings import parse_settings
from tests.conftest import git
from tests.fakes import github_token
from tests.migrate_repo import make_sample_repo


@pytest.mark.parametrize(("name", "problem"), [
    pytest.param("billing/prod/env", None, id="ok"),
    pytest.param("a" * 512, None, id="512-chars"),
    pytest.param("a" * 513, "longer than 512", id="too-long"),
    pytest.param("bad name", "contains ' '", id="space"),
    pytest.param("app/db-AbC123", "six characters", id="arn-like-suffix"),
    pytest.param("", "is empty", id="empty"),
])
def test_asm_name_rules(name: str, problem: str | None) -> None:
    error = validation_error(name)
    assert (error is None) if problem is None else (problem in (error or ""))


@pytest.mark.parametrize(("template", "group", "expected"), [
    pytest.param("{app}/{env}/{group}", ".env", "shop/prod/env", id="dotfile-group"),
    pytest.param("{app}/{env}/{group}", "svc/.env.local", "shop/prod/svc/env.local", id="nested"),
    pytest.param("{env}-{app}-{group}", "db pass#1", "prod-shop-db-pass-1", id="invalid-chars"),
    pytest.param("{app}/{group}", "cache-abc123", "shop/cache_abc123", id="arn-suffix-avoided"),
])
def test_render(template: str, group: str, expected: str) -> None:
    assert render(template, "shop", "prod", group) == expected


def test_deconflict() -> None:
    taken: set[str] = set()
    assert [deconflict("a/b", taken) for _ in range(3)] == ["a/b", "a/b_2", "a/b_3"]


@pytest.mark.parametrize(("table", "message"), [
    pytest.param({"rotation_days": 0}, "rotation days", id="days-zero"),
    pytest.param({"rotation_days": "90"}, "rotation days", id="days-string"),
    pytest.param({"rotation_lambda": "not-an-arn"}, "Lambda function ARN", id="lambda"),
    pytest.param({"name_template": "{app}/{env}"}, "must contain {group}", id="no-group"),
    pytest.param({"name_template": "{app}/{nope}/{group}"}, "not valid", id="unknown-placeholder"),
    pytest.param({"python_client": "requests"}, "python_client", id="client"),
    pytest.param({"tags": ["a"]}, "tags", id="tags"),
    pytest.param({"colour": "blue"}, "unknown setting", id="unknown"),
    pytest.param({"rotation": {"rule": {"x": {"days": 2000}}}}, "rotation days", id="per-rule-days"),
    pytest.param({"eso": {"store_kind": "Cluster"}}, "store_kind", id="eso-kind"),
])
def test_malformed_settings_are_fatal(table: dict[str, object], message: str) -> None:
    with pytest.raises(FatalError, match=message):
        parse_settings(table)


def test_rotation_per_rule_beats_per_kind_and_the_shortest_wins() -> None:
    settings = parse_settings({
        "rotation_days": 90,
        "rotation": {"rule": {"github-token": {"days": 30, "lambda": "arn:aws:lambda:us-east-1:123456789012:function:rot"}},
                     "kind": {"dotenv": {"days": 60}}},
    })
    assert settings.rotation_for(["github-token"], ["dotenv"]).days == 30
    assert settings.rotation_for(["github-token"], ["dotenv"]).mode == "lambda"
    assert settings.rotation_for(["aws-access-key-id"], ["dotenv"]).days == 60
    assert settings.rotation_for(["aws-access-key-id"], ["python"]).days == 90


@pytest.mark.parametrize(("raw", "path", "line"), [
    ("app.py", "app.py", None), ("app.py:12", "app.py", 12), ("dir/", "dir/", None),
])
def test_parse_target(raw: str, path: str, line: int | None) -> None:
    target = parse_target(raw)
    assert (target.path, target.line) == (path, line)


def _plan(root: Path, *targets: str):  # type: ignore[no-untyped-def]
    config = load_config(None, root)
    return plan_migration(list(targets) or [str(root)], config, parse_settings(config.migrate))


def test_grouping_and_deduplication(git_repo: Path) -> None:
    repo = make_sample_repo(git_repo)
    plan = _plan(repo.root)
    by_name = {s.name: s for s in plan.secrets}
    assert sorted(by_name) == ["billing/prod/DEPLOY_TOKEN", "billing/prod/env"]
    env = by_name["billing/prod/env"]
    assert [k.json_key for k in env.keys] == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"]
    # The token in both files is ONE key of ONE secret, referenced from both places.
    shared = [r for r in env.sources if r.json_key == "GITHUB_TOKEN"]
    assert sorted(r.path for r in shared) == [".env", "app/settings.py"]
    assert [k.json_key for k in by_name["billing/prod/DEPLOY_TOKEN"].keys] == ["DEPLOY_TOKEN"]
    assert dict(env.tags)["source-paths"] == ".env app/settings.py"


def test_same_key_in_two_modules_gets_two_names_that_do_not_depend_on_order(git_repo: Path) -> None:
    (git_repo / "a.py").write_text(f'TOKEN = "{github_token(7)}"\n')
    (git_repo / "b.py").write_text(f'TOKEN = "{github_token(8)}"\n')
    names = [s.name for s in _plan(git_repo).secrets]
    # Each qualified by its own module, never a `_2` that flips with scan order.
    assert names == ["repo/default/TOKEN.a", "repo/default/TOKEN.b"]


def test_plan_file_round_trips_and_holds_no_value(git_repo: Path) -> None:
    repo = make_sample_repo(git_repo)
    plan = _plan(repo.root)
    text = plan_to_json(plan)
    assert plan_from_json(text) == plan
    assert json.loads(text)["version"] == 1
    for value in repo.values.values():
        assert value not in text and value not in repr(plan)


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("not json", "not a plan file", id="not-json"),
    pytest.param('{"version": 99}', "unsupported plan version 99", id="version"),
    pytest.param('{"version": 1, "secrets": []}', "malformed plan", id="missing-fields"),
])
def test_bad_plan_files_are_fatal(text: str, message: str) -> None:
    with pytest.raises(FatalError, match=message):
        plan_from_json(text)


def test_scan_never_imports_the_migration_libraries(git_repo: Path) -> None:
    (git_repo / "a.py").write_text(f'TOKEN = "{github_token(9)}"\n')
    git(git_repo, "add", "-A")
    code = ("import sys\nfrom secretshift.cli import main\nmain(['scan', '.'])\n"
            "print(sorted(m for m in ('boto3', 'botocore', 'libcst', 'git') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=git_repo, capture_output=True, text=True, check=False)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _finding(path: str, line: int, value: str, key: str, **context: str):  # type: ignore[no-untyped-def]
    from secretshift.hashing import hash_value
    from secretshift.models import Finding, SecretValue

    return Finding("generic-secret", "d", path, line, 1, line, 1 + len(value), SecretValue(value), key=key,
                   context=tuple(context.items()), secret_hash=hash_value(value, None))


def test_structured_groups_own_their_values_and_lone_literals_point_to_them() -> None:
    from secretshift.migrate.plan import _assign

    findings = [
        _finding("app.py", 3, "v-shared-1", "DB_PASS"),  # lone, but its value lives in the Secret
        _finding("app.py", 4, "v-alone-22", "TOKEN", kind="python", group="app.py"),  # code: never grouped
        _finding("k8s/db.yaml", 9, "v-shared-1", "password", kind="k8s-secret", group="shop/db",
                 key_path="stringData.password"),
        _finding("k8s/db.yaml", 10, "v-user-333", "username", kind="k8s-secret", group="shop/db"),
        _finding("conf/app.ini", 2, "v-ini-4444", "password", kind="ini", group="database"),
    ]
    groups = _assign(findings, {})
    labels = sorted((g.label, sorted(f.key or "" for f in g.findings)) for g in groups.values())
    assert labels == [("TOKEN", ["TOKEN"]), ("database", ["password"]), ("shop/db", ["password", "username"])]


def test_an_access_key_pair_in_code_is_one_secret(git_repo: Path) -> None:
    from tests.fakes import aws_access_key_id, aws_secret_access_key

    (git_repo / "deploy.py").write_text(f'AWS_ACCESS_KEY_ID = "{aws_access_key_id(5)}"\n'
                                        f'AWS_SECRET_ACCESS_KEY = "{aws_secret_access_key(5)}"\n')
    secrets = _plan(git_repo).secrets
    assert [(s.name, sorted(k.json_key for k in s.keys)) for s in secrets] == [
        ("repo/default/aws-credentials", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])]


def test_a_refused_site_leaves_its_secret_uncreated_and_the_file_s_other_sites_rewritten(git_repo: Path) -> None:
    # No GitHub role configured: the workflow is refused, so nothing is created for it; in the
    # Python module one site is an f-string (left) and one a plain literal (rewritten).
    (git_repo / ".github" / "workflows").mkdir(parents=True)
    (git_repo / ".github" / "workflows" / "ci.yml").write_text(
        f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n        env:\n"
        f"          GH_TOKEN: {github_token(41)}\n")
    (git_repo / "app.py").write_text(f'TOKEN = "{github_token(42)}"\nHEADER = f"token {github_token(43)}"\n')
    plan = _plan(git_repo)
    assert [s.name for s in plan.secrets] == ["repo/default/TOKEN"]
    left = {(site.path, site.line): site.reason for site in plan.left}
    assert set(left) == {(".github/workflows/ci.yml", 8), ("app.py", 2)}
    assert "role_arn" in left[(".github/workflows/ci.yml", 8)]
    rewritten = {f.path: f for f in plan.files}
    assert rewritten["app.py"].planned_sha256 and not rewritten["app.py"].refused
    assert json.loads(plan.iam_policy) and "GH_TOKEN" not in plan.iam_policy
