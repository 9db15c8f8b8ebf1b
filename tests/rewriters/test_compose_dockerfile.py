from __future__ import annotations

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.compose import ComposeRewriter
from secretshift.migrate.rewriters.dockerfile import DockerfileRewriter
from tests.rewriters.support import SETTINGS, parses_yaml, ref_to, rewrite_twice

COMPOSE = """\
services:
  web:
    image: shop:1
    environment:
      DB_PASSWORD: compose-pa55word-11223   # from the vault
      LOG_LEVEL: info
  worker:
    image: shop:1
    environment:
      - API_TOKEN=tok-99aa88bb77cc66dd
"""
COMPOSE_EXPECTED = """\
services:
  web:
    image: shop:1
    environment:
      DB_PASSWORD: "${DB_PASSWORD:?set DB_PASSWORD from AWS Secrets Manager secret shop/dev/compose key DB_PASSWORD}"   # from the vault
      LOG_LEVEL: info
  worker:
    image: shop:1
    environment:
      - API_TOKEN=${API_TOKEN:?set API_TOKEN from AWS Secrets Manager secret shop/dev/compose key API_TOKEN}
"""


def test_compose_values_become_required_interpolations() -> None:
    refs = [ref_to(COMPOSE, "compose-pa55word-11223", "shop/dev/compose", "DB_PASSWORD", "docker-compose.yml"),
            ref_to(COMPOSE, "tok-99aa88bb77cc66dd", "shop/dev/compose", "API_TOKEN", "docker-compose.yml")]
    result = rewrite_twice(ComposeRewriter(), "docker-compose.yml", COMPOSE, refs)
    assert result.text == COMPOSE_EXPECTED
    services = parses_yaml(result.text)[0]["services"]  # type: ignore[index]
    assert services["worker"]["environment"][0].startswith("API_TOKEN=${API_TOKEN:?")
    assert any("aws secretsmanager get-secret-value" in note for note in result.notes)


@pytest.mark.parametrize(("path", "expected"), [
    ("docker-compose.yml", True), ("deploy/compose.prod.yaml", True), ("compose.yaml", True),
    ("values.yaml", False), ("docker-compose.md", False),
])
def test_compose_file_names(path: str, expected: bool) -> None:
    assert ComposeRewriter().applies_to(path, COMPOSE) is expected


DOCKERFILE = """\
FROM python:3.12-slim
ARG PIP_INDEX_TOKEN=tok-0a1b2c3d4e5f6a7b
ENV APP_ENV=prod DB_PASSWORD="docker-pa55word-55667" PORT=8080
RUN pip install shop
"""
DOCKERFILE_EXPECTED = """\
FROM python:3.12-slim
# ARG PIP_INDEX_TOKEN: removed by secretshift; the value is in AWS Secrets Manager (shop/build, key PIP_INDEX_TOKEN). Pass it at run time, or build with RUN --mount=type=secret.
# ENV DB_PASSWORD: removed by secretshift; the value is in AWS Secrets Manager (shop/prod, key DB_PASSWORD). Pass it at run time, or build with RUN --mount=type=secret.
ENV APP_ENV=prod PORT=8080
RUN pip install shop
"""


def test_dockerfile_secret_is_removed_with_a_note() -> None:
    refs = [ref_to(DOCKERFILE, "tok-0a1b2c3d4e5f6a7b", "shop/build", "PIP_INDEX_TOKEN", "Dockerfile"),
            ref_to(DOCKERFILE, "docker-pa55word-55667", "shop/prod", "DB_PASSWORD", "Dockerfile")]
    result = rewrite_twice(DockerfileRewriter(), "Dockerfile", DOCKERFILE, refs)
    assert result.text == DOCKERFILE_EXPECTED
    assert any("--mount=type=secret" in note and "never bake" in note for note in result.notes)


def test_dockerfile_refuses_secrets_in_run_lines() -> None:
    text = "FROM alpine\nRUN curl -H 'X-Token: tok-1234567890abcdef' https://example.com\n"
    with pytest.raises(RewriteRefused, match="mount=type=secret"):
        DockerfileRewriter().rewrite("Dockerfile", text, [ref_to(text, "tok-1234567890abcdef", "x", "t", "Dockerfile")], SETTINGS)


@pytest.mark.parametrize(("path", "expected"), [
    ("Dockerfile", True), ("svc/Dockerfile.prod", True), ("build/app.dockerfile", True),
    ("Dockerfile.md/readme.txt", False), ("docs/dockerfile-guide.md", False),
])
def test_dockerfile_names(path: str, expected: bool) -> None:
    assert DockerfileRewriter().applies_to(path, DOCKERFILE) is expected


BUILD_SECRET = """\
FROM python:3.12-slim
ARG PIP_INDEX_TOKEN=docker-build-token-0123456789
COPY requirements.txt .
RUN pip install --index-url "https://ci:${PIP_INDEX_TOKEN}@pypi.internal/simple" \\
    -r requirements.txt
RUN echo done
"""


def test_a_build_time_arg_becomes_a_buildkit_secret_mount_on_the_runs_that_read_it() -> None:
    ref = ref_to(BUILD_SECRET, "docker-build-token-0123456789", "shop/build", "PIP_INDEX_TOKEN", "Dockerfile")
    result = rewrite_twice(DockerfileRewriter(), "Dockerfile", BUILD_SECRET, [ref])
    assert result.text.startswith("# syntax=docker/dockerfile:1.10\nFROM python:3.12-slim\n# ARG PIP_INDEX_TOKEN:")
    assert "docker build --secret id=PIP_INDEX_TOKEN,env=PIP_INDEX_TOKEN" in result.text
    assert ('RUN --mount=type=secret,id=PIP_INDEX_TOKEN,env=PIP_INDEX_TOKEN pip install --index-url '
            '"https://ci:${PIP_INDEX_TOKEN}@pypi.internal/simple"') in result.text
    assert "RUN echo done" in result.text
    assert "docker-build-token" not in result.text


@pytest.mark.parametrize(("path", "text", "expected"), [
    pytest.param("deploy/stack.yml", "version: '3.8'\nservices:\n  db:\n    image: postgres\n", True, id="any-name"),
    pytest.param("k8s/services.yaml", "apiVersion: v1\nkind: Service\nservices: x\n", False, id="kubernetes"),
    pytest.param("config/app.yaml", "database:\n  services: 2\n", False, id="nested-services-key"),
])
def test_a_compose_file_is_recognised_by_its_top_level_services(path: str, text: str, expected: bool) -> None:
    assert ComposeRewriter().applies_to(path, text) is expected
