"""Encoded credentials: a private key MIME-wrapped in a mail body, base64 in JSON/YAML values,
and string literals written with \\u escapes. Each is reported at the encoded bytes, with the
decoded secret and the inner rule's confidence."""
from __future__ import annotations

import base64
import json

from secretshift.config import Config
from secretshift.models import Blob, Finding
from secretshift.scanner.build import build_engine
from tests.fakes import github_token, private_key

ENGINE = build_engine(Config())


def _scan(path: str, text: str) -> list[Finding]:
    return ENGINE.scan(Blob(path, text.encode()))


def test_private_key_wrapped_over_many_lines_in_a_multipart_mail() -> None:
    key = private_key(5, lines=12)
    body = base64.encodebytes(key.encode()).decode()  # 76 columns, as MIME writes it
    mail = (
        'From: ops@acme.io\nContent-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\n'
        'key attached\n--b1\nContent-Type: application/octet-stream; name="id_ed25519"\n'
        f"Content-Transfer-Encoding: base64\n\n{body}--b1--\n"
    )
    (finding,) = _scan("inbox/ops.eml", mail)
    assert finding.secret.reveal().startswith("-----BEGIN") and finding.confidence == "high"
    assert (finding.line, finding.end_line) == (12, 11 + body.count("\n"))


def test_base64_in_json_and_yaml_values() -> None:
    token = github_token(12)
    blob = base64.b64encode(f"GITHUB_TOKEN={token}\n".encode()).decode()
    (finding,) = _scan("deploy/settings.json", json.dumps({"service": {"env": blob}}, indent=2))
    assert finding.secret.reveal() == token
    (finding,) = _scan("ci/vars.yaml", f"jobs:\n  bootstrap: {blob}\n")
    assert (finding.secret.reveal(), finding.line) == (token, 2)


def test_unicode_escaped_literals() -> None:
    token = github_token(13)
    escaped = "".join(f"\\u{ord(c):04x}" for c in token)
    (finding,) = _scan("dist/bundle.js", f'var a=1;const cfg = {{token: "{escaped}"}};\n')
    assert (finding.rule, finding.secret.reveal(), finding.confidence) == ("encoded-secret", token, "high")
    mixed = "".join(f"\\u{ord(c):04x}" if i % 3 == 0 else c for i, c in enumerate(token))
    assert [f.secret.reveal() for f in _scan("app.json", f'{{"apiKey": "{mixed}"}}\n')] == [token]


def test_escaped_text_that_is_not_a_secret_stays_quiet() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in "Hello, wonderful world of unicode")
    assert _scan("i18n/messages.json", f'{{"greeting": "{escaped}"}}\n') == []
    # a certificate wrapped like a key is public
    cert = base64.encodebytes(b"-----BEGIN CERTIFICATE-----\n" + bytes(range(200)) + b"\n").decode()
    assert _scan("mail/cert.eml", f"Content-Transfer-Encoding: base64\n\n{cert}\n") == []


def test_lone_surrogate_escapes_are_scanned_not_a_crash() -> None:
    # JSON schemas and lexers hold `\ud800`-style escapes (half of a UTF-16 pair): a
    # site-packages scan stopped with an internal UnicodeEncodeError on them.
    table = "".join(f"\\u{code:04x}" for code in (0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x0041))
    assert _scan("schemas/ranges.json", f'{{"pattern": "[{table}]"}}\n') == []
    token = github_token(14)
    escaped = "\\ud83d\\ude00" + "".join(f"\\u{ord(c):04x}" for c in token)
    assert [f.secret.reveal() for f in _scan("i18n/emoji.json", f'{{"token": "{escaped}"}}\n')] == [token]
