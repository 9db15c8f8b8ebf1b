"""Exceptions in [tool.secretshift.adr]: active ones cover a violation, expired ones do not."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.adr.conftest import violations

SANDBOX = '''resource "aws_eks_cluster" "sandbox" {
  name     = "sandbox"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d"]
  }
}
'''


def _exception(expires: str, resource: str = "aws_eks_cluster.sandbox", path: str = "legacy/*") -> str:
    return ("[tool.secretshift.adr]\n[[tool.secretshift.adr.exceptions]]\n"
            f'check = "eks-secrets-encryption"\npath = "{path}"\nresource = "{resource}"\n'
            f'reason = "sandbox is torn down in Q3 (PLAT-412)"\nexpires = {expires}\n')


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "eks.tf").write_text(SANDBOX)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_active_exception_covers_the_violation(adr, repo: Path) -> None:  # type: ignore[no-untyped-def]
    (repo / "pyproject.toml").write_text(_exception("2099-12-31"))
    code, out, _ = adr("check", "legacy")
    assert code == 0 and "1 covered by exceptions" in out
    _, out, _ = adr("check", "legacy", "--format", "json")
    assert violations(out) == [] and len(__import__("json").loads(out)["excepted"]) == 1


def test_expired_exception_is_a_violation_again(adr, repo: Path) -> None:  # type: ignore[no-untyped-def]
    (repo / "pyproject.toml").write_text(_exception("2026-03-31"))
    code, out, _ = adr("check", "legacy", "--format", "json", "--as-of", "2026-04-01")
    [violation] = violations(out)
    assert code == 1 and "exception expired on 2026-03-31" in str(violation["message"])
    assert violation["expired_exception"].startswith("exception expired on 2026-03-31 (sandbox is torn down")  # type: ignore[union-attr]
    code, _, _ = adr("check", "legacy", "--as-of", "2026-03-31")
    assert code == 0, "the expiry day itself is still covered"


def test_exception_for_another_resource_or_path_does_not_apply(adr, repo: Path) -> None:  # type: ignore[no-untyped-def]
    (repo / "pyproject.toml").write_text(_exception("2099-12-31", resource="aws_eks_cluster.other"))
    assert adr("check", "legacy")[0] == 1
    (repo / "pyproject.toml").write_text(_exception("2099-12-31", path="platform/*"))
    assert adr("check", "legacy")[0] == 1


def test_explicit_config_file(adr, repo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "adr.toml"
    config.write_text(_exception("2099-12-31"))
    assert adr("check", "legacy", "--config", str(config))[0] == 0
    code, _, err = adr("check", "legacy", "--config", str(tmp_path / "nope.toml"))
    assert code == 2 and "config file not found" in err
