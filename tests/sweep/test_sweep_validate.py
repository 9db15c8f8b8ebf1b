"""`sweep --validate`: the scanning children ask the (mocked, loopback) providers, and the merged
report carries each verdict; `--only-valid` keeps the live ones."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift import cli
from tests.fakes import github_token
from tests.sweep.repos import commit, git
from tests.validate.conftest import _mock_server, providers  # noqa: F401  (fixtures)
from tests.validate.providers import MockProviders


def _repo(root: Path, name: str, token: str) -> None:
    repo = root / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "bot", {"deploy/bot.py": f'GITHUB_TOKEN = "{token}"\n'})
    commit(repo, "env", {"deploy/bot.py": "import os\nGITHUB_TOKEN = os.environ['GITHUB_TOKEN']\n"})


@pytest.mark.parametrize("only_valid", [False, True])
def test_sweep_validate_marks_live_and_dead_tokens(providers: MockProviders, tmp_path: Path,  # noqa: F811
                                                   only_valid: bool, capsys: pytest.CaptureFixture[str]) -> None:
    providers.valid.add(github_token(3))
    _repo(tmp_path / "org", "live", github_token(3))
    _repo(tmp_path / "org", "dead", github_token(4))
    out = tmp_path / "out"
    args = ["sweep", str(tmp_path / "org"), "--out", str(out), "--workers", "1", "--validate"]
    assert cli.main(args + (["--only-valid"] if only_valid else [])) == 1
    report = json.loads((out / "report.json").read_text())
    verdicts = {r["name"]: [f["validation"]["status"] for f in r["findings"]] for r in report["repositories"]}
    assert verdicts == ({"dead": [], "live": ["valid"]} if only_valid else {"dead": ["invalid"], "live": ["valid"]})
    assert {s.host for s in providers.seen} == {"api.github.com"}
    assert "--validate" in capsys.readouterr().err
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert github_token(3).encode() not in written and github_token(4).encode() not in written
