from __future__ import annotations

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused, RewriteSettings
from secretshift.migrate.rewriters.github_workflow import GET_SECRETS, GitHubWorkflowRewriter, exported
from tests.rewriters.support import SETTINGS, parses_yaml, ref_to, rewrite_twice

PATH = ".github/workflows/ci.yml"
WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]

permissions:
  contents: read  # least privilege

env:
  API_TOKEN: "tok-5e4d3c2b1a0f9e8d"
  LOG_LEVEL: debug

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # the tests need the database
      - name: Run tests
        run: |
          pytest -q
        env:
          DB_PASSWORD: 'wf-db-pa55word-13579'
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
"""

EXPECTED = """\
name: CI
on:
  push:
    branches: [main]

permissions:
  id-token: write
  contents: read  # least privilege

env:
  LOG_LEVEL: debug

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # the tests need the database
      - name: Configure AWS credentials (OIDC)
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci-secrets
          aws-region: eu-west-1
      - name: Read secrets from AWS Secrets Manager
        uses: aws-actions/aws-secretsmanager-get-secrets@v2
        with:
          secret-ids: |
            CI_DB,ci/db
            CI_SHARED,ci/shared
          parse-json-secrets: true
      - name: Run tests
        run: |
          pytest -q
        env:
          DB_PASSWORD: '${{ env.CI_DB_DB_PASSWORD }}'
          API_TOKEN: ${{ env.CI_SHARED_API_TOKEN }}
  lint:
    runs-on: ubuntu-latest
    steps:
      - name: Configure AWS credentials (OIDC)
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci-secrets
          aws-region: eu-west-1
      - name: Read secrets from AWS Secrets Manager
        uses: aws-actions/aws-secretsmanager-get-secrets@v2
        with:
          secret-ids: |
            CI_SHARED,ci/shared
          parse-json-secrets: true
      - run: ruff check .
        env:
          API_TOKEN: ${{ env.CI_SHARED_API_TOKEN }}
"""


def _refs(text: str = WORKFLOW) -> list:
    return [ref_to(text, "tok-5e4d3c2b1a0f9e8d", "ci/shared", "API_TOKEN", PATH),
            ref_to(text, "wf-db-pa55word-13579", "ci/db", "DB_PASSWORD", PATH)]


def test_env_literals_become_get_secrets_outputs() -> None:
    result = rewrite_twice(GitHubWorkflowRewriter(), PATH, WORKFLOW, _refs())
    assert result.text == EXPECTED
    doc = parses_yaml(result.text)[0]
    steps = doc["jobs"]["test"]["steps"]  # type: ignore[index]
    # The secrets are fetched right before the first step that reads them: checkout never sees them.
    assert steps[0] == {"uses": "actions/checkout@v4"}
    assert steps[2]["with"]["parse-json-secrets"] is True
    assert doc["permissions"] == {"id-token": "write", "contents": "read"}  # type: ignore[index]


def test_exported_name_is_alias_and_uppercased_key() -> None:
    ref = ref_to("x: y-value-1234567", "y-value-1234567", "team/app-prod", "db.password", PATH)
    assert exported(ref) == "TEAM_APP_PROD_DB_PASSWORD"


def test_job_without_permissions_gets_contents_read_and_id_token() -> None:
    text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n    - run: make\n      env:\n        TOKEN: tok-0f1e2d3c4b5a6978\n"
    ref = ref_to(text, "tok-0f1e2d3c4b5a6978", "ci/a", "TOKEN", PATH)
    result = rewrite_twice(GitHubWorkflowRewriter(), PATH, text, [ref])
    job = parses_yaml(result.text)[0]["jobs"]["a"]  # type: ignore[index]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert list(job) == ["runs-on", "permissions", "steps"]
    assert "\n    - name: Configure AWS credentials (OIDC)\n" in result.text  # the file's list indentation kept
    assert job["steps"][2]["env"] == {"TOKEN": "${{ env.CI_A_TOKEN }}"}


def test_existing_get_secrets_step_gains_a_line() -> None:
    first = GitHubWorkflowRewriter().rewrite(PATH, WORKFLOW, _refs()[1:], SETTINGS).text
    second = GitHubWorkflowRewriter().rewrite(PATH, first, [ref_to(first, "tok-5e4d3c2b1a0f9e8d", "ci/shared", "API_TOKEN", PATH)], SETTINGS).text
    steps = parses_yaml(second)[0]["jobs"]["test"]["steps"]  # type: ignore[index]
    assert [s.get("uses", "").split("@")[0] for s in steps].count(GET_SECRETS.split("@")[0]) == 1
    fetch = next(s for s in steps if s.get("uses") == GET_SECRETS)
    assert fetch["with"]["secret-ids"] == "CI_DB,ci/db\nCI_SHARED,ci/shared\n"


def test_refused_without_a_role() -> None:
    with pytest.raises(RewriteRefused, match="role_arn"):
        GitHubWorkflowRewriter().rewrite(PATH, WORKFLOW, _refs(), RewriteSettings())


def test_refuses_values_outside_env() -> None:
    text = WORKFLOW.replace("run: ruff check .", "run: deploy --token tok-aa11bb22cc33dd44")
    with pytest.raises(RewriteRefused, match="env:"):
        GitHubWorkflowRewriter().rewrite(PATH, text, [ref_to(text, "tok-aa11bb22cc33dd44", "x", "t", PATH)], SETTINGS)


@pytest.mark.parametrize("path", ["ci.yml", ".github/dependabot.yml", "workflows/ci.yml"])
def test_leaves_other_files_alone(path: str) -> None:
    assert not GitHubWorkflowRewriter().applies_to(path, WORKFLOW)


JOB_ENV = """\
on: [push]
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    env:
      REGION: eu-west-1
      DEPLOY_KEY: dk-7f6e5d4c3b2a1908  # old
    steps:
      - uses: actions/checkout@v4
      - run: ./deploy.sh
        env:
          DEPLOY_KEY: override-stays
"""
JOB_ENV_EXPECTED = """\
on: [push]
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    env:
      REGION: eu-west-1
    steps:
      - name: Configure AWS credentials (OIDC)
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/ci-secrets
          aws-region: eu-west-1
      - name: Read secrets from AWS Secrets Manager
        uses: aws-actions/aws-secretsmanager-get-secrets@v2
        with:
          secret-ids: |
            CI_DEPLOY,ci/deploy
          parse-json-secrets: true
      - uses: actions/checkout@v4
      - run: ./deploy.sh
        env:
          DEPLOY_KEY: override-stays
"""


def test_job_level_entry_moves_only_into_run_steps_never_into_actions() -> None:
    # Job-level env is evaluated before any step runs, so it cannot read the fetched value; it
    # goes to the steps that read it (none names it here: the run steps), never to checkout.
    ref = ref_to(JOB_ENV, "dk-7f6e5d4c3b2a1908", "ci/deploy", "DEPLOY_KEY", PATH)
    result = rewrite_twice(GitHubWorkflowRewriter(), PATH, JOB_ENV, [ref])
    assert result.text == JOB_ENV_EXPECTED


def test_workflow_level_entry_with_a_reusable_workflow_job_is_refused() -> None:
    text = "on: push\nenv:\n  TOKEN: tok-1029384756abcdef\njobs:\n  call:\n    uses: org/repo/.github/workflows/x.yml@v1\n"
    ref = ref_to(text, "tok-1029384756abcdef", "ci/x", "TOKEN", PATH)
    with pytest.raises(RewriteRefused, match="reusable workflow"):
        GitHubWorkflowRewriter().rewrite(PATH, text, [ref], SETTINGS)


def test_read_all_permissions_are_refused() -> None:
    text = "on: push\npermissions: read-all\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n        env:\n          T: tok-1029384756abcdef\n"
    with pytest.raises(RewriteRefused, match="read-all"):
        GitHubWorkflowRewriter().rewrite(PATH, text, [ref_to(text, "tok-1029384756abcdef", "ci/x", "T", PATH)], SETTINGS)


def test_secret_inside_a_longer_value_keeps_the_rest() -> None:
    text = ("on: push\njobs:\n  a:\n    runs-on: x\n    permissions: write-all\n    steps:\n"
            "      - run: psql \"$DSN\"\n        env:\n          DSN: postgres://app:wf-dsn-pa55-8642@db/shop\n")
    ref = ref_to(text, "wf-dsn-pa55-8642", "ci/db", "password", PATH)
    result = rewrite_twice(GitHubWorkflowRewriter(), PATH, text, [ref])
    step = parses_yaml(result.text)[0]["jobs"]["a"]["steps"][2]  # type: ignore[index]
    assert step["env"] == {"DSN": "postgres://app:${{ env.CI_DB_PASSWORD }}@db/shop"}
    assert "permissions: write-all" in result.text  # write-all already grants id-token


RELEASE = """\
---
# Release pipeline
name: "Release"

"on":
  push:
    tags: ["v*"]
  workflow_dispatch: {}

concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true

jobs:
  build:
    name: Build (${{ matrix.os }})
    runs-on: ${{ matrix.os }}
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, macos-latest]
        python: ['3.11', '3.12']
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0

      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}

      - name: Build
        if: ${{ startsWith(github.ref, 'refs/tags/') && matrix.os == 'ubuntu-latest' }}
        run: |
          python -m build

          twine check dist/*
        env:
          TWINE_PASSWORD: "twine-pa55word-not-real-1234"   # TODO move
          TWINE_USERNAME: __token__
"""


def test_untouched_lines_of_a_busy_workflow_keep_their_bytes() -> None:
    import difflib

    ref = ref_to(RELEASE, "twine-pa55word-not-real-1234", "rel/pypi", "TWINE_PASSWORD", PATH)
    result = rewrite_twice(GitHubWorkflowRewriter(), PATH, RELEASE, [ref])
    removed = [line for line in difflib.ndiff(RELEASE.splitlines(), result.text.splitlines()) if line.startswith("- ")]
    assert removed == ['-           TWINE_PASSWORD: "twine-pa55word-not-real-1234"   # TODO move']
    assert result.text.startswith("---\n# Release pipeline\n")


def test_action_input_reads_the_fetched_value() -> None:
    text = ("on: push\njobs:\n  a:\n    runs-on: x\n    permissions: write-all\n    steps:\n"
            "      - uses: docker/login-action@v3\n        with:\n          username: shop\n"
            "          password: wf-registry-pa55-97531\n")
    ref = ref_to(text, "wf-registry-pa55-97531", "ci/registry", "password", PATH)
    result = rewrite_twice(GitHubWorkflowRewriter(), PATH, text, [ref])
    step = parses_yaml(result.text)[0]["jobs"]["a"]["steps"][2]  # type: ignore[index]
    assert step["with"] == {"username": "shop", "password": "${{ env.CI_REGISTRY_PASSWORD }}"}


def test_a_workflow_level_entry_goes_to_the_steps_that_read_it() -> None:
    text = ("on: push\nenv:\n  NPM_TOKEN: tok-abcdef0123456789\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n"
            "      - run: npm publish --token \"$NPM_TOKEN\"\n")
    ref = ref_to(text, "tok-abcdef0123456789", "ci/npm", "NPM_TOKEN", PATH)
    steps = parses_yaml(rewrite_twice(GitHubWorkflowRewriter(), PATH, text, [ref]).text)[0]["jobs"]["publish"]["steps"]  # type: ignore[index]
    assert [s.get("uses", s.get("run")) for s in steps] == [
        "actions/checkout@v4", "npm ci", "aws-actions/configure-aws-credentials@v4",
        "aws-actions/aws-secretsmanager-get-secrets@v2", 'npm publish --token "$NPM_TOKEN"']
    assert "env" not in steps[0] and "env" not in steps[1]
    assert steps[4]["env"] == {"NPM_TOKEN": "${{ env.CI_NPM_NPM_TOKEN }}"}
