"""Database URLs against a real PostgreSQL server on 127.0.0.1: connect, authenticate, close, and
only with --validate-network-services. Marked `subprocess` (it starts a server process)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from secretshift.config import Config
from secretshift.models import Finding
from secretshift.pipeline import scan_paths
from secretshift.validate.registry import load_validators
from secretshift.validate.runner import ValidateOptions, validate_findings
from tests.conftest import _free_port

pytestmark = pytest.mark.subprocess
PASSWORD = "Tq7" + "vW2mZ9xK4pL8"  # built here: no URL-with-password literal in this file
VALIDATORS = load_validators()


def _postgres_bin() -> Path | None:
    found = shutil.which("postgres") or shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    return versions[-1] if versions else None


def _as_server_user(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root and the image has a `postgres` user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def postgres() -> Iterator[int]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (`apt-get install postgresql`): the database check is untested here")
    folder = Path(tempfile.mkdtemp(prefix="secretshift-pg-"))
    (folder / "pw").write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "pw", "postgres")
    data = folder / "data"
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "app", "-A", "scram-sha-256",
                                    f"--pwfile={folder / 'pw'}"]), check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(_as_server_user([str(bin_dir / "postgres"), "-D", str(data), "-k", str(folder),
                                               "-h", "127.0.0.1", "-p", str(port)]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _validate(tmp_path: Path, url: str, network: bool = True) -> Finding:
    (tmp_path / ".env").write_text(f"# reporting job\nDATABASE_URL={url}\nLOG_LEVEL=info\n")
    findings = scan_paths([str(tmp_path)], Config(), use_git=False, jobs=1).findings
    checked = validate_findings(
        findings, ValidateOptions(network_services=network, cache_ttl=0, timeout=3.0),
        text_of=lambda f: (tmp_path / f.path).read_text(), notice=lambda _: None, validators=VALIDATORS,
    )
    (mine,) = [f for f in checked if f.rule == "postgres-url-password"]
    return mine


def test_the_right_password_is_valid(postgres: int, tmp_path: Path) -> None:
    validation = _validate(tmp_path, f"postgres://app:{PASSWORD}@127.0.0.1:{postgres}/postgres").validation
    assert validation is not None and validation.status == "valid", validation
    assert dict(validation.identity) == {"server": f"127.0.0.1:{postgres}", "user": "app"}


def test_a_wrong_password_is_invalid(postgres: int, tmp_path: Path) -> None:
    wrong = f"postgresql://app:Wrong{PASSWORD}@127.0.0.1:{postgres}/postgres"  # secretshift: allow (a test URL)
    validation = _validate(tmp_path, wrong).validation
    assert validation is not None and validation.status == "invalid"
    assert PASSWORD not in validation.reason


def test_nothing_is_contacted_without_network_services(tmp_path: Path) -> None:
    validation = _validate(tmp_path, f"postgres://app:{PASSWORD}@127.0.0.1:9/postgres", network=False).validation
    assert validation is not None and validation.status == "unknown"
    assert "--validate-network-services" in validation.reason


def test_an_unreachable_server_is_an_error(tmp_path: Path) -> None:
    validation = _validate(tmp_path, f"postgres://app:{PASSWORD}@127.0.0.1:{_free_port()}/postgres").validation
    assert validation is not None and validation.status == "error" and "could not reach" in validation.reason


def test_sslmode_require_means_verified_tls(postgres: int, tmp_path: Path) -> None:
    # The test server offers no TLS: a URL that requires it is not checked in the clear.
    url = f"postgres://app:{PASSWORD}@127.0.0.1:{postgres}/postgres?sslmode=require"
    validation = _validate(tmp_path, url).validation
    assert validation is not None and validation.status == "error", validation
