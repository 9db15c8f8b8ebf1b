"""`export NAME=value` written inside source code (a docstring's or a comment block's shell session)
is shell: the bare word after `=` is the value (issue #14, seen on real code)."""
from __future__ import annotations

from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine

ENGINE = build_engine(Config())
# made here, so that no plaintext-looking value sits in this file
DB_VALUE = "Hq7v" + "T2mZ" + "9pLk4wR"
WEBHOOK_VALUE = "Wq9r" + "T4yU" + "2iO7pLm3"

MODULE = '''"""Deploy helper.

Before running, set the credentials in your shell:

    export DB_PASSWORD={db}
    export CACHE_URL=$(vault kv get -field=url secret/cache)
    export API_TOKEN=${CI_API_TOKEN}
    export SMTP_PASSWORD="$SMTP_PASSWORD"

Then call :func:`deploy`.
"""
import os

DB_PASSWORD = os.environ["DB_PASSWORD"]
password = settings_password
'''.replace("{db}", DB_VALUE)

SCRIPT_IN_JS = """/**
 * Local run:
 *   export STRIPE_WEBHOOK_SECRET={webhook}
 */
export const secret = process.env.STRIPE_WEBHOOK_SECRET;
export const token=readToken();
""".replace("{webhook}", WEBHOOK_VALUE)


def _found(path: str, text: str) -> list[tuple[int, str | None]]:
    return [(f.line, f.key) for f in ENGINE.scan(Blob(path, text.encode()))]


def test_export_lines_in_a_python_docstring_are_shell() -> None:
    # the literal is reported; command substitutions, references and code identifiers are not
    assert _found("tools/deploy.py", MODULE) == [(5, "DB_PASSWORD")]


def test_export_lines_in_a_javascript_comment_block_are_shell() -> None:
    # `export const x = ...` and `export const token=readToken()` are JavaScript, not shell
    assert _found("src/config.mjs", SCRIPT_IN_JS) == [(3, "STRIPE_WEBHOOK_SECRET")]
