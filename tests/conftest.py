from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# CI runs the same examples every time (a red CI must be reproducible, never a dice roll);
# locally hypothesis explores afresh on every run.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def run_cli(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
            input: bytes | None = None, env_is_whole: bool = False) -> subprocess.CompletedProcess[str]:
    """The real CLI (`secretshift.cli.main`, argument parsing, error boundary and all), run in this
    process as a user would run it: in ``cwd``, with ``env`` added to the environment (or as the
    whole environment, ``env_is_whole``), ``input``
    on stdin, stdout and stderr captured, the exit code it returns. Everything is restored after.
    Tests of what only a process shows (console scripts, `python -m`, import cost, terminals)
    use :func:`run_cli_subprocess` and carry the `subprocess` mark."""
    from secretshift.cli import main

    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(input or b""), encoding="utf-8")
    saved_streams, saved_cwd, saved_env = (sys.stdin, sys.stdout, sys.stderr), os.getcwd(), dict(os.environ)
    try:
        if env_is_whole:
            os.environ.clear()
        os.environ.update(env or {})
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = stdin, out, err
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's --help and --version
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["secretshift", *args], code, out.getvalue(), err.getvalue())


def run_cli_subprocess(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
                       input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI, in a subprocess (`python -m secretshift`), as a user would run it."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "secretshift", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True,
        input=input.decode() if input is not None else None, timeout=300,
    )


def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json), kept under tests/schemas."""
    return json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return proc.stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    # Never read a developer's real AWS config or credentials.
    "AWS_CONFIG_FILE": "/nonexistent/secretshift-tests/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/secretshift-tests/aws-credentials",
}


@pytest.fixture(scope="session")
def asm_endpoint() -> Iterator[str]:
    """A real AWS Secrets Manager HTTP endpoint: moto's server on 127.0.0.1, dummy credentials.

    Yields the endpoint URL; the dummy AWS_* variables are set for the session (so CLI
    subprocesses inherit them) and restored afterwards. AWS_ENDPOINT_URL is NOT set: pass the
    URL through explicitly (`--endpoint-url`, `endpoint_url=`)."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in AWS_TEST_ENV.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER"):
            patch.delenv(name, raising=False)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture
def asm(asm_endpoint: str) -> str:
    """``asm_endpoint`` with moto's state emptied first, so tests never see each other's secrets."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{asm_endpoint}/moto-api/reset", method="POST"), timeout=10)
    return asm_endpoint
