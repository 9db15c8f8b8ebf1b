"""The Python rewriter: pairs of "leaves this alone" / "rewrites this to that"; the output parses."""
from __future__ import annotations

import ast

import pytest

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteSettings
from secretshift.migrate.rewriters.python import PythonRewriter

REWRITER = PythonRewriter()
VALUE = "tok3n-Value-42"
LOOKUP = 'json.loads(_secret_cache.get_secret_string("shop/prod/api"))["API_KEY"]'
HEADER = "import json\nfrom aws_secretsmanager_caching import SecretCache\n\n_secret_cache = SecretCache()\n"


def _refs(text: str, json_key: str = "API_KEY") -> list[Reference]:
    refs, start = [], 0
    while (index := text.find(VALUE, start)) != -1:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        refs.append(Reference("m.py", line, column, line, column + len(VALUE), "shop/prod/api", json_key))
        start = index + 1
    return refs


def _rewrite(text: str, settings: RewriteSettings = RewriteSettings()) -> str:
    result = REWRITER.rewrite("m.py", text, _refs(text), settings)
    ast.parse(result.text)
    assert VALUE not in result.text
    return result.text


REWRITES = [
    pytest.param(f'API_KEY = "{VALUE}"\n', f"{HEADER}\nAPI_KEY = {LOOKUP}\n", id="module-constant"),
    pytest.param(
        f'"""Doc."""\nfrom __future__ import annotations\nimport os  # env\n\nAPI_KEY = \'{VALUE}\'  # keep\n',
        f'"""Doc."""\nfrom __future__ import annotations\nimport os  # env\n{HEADER}\nAPI_KEY = {LOOKUP}  # keep\n',
        id="after-docstring-and-imports-comments-kept"),
    pytest.param(
        f'import json\n\ndef connect():\n    return client(key="{VALUE}", other="{VALUE}")\n',
        f"import json\nfrom aws_secretsmanager_caching import SecretCache\n\n_secret_cache = SecretCache()\n\n"
        f"def connect():\n    return client(key={LOOKUP}, other={LOOKUP})\n",
        id="call-arguments-json-imported-once"),
    pytest.param(f'CFG = {{\n    "key": r"{VALUE}",\n}}\n', f'{HEADER}\nCFG = {{\n    "key": {LOOKUP},\n}}\n', id="raw-string-in-dict"),
    pytest.param(f'URL = "postgres://user:{VALUE}@db:5432/app"\n',
                 f'{HEADER}\nURL = ("postgres://user:" + {LOOKUP} + "@db:5432/app")\n', id="url-password-composed"),
    pytest.param(f"URL = 'redis://:{VALUE}'\n", f"{HEADER}\nURL = ('redis://:' + {LOOKUP})\n", id="url-password-at-end"),
    pytest.param(f'import simplejson as json\n\nAPI_KEY = "{VALUE}"\n',
                 'import simplejson as json\nimport json as _stdlib_json\nfrom aws_secretsmanager_caching import SecretCache\n\n'
                 '_secret_cache = SecretCache()\n\nAPI_KEY = ' + LOOKUP.replace("json.loads", "_stdlib_json.loads") + "\n",
                 id="json-name-taken-by-simplejson"),
]


@pytest.mark.parametrize(("text", "expected"), REWRITES)
def test_rewrites_this_to_that(text: str, expected: str) -> None:
    assert _rewrite(text) == expected


def test_boto3_client_with_region() -> None:
    text = f'API_KEY = "{VALUE}"\n'
    result = _rewrite(text, RewriteSettings(python_client="boto3", region="eu-west-1"))
    assert result == (
        'import json\nimport boto3\n\n_secrets_client = boto3.client("secretsmanager", region_name="eu-west-1")\n\n'
        'API_KEY = json.loads(_secrets_client.get_secret_value(SecretId="shop/prod/api")["SecretString"])["API_KEY"]\n'
    )


@pytest.mark.parametrize("text", [
    pytest.param("import os\nA = 'not a secret'\n", id="no-refs"),
    pytest.param(f"{HEADER}\nAPI_KEY = {LOOKUP}\n", id="already-rewritten"),
])
def test_leaves_this_alone(text: str) -> None:
    assert REWRITER.rewrite("m.py", text, [], RewriteSettings()).text == text


def test_idempotent_a_second_migration_reuses_the_cache() -> None:
    first = _rewrite(f'API_KEY = "{VALUE}"\n')
    second = _rewrite(first + f'OTHER = "{VALUE}"\n')
    assert second.count("_secret_cache = SecretCache()") == 1
    assert second.count("import json") == 1
    assert second == first + f"OTHER = {LOOKUP}\n"


@pytest.mark.parametrize("text", [
    pytest.param(f'KEY = f"{VALUE}"\n', id="f-string"),
    pytest.param(f'KEY = b"{VALUE}"\n', id="bytes"),
    pytest.param(f'KEY = "{VALUE}" "suffix"\n', id="implicit-concatenation"),
    pytest.param(f'# KEY = "{VALUE}"\n', id="in-a-comment"),
])
def test_refuses_what_it_cannot_rewrite_safely(text: str) -> None:
    with pytest.raises(RewriteRefused, match="whole plain string literal"):
        REWRITER.rewrite("m.py", text, _refs(text), RewriteSettings())


def test_refuses_invalid_python() -> None:
    text = f'KEY = "{VALUE}"\ndef broken(:\n'
    with pytest.raises(RewriteRefused, match="not valid Python"):
        REWRITER.rewrite("m.py", text, _refs(text), RewriteSettings())
