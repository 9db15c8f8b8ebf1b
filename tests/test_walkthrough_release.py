"""Every published snippet names the release tag of the version being built: `vX.Y.Z`, from
the one place the version lives (`secretshift/__init__.py`, read by pyproject.toml)."""
from __future__ import annotations

import re
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import pytest

import secretshift
from tests.conftest import ROOT

TAG = f"v{secretshift.__version__}"
REPO_URL = "https://github.com/secretshift/secretshift"


def test_version_has_one_home() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"], "the version belongs in secretshift/__init__.py only"
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "secretshift.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", secretshift.__version__)


# (file, regex whose group 1 is a ref the snippet installs or checks out)
SNIPPETS = [
    pytest.param("README.md", r"git\+https://github\.com/secretshift/secretshift@(v\d[^\"'`\s]*)", id="readme-pip"),
    pytest.param("README.md", r"rev: (v\d\S*)", id="readme-pre-commit"),
    pytest.param("README.md", r"uses: secretshift/secretshift@(v\d\S*)", id="readme-action"),
    pytest.param(".pre-commit-hooks.yaml", r"rev: (v\d\S*)", id="hooks-yaml-comment"),
    pytest.param("ci/gitlab-secretshift.yml", r"secretshift@(v[^\"\s]+)", id="gitlab-template"),
]


@pytest.mark.parametrize(("name", "pattern"), SNIPPETS)
def test_snippets_name_the_release_tag(name: str, pattern: str) -> None:
    refs = re.findall(pattern, (ROOT / name).read_text())
    assert refs, f"{name}: no snippet matched {pattern}"
    assert set(refs) == {TAG}, f"{name}: {sorted(set(refs))} != {TAG} (see README: Releasing)"


def test_every_url_is_the_project_repository() -> None:
    """A hint or default naming a distribution no index has (`pip install 'secretshift[x]'`)
    points nowhere: secretshift installs from its repository."""
    for name in ("README.md", "ci/gitlab-secretshift.yml", "secretshift/install.py"):
        text = (ROOT / name).read_text()
        bare = re.search(r"""pip install ['"]?secretshift(?:\[[a-z,]+\])?(?!\s*@)['"]?(?:\s|$)""", text)
        assert bare is None, f"{name}: {bare.group(0)!r} names a distribution no index has"
        for url in re.findall(r"git\+(https://[^@\s\"]+)@", text):
            assert url == REPO_URL, name
