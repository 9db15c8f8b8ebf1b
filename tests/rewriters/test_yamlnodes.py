from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.yamlnodes import double_quoted, render, scalar_for, scalars
from tests.rewriters.support import parses_yaml, ref_to

TEXT = st.text(st.characters(blacklist_categories=("Cs",)))


@settings(max_examples=150, deadline=None)
@given(value=TEXT, style=st.sampled_from([None, '"', "'"]))
def test_rendered_scalars_read_back_as_the_same_string(value: str, style: str | None) -> None:
    for document in (f"key: {render(value, style)}\n", f"- {render(value, style)}\n", f"m: {{a: {render(value, style)}}}\n"):
        loaded = parses_yaml(document)[0]
        got = loaded["key"] if "key" in document[:3] else loaded[0] if document.startswith("-") else loaded["m"]["a"]  # type: ignore[index, call-overload]
        assert got == value


@settings(max_examples=150, deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs",))))
def test_double_quoted_is_valid_json_too(value: str) -> None:
    assert json.loads(double_quoted(value)) == value


@pytest.mark.parametrize("plain", ["true", "no", "null", "1.5", "0x1f", "12:30", "~", "-1e3",
                                   "@", "@admin"])  # `@` is reserved: it cannot start a plain scalar
def test_strings_that_yaml_would_retype_are_quoted(plain: str) -> None:
    assert render(plain, None) != plain


def test_locates_scalars_by_position_across_documents() -> None:
    text = "a: 1\n---\nb:\n  - x\n  - 'quoted-value-123'\n"
    found = scalars(text)
    scalar = scalar_for(text, ref_to(text, "quoted-value-123", "s", "k", "f.yaml"), found)
    assert (scalar.doc, scalar.path, scalar.style) == (1, ("b", 1), "'")
    assert text[scalar.start:scalar.end] == "'quoted-value-123'"


def test_invalid_yaml_is_refused_without_echoing_content() -> None:
    with pytest.raises(RewriteRefused) as info:
        scalars("a: [secret-looking-value\n")
    assert "secret-looking-value" not in str(info.value)
