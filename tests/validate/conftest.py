from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from secretshift.validate.safety import TEST_URL_ENV
from tests.validate.providers import MockProviders, running


@pytest.fixture(scope="session")
def _mock_server() -> Iterator[tuple[MockProviders, str]]:
    state = MockProviders()
    for url in running(state):
        yield state, url


@pytest.fixture
def providers(_mock_server: tuple[MockProviders, str], monkeypatch: pytest.MonkeyPatch,
              tmp_path: Path) -> MockProviders:
    """Every HTTP provider, mocked on 127.0.0.1 and reached through the documented test hook."""
    state, url = _mock_server
    state.reset()
    monkeypatch.delenv("CI", raising=False)  # the hook is refused in CI mode
    monkeypatch.setenv(TEST_URL_ENV, url)
    monkeypatch.setenv("SECRETSHIFT_CACHE_DIR", str(tmp_path / "cache"))
    return state
