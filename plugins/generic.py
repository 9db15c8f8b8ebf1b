"""Generic secrets: a literal assigned to a secret-ish name, in any file kind.

Per keyword hit the work is one line: find the key -> value pairs on it, weigh the key
(:mod:`.vocabulary`), then the value (:mod:`.filters`, entropy). Only a value about to be
reported pays for its structural key path.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from secretshift import lazy_re
from secretshift.scanner.detector import RawMatch
from secretshift.models import Blob, Example, Rule
from secretshift.plugins import filters as f
from secretshift.plugins.commands import CALL_KEYWORDS, COMMAND_KEYWORDS, call_passwords, command_passwords
from secretshift.plugins.assignments import MAX_LINE, Pair, block_text, line_bounds, next_line, pairs_in_line
from secretshift.plugins.filekind import DOCS, family, path_kind, refine_kind
from secretshift.scanner.keys import key_words
from secretshift.plugins.keypath import json_path, yaml_path
from secretshift.plugins.vocabulary import (
    KEY_KEYWORDS, MEDIUM, NONE, STRONG, WEAK, is_name_key, is_value_key, key_strength,
)
from secretshift.textutil import shannon_entropy

PASSWORD_RULE = "generic-password"
TOKEN_RULE = "generic-api-token"
WEAK_RULE = "generic-secret-key"
URL_RULE = "generic-url-password"
WEAK_PASSWORD_RULE = "weak-password"
_AUTH_SCHEMES = ("Bearer ", "bearer ", "Basic ", "basic ", "Token ", "token ", "Bot ", "Digest ")
_NEIGHBOUR_LINES = 4


class _FileFacts(NamedTuple):
    path: str
    kind: str  # refined: compose, helm, ecs-task...
    base: str  # from the path: yaml, json, python...
    family: str
    test: bool
    doc: bool


def _facts(blob: Blob) -> _FileFacts:
    base = path_kind(blob.path)
    if base == "unknown" and blob.data.startswith((b"---\n", b"---\r\n")):
        base = "yaml"  # an extensionless YAML document (`.tugboat`, tool configs)
    return _FileFacts(
        blob.path, refine_kind(blob.path, base, blob.data[:4096]), base, family(base), f.is_test_path(blob.path),
        f.is_doc_path(blob.path) or family(base) == DOCS,
    )


def judge(key: str, value: str, facts: _FileFacts, strength: int | None = None) -> bool:
    """Is ``value``, assigned to ``key`` in a file like ``facts``, a real secret?"""
    if strength is None:
        strength = key_strength(key)
    if strength == NONE or not value or len(value) > 1000:
        return False
    if value.count("\\u") >= 4:
        return False  # an escaped literal: the encoded detector decodes and judges it
    if _CONSTANT_NAME.fullmatch(value) is not None:
        return False  # `FORBIDDEN_VALUE2`, `SOME_SECRET`: a constant's name, not its value
    if facts.test and _TEST_KEY_WORDS & set(key_words(key)):
        return False  # `MASKED_TEST_SECRET1`, `fake_token`: a fixture says what it is
    if f.is_reference(value) or f.is_placeholder(value) or f.is_documentation_example(value):
        return False
    if f.is_password_hash(value) or f.is_public_token(value):
        return False
    if f.is_number_or_bool(value) or f.is_file_path(value) or f.is_data_uri(value) or f.is_arn(value):
        return False
    if _letters_only_password(value, facts, strength):
        return True  # ten or more letters chosen as a password: reported at low confidence (_lowered)
    if f.is_public_material(value) or f.is_version(value) or f.is_identifier_like(value):
        return False
    if f.is_url(value) or f.is_call_or_expression(value) or any(c.isspace() for c in value):
        return False
    if f.is_regex(value) or f.is_path_like(value) or value.startswith("{"):
        return False
    if f.mentions_secret_word(value) and not (len(value) >= 24 and shannon_entropy(value) >= 4.0):
        return False
    if f.is_dotted_name(value) and strength < STRONG:
        return False
    if f.is_uuid(value) and strength < STRONG and not _names_a_token(key):
        return False  # a UUID under `api_token`/`token` (Consul, Vault, Pure Storage) is the token
    if f.is_hex_hash(value) and strength == WEAK:
        return False
    entropy = shannon_entropy(value)
    classes = f.char_classes(value)
    test_like = facts.test and (f.looks_like_test_value(value) or entropy < 3.0)
    if test_like or facts.doc and not _doc_value_ok(value, strength, entropy, classes):
        return False
    if strength == STRONG:
        return len(value) >= 6 and entropy >= 2.0 and (classes >= 2 or len(value) >= 16)
    if strength == MEDIUM:
        return len(value) >= 10 and entropy >= 2.8 and classes >= 2 and (any(c.isdigit() for c in value) or len(value) >= 30)
    has_digit = any(c.isdigit() for c in value)
    return len(value) >= 20 and entropy >= 3.7 and classes >= 2 and has_digit and not f.looks_like_test_value(value)


def _letters_only_password(value: str, facts: _FileFacts, strength: int) -> bool:
    """Letters only under a password key, in code or config (not tests or docs, which are full of
    made-up words): evidence enough to report, not enough to block (low confidence)."""
    return strength == STRONG and not facts.test and not facts.doc and f.is_letters_only_password(value)


def _lowered(match: RawMatch | None, value: str, facts: _FileFacts, strength: int) -> RawMatch | None:
    if match is not None and _letters_only_password(value, facts, strength):
        return match._replace(confidence="low")
    return match


def _basic_without_password(value: str) -> bool:
    """`Basic Y2xpZW50Og==` is `client:`: a public client id with an empty password."""
    import base64
    import binascii

    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded.split(":", 1)[1] == ""


_DEVICE_KEY_CONTEXT = lazy_re.compile(rb"(?i)3des|localized|snmp|priv_protocol|auth_protocol|pwd_type|encryption_type")
_HEX_KEY = lazy_re.compile(r"(?:0x)?[0-9a-fA-F:]{16,}")


def _device_key_nearby(data: bytes, at: int, value: str) -> bool:
    """SNMPv3 localized keys and network devices' encrypted forms (`pwd_type: 3des` a line
    away) are hex digests of a password, not the password."""
    if _HEX_KEY.fullmatch(value) is None:
        return False
    lo = max(0, at - 400)
    return _DEVICE_KEY_CONTEXT.search(data, lo, at + 400) is not None


def _names_a_token(key: str) -> bool:
    words = key_words(key)
    return bool(words) and words[-1].rstrip("0123456789") in ("token", "secret", "apitoken", "authtoken")


def _weak_password_reported(data: bytes, at: int, value: str, facts: _FileFacts) -> bool:
    """`password = "Summer2024!"` in a config or source file: guessable, and real. Docs, tests
    and commented-out example lines are full of such sample values, so there they stay unreported."""
    if facts.doc or facts.test or f.is_reference(value) or f.is_templated(value):
        return False
    line_start = line_bounds(data, at)[0]
    if data[line_start:at].lstrip().startswith((b"#", b"//", b"--", b";", b"*", b"/*", b"<!--")):
        return False
    return f.is_weak_password(value)


_CONSTANT_NAME = lazy_re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_TEST_KEY_WORDS = frozenset({"test", "fake", "dummy", "mock", "sample", "example", "stub", "masked"})


def _doc_value_ok(value: str, strength: int, entropy: float, classes: int) -> bool:
    """Notes and docs hold many made-up values, but a real password pasted into `ops.md` is a
    leak too: a long random value, or a password-named one mixing three character classes."""
    if strength == WEAK or f.mentions_secret_word(value) or "(" in value or f.is_dotted_name(value):
        return False  # `forms.CharField(`, `hasher.encode(...)`: code in a docs sample
    if len(value) >= 16 and entropy >= 3.5:
        return True
    return strength == STRONG and len(value) >= 10 and entropy >= 3.0 and classes >= 3 and any(c.isdigit() for c in value)


class _Walk:
    """One blob's walk over its keyword hits: which lines were read, what was reported."""

    __slots__ = ("blob", "data", "_facts", "seen_lines", "url_lines", "handed", "rejected_until", "reported", "out")

    def __init__(self, blob: Blob) -> None:
        self.blob = blob
        self.data = blob.data
        self._facts: _FileFacts | None = None  # built when a line is first worth reading
        self.seen_lines: set[int] = set()  # starts of lines read for pairs
        self.url_lines: set[int] = set()  # starts of lines read for URL passwords only
        self.handed: set[tuple[int, bool]] = set()  # (line start, call?) read for handed-over passwords
        self.rejected_until = -1  # end of the last word judged not secret-ish
        self.reported: set[int] = set()  # match starts: one finding per value
        self.out: list[RawMatch] = []

    def facts(self) -> _FileFacts:
        if self._facts is None:
            self._facts = _facts(self.blob)
        return self._facts

    def claim(self, hit: int, line_start: int, url_hit: bool) -> bool:
        """Is the line of ``hit`` worth reading? A yes marks it read."""
        if url_hit:
            if line_start in self.url_lines or _USERINFO_AHEAD.match(self.data, hit, hit + 300) is None:
                return False  # no `user:password@` after the scheme
            self.url_lines.add(line_start)
            return True
        if hit <= self.rejected_until:
            return False  # another keyword inside a word already judged: `tokenizer_pass_...`
        ok, word_end = _secretish_word_at(self.data, hit)
        if not ok and not _bare_key_at(self.data, hit):
            self.rejected_until = word_end
            return False  # `tokenizer`, `result_key`, `max_tokens`: nothing to read on this line
        self.seen_lines.add(line_start)
        return True

    def report(self, matches: Iterable[RawMatch | None]) -> None:
        for match in matches:
            if match is not None and match.start not in self.reported:
                self.reported.add(match.start)
                self.out.append(match)


class GenericSecretDetector:
    name = "generic"
    priority = 50
    # Specific enough that a keyword mostly lands in a name: `key`, `pass`, `private` and
    # `auth` alone would also fire on every dict key, `pass` statement, Java member and author.
    keywords: tuple[str, ...] = (
        "password", "passwd", "passphrase", "pwd", "secret", "token", "cred", "bearer", "dsn",
        "_key", "-key", ".key", "apikey", "secretkey", "privatekey", "accesskey", "signingkey",
        "private_key", "private-key", *KEY_KEYWORDS,
        "pass=", "pass:", "pass =", 'pass"', "pass'", "_pass", "-pass", ".pass", "pass_",
        "dbpass", "rootpass", "adminpass", "userpass", "mysqlpass", "smtppass", "mailpass",
        "_pw", "pw_", "-pw", "pw=", "pw:", 'pw"', "pw'",
        'auth"', "auth'", "auth:", "auth=", "auth =", "_auth", "-auth", "authorization",
        "connectionstring", "connection_string", "://", "requirepass", "masterauth",
        '"key"', "'key'", " key:", " key =", " key=", "\nkey:", "\nkey =", "\nkey=",
        *(k.decode() for k in COMMAND_KEYWORDS), *(k.decode() for k in CALL_KEYWORDS),
    )
    rules: tuple[Rule, ...] = (
        Rule(
            id=PASSWORD_RULE,
            confidence="medium",
            description="Password or secret literal assigned to a password/secret-named key",
            regex="",
            keywords=(),
            positives=(
                Example("DB_PASSWORD=Xk2#mP9vL4qr\n", path=".env", secret="Xk2#mP9vL4qr"),
                Example("db:\n  password: hunter2-prod!\n", path="config/values.yaml", secret="hunter2-prod!"),
                Example('String clientSecret = "q8W3e5R7t9Y2u4I6";\n', path="Auth.java", secret="q8W3e5R7t9Y2u4I6"),
                Example(
                    '      - name: DB_PASSWORD\n        value: "Zr7!kq2Lw9"\n', path="deploy.yaml", secret="Zr7!kq2Lw9"
                ),
                Example('<add key="DbPassword" value="Tq4$wE8rY1u" />\n', path="web.config", secret="Tq4$wE8rY1u"),
                Example('  MasterUserPassword: "Vb7nM2kL9pQ4"\n', path="stack.yaml", secret="Vb7nM2kL9pQ4"),
            ),
            negatives=(
                Example("DB_PASSWORD=${DB_PASSWORD}\n", "a reference to the environment", path=".env"),
                Example("password: changeme\n", "a placeholder", path="values.yaml"),
                Example("  MasterUserPassword: !Ref DBPassword\n", "a CloudFormation reference", path="stack.yaml"),
                Example('password = os.environ["DB_PASSWORD"]\n', "read at runtime", path="settings.py"),
                Example("password_length: 16\n", "not a secret: a setting about passwords", path="app.yaml"),
                Example('password: "{{ .Values.db.password }}"\n', "a Helm template", path="templates/secret.yaml"),
                Example('password = "<your-password>"\n', "a placeholder", path="config.py"),
            ),
        ),
        Rule(
            id=WEAK_PASSWORD_RULE,
            description="Weak, guessable password (a breach-list password or a variant of one) assigned to "
            "a password-named key: a real credential, and the easiest kind to guess",
            regex="",
            keywords=(),
            confidence="medium",
            positives=(
                Example('password = "Summer2024!"\n', path="app/settings.py", secret="Summer2024!"),
                Example("DB_PASSWORD=hunter2\n", path=".env", secret="hunter2"),
                Example("DB_PASSWORD2=P@ssw0rd123\n", path="deploy/.env", secret="P@ssw0rd123"),
                Example('  secret1: "supersecret123"\n', path="config/app.yaml", secret="supersecret123"),
            ),
            negatives=(
                Example("password: changeme\n", "the template's placeholder", path="values.yaml"),
                Example('password = "Summer2024!"\n', "a sample value in tests", path="tests/test_login.py"),
                Example("DB_PASSWORD=hunter2\n", "an example in the docs", path="docs/setup.md"),
            ),
        ),
        Rule(
            id=TOKEN_RULE,
            confidence="medium",
            description="API token, key or credential literal assigned to a token/key-named field",
            regex="",
            keywords=(),
            positives=(
                Example('const apiKey = "a8F3kL9qW2zX7mN4vB6c";\n', path="client.ts", secret="a8F3kL9qW2zX7mN4vB6c"),
                Example('"auth_token": "9fK2mQ8wLz4Rt6Yp1Xv3"\n', path="settings.json", secret="9fK2mQ8wLz4Rt6Yp1Xv3"),
            ),
            negatives=(
                Example('"integrity": "sha512-3c9Fq1w2e3r4t5y6u7i8o9p0aSdFgHjKl"\n', "a lock file hash", path="package-lock.json"),
                Example("api_key = process.env.API_KEY\n", "read at runtime", path="client.js"),
                Example('token_url = "https://auth.example.org/oauth/token"\n', "a URL, not a token", path="c.py"),
            ),
        ),
        Rule(
            id=WEAK_RULE,
            confidence="low",
            description="High-entropy literal assigned to a key-named field",
            regex="",
            keywords=(),
            positives=(
                Example('STRIPE_KEY: "rk9Tq2Wm4Lp8Zx3Nc7Vb"\n', path="app.yaml", secret="rk9Tq2Wm4Lp8Zx3Nc7Vb"),
            ),
            negatives=(
                Example('cache_key = "user-profile-v2"\n', "a cache key name", path="cache.py"),
            ),
        ),
        Rule(
            id=URL_RULE,
            confidence="medium",
            description="Password embedded in a URL (user:password@host)",
            regex="",
            keywords=(),
            positives=(
                Example(
                    "MAIL_URL=smtp://mailer:Wq9rT4yU2iO7@smtp.internal:587\n", path=".env", secret="Wq9rT4yU2iO7"
                ),
            ),
            negatives=(
                Example("MAIL_URL=smtp://mailer:${SMTP_PASSWORD}@smtp:587\n", "a reference", path=".env"),
            ),
        ),
    )

    def detect(self, blob: Blob, hits: Sequence[int]) -> Iterable[RawMatch]:
        if f.is_lockfile(blob.path) or f.is_generated_asset(blob.path):
            return []
        walk = _Walk(blob)
        data = blob.data
        for hit in hits:
            line_start = data.rfind(b"\n", 0, hit) + 1
            tail = data[max(0, hit - 24) : hit].lower()
            if tail.endswith(CALL_KEYWORDS) or tail.endswith(COMMAND_KEYWORDS):
                call = tail.endswith(CALL_KEYWORDS)
                if (line_start, call) not in walk.handed:
                    walk.handed.add((line_start, call))
                    walk.report(self._handed_over(data, hit, call, blob))
            elif line_start not in walk.seen_lines:  # a line is read once, whichever keyword led to it
                url_hit = data[hit - 3 : hit] == b"://"
                if walk.claim(hit, line_start, url_hit):
                    self._read_line(walk, hit, url_hit)
        return walk.out

    def _read_line(self, walk: _Walk, hit: int, url_hit: bool) -> None:
        """The pairs on the line of ``hit`` (or the URL passwords only, for a `://` hit)."""
        data = walk.data
        start, end = line_bounds(data, hit)
        if end - start > MAX_LINE:
            if f.is_minified_line(data[start:end]):
                return
            start, end = _window(data, start, end, hit)
        line = data[start:end]
        if b"=" not in line and b":" not in line and b">" not in line and b"(" not in line and b" " not in line.strip():
            return
        facts = walk.facts()
        if b"://" in line and b"@" in line:
            walk.report(self._url_passwords(data, start, end, facts))
        if url_hit:
            return
        pairs = pairs_in_line(data, start, end, facts.family, facts.base) or _default_of_named_block(data, start, end, facts)
        walk.report(self._judge_pair(data, pair, facts) for pair in pairs)

    def _judge_pair(self, data: bytes, pair: Pair, facts: _FileFacts) -> RawMatch | None:
        raw = data[pair.start : pair.end]
        value = block_text(data, pair.start, pair.end) if pair.block else raw.decode("utf-8", "replace")
        key = pair.key
        if pair.op == "(":
            key = key.rsplit(".", 1)[-1]
            if not key.lower().startswith(("set", "with")):
                return None
            key = key[3:] if key.lower().startswith("set") else key[4:]
        if is_name_key(key) and not pair.inner and key_strength(value) != NONE:
            return self._sibling_value(data, pair, value, facts)
        if pair.block and "PRIVATE KEY" in value:
            return None  # the private-key pack rule reports the block itself
        credential = f.url_password(value) if "://" in value else None
        if credential is not None:
            lo, hi = credential
            password = value[lo:hi]
            if not pair.block and _url_password_ok(password, facts):
                offset = len(value[:lo].encode())
                return self._match(data, URL_RULE, pair.start + offset, pair.start + offset + len(password.encode()),
                                   key, facts, None)
            return None
        if key.lower() == "key" and not pair.inner:
            parent = parent_key(data, line_bounds(data, pair.start)[0])
            key = f"{parent}_key" if parent else key
        strength = key_strength(key)
        if strength == NONE:
            return None
        start, end = pair.start, pair.end
        for scheme in _AUTH_SCHEMES:
            if value.startswith(scheme):
                value = value[len(scheme) :].strip()
                start = end - len(value.encode())
                if scheme.lower().startswith("basic") and _basic_without_password(value):
                    return None
                break
        if _device_key_nearby(data, pair.start, value):
            return None
        if strength == STRONG and not pair.block and _weak_password_reported(data, start, value, facts):
            return self._match(data, WEAK_PASSWORD_RULE, start, end, key, facts, None)
        if pair.block:
            if "\n" in value.strip() or not judge(key, value.strip(), facts, strength):
                return None
        elif not judge(key, value, facts, strength):
            return None
        rule = PASSWORD_RULE if strength == STRONG else TOKEN_RULE if strength == MEDIUM else WEAK_RULE
        return _lowered(self._match(data, rule, start, end, key, facts, None), value, facts, strength)

    def _handed_over(self, data: bytes, hit: int, call: bool, blob: Blob) -> list[RawMatch]:
        """Passwords passed to a credential call or a command line (``mysql -pX``)."""
        if f.is_lockfile(blob.path):
            return []
        start, end = line_bounds(data, hit)
        if end - start > MAX_LINE:
            return []
        line = data[start:end]
        facts = _facts(blob)
        spans = call_passwords(line) if call else command_passwords(line)
        out = []
        for lo, hi in spans:
            value = line[lo:hi].decode("utf-8", "replace")
            if _weak_password_reported(data, start + lo, value, facts):
                match = self._match(data, WEAK_PASSWORD_RULE, start + lo, start + hi, "password", facts, None)
                if match is not None:
                    out.append(match)
            elif judge("password", value, facts, STRONG):
                match = self._match(data, PASSWORD_RULE, start + lo, start + hi, "password", facts, None)
                if match is not None:
                    out.append(match)
        return out

    def _url_passwords(self, data: bytes, start: int, end: int, facts: _FileFacts) -> list[RawMatch]:
        """``scheme://user:password@host`` anywhere on the line, whatever it is assigned to."""
        line = data[start:end].decode("latin-1")  # latin-1 keeps one char per byte: offsets stay exact
        out = []
        for lo, hi in f.url_passwords(line):
            password = line[lo:hi]
            if _url_password_ok(password, facts):
                match = self._match(data, URL_RULE, start + lo, start + hi, "", facts, None)
                if match is not None:
                    out.append(match)
        return out

    def _sibling_value(self, data: bytes, name_pair: Pair, name: str, facts: _FileFacts) -> RawMatch | None:
        """``- name: DB_PASSWORD`` / ``value: ...`` (k8s env, ECS, CloudFormation, .NET appSettings)."""
        strength = key_strength(name)
        if strength == NONE:
            return None
        for pair in _neighbour_pairs(data, name_pair, facts):
            if not is_value_key(pair.key) or pair.block or pair.op == ":=":
                continue  # `{{- range $key, $value := .Values.x }}` is Go template code, not a value
            if b"{{" in data[line_bounds(data, pair.start)[0] : pair.start]:
                continue
            value = data[pair.start : pair.end].decode("utf-8", "replace")
            if strength == STRONG and _weak_password_reported(data, pair.start, value, facts):
                return self._match(data, WEAK_PASSWORD_RULE, pair.start, pair.end, name, facts, name)
            if judge(name, value, facts, strength):
                rule = PASSWORD_RULE if strength == STRONG else TOKEN_RULE if strength == MEDIUM else WEAK_RULE
                return _lowered(self._match(data, rule, pair.start, pair.end, name, facts, name), value, facts, strength)
            return None
        return None

    def _match(
        self, data: bytes, rule: str, start: int, end: int, key: str, facts: _FileFacts, named_by: str | None
    ) -> RawMatch | None:
        context: list[tuple[str, str]] = [("kind", facts.kind)]
        key_path = _KEY_PATHS.get(facts.base)
        path = key_path(data, start) if key_path is not None else None
        if path:
            if any(marker in path for marker in _ENCRYPTED_SECTIONS):
                return None  # SealedSecret encryptedData, sops: ciphertext is safe to commit
            context.append(("key_path", path))
        context.append(("group", _group(data, start, facts)))
        # A generic value in notes, docs or tests is still reported, one level lower: the key's
        # name is the only evidence, and such files hold many made-up values.
        confidence = "low" if facts.doc or facts.test else ""
        return RawMatch(rule, start, end, key=named_by or key or None, context=tuple(context), confidence=confidence)


# The structural key path (`spec.containers[0].env`) of a value, by the file's path kind.
_KEY_PATHS = {"yaml": yaml_path, "json": json_path, "notebook": json_path}
_KEYWORD_PUNCTUATION = (b'"', b"'", b":", b"=", b" ")
_WORD_HEAD = lazy_re.compile(rb"[\w.\-]*")
_USERINFO_AHEAD = lazy_re.compile(rb"[^\s:@/]{0,128}:[^\s@/]{1,256}@")


def _secretish_word_at(data: bytes, hit: int) -> tuple[bool, int]:
    """Is the word around a keyword hit (which ends at ``hit``) a secret-ish name? And where
    does that word end?"""
    end = hit
    while end > hit - 3 and data[end - 1 : end] in _KEYWORD_PUNCTUATION:
        end -= 1  # keywords such as `auth"` or `pass=` end past their word
    left = _WORD_HEAD.match(data[max(0, end - 96) : end][::-1])
    right = _WORD_HEAD.match(data, end, end + 64)
    lo = end - (left.end() if left is not None else 0)
    hi = right.end() if right is not None else end
    return _secretish_word(data[lo:hi]), hi


@lru_cache(maxsize=8192)
def _secretish_word(raw: bytes) -> bool:
    word = raw.decode("latin-1").strip(".-")
    if key_strength(word) != NONE:
        return True
    last = word.rsplit(".", 1)[-1]
    lowered = last.lower()
    for prefix in ("", "set", "with"):
        if lowered.startswith(prefix) and key_strength(last[len(prefix) :]) != NONE:
            return True
    return False


_ENCRYPTED_SECTIONS = ("encryptedData", "encrypted_data", "sops.", "encryptedSecrets")
_BLOCK_OPENER = lazy_re.compile(
    rb"""\s*(?:-\s+)?["']?(?P<key>[A-Za-z_][\w.\-]{0,80})["']?\s*:\s*\{?\s*$"""
    rb"""|\s*variable\s+"(?P<var>[\w\-]{1,80})"\s*\{\s*$"""
)
_DEFAULT_KEYS = ("default", "value", "defaultvalue")


def _default_of_named_block(data: bytes, start: int, end: int, facts: _FileFacts) -> list[Pair]:
    """``DBPassword:`` / ``  Default: ...`` (CloudFormation parameters, workflow inputs) and
    ``variable "db_password" { default = "..." }``: the child value, named by its block."""
    opener = _BLOCK_OPENER.match(data, start, end)
    if opener is None:
        return []
    name = (opener.group("key") or opener.group("var") or b"").decode("latin-1")
    if key_strength(name) == NONE:
        return []
    indent = len(data[start:end]) - len(data[start:end].lstrip())
    pos = end + 1
    for _ in range(8):
        if pos >= len(data):
            break
        lo, hi = line_bounds(data, pos)
        text = data[lo:hi]
        stripped = text.lstrip()
        if stripped:
            if facts.base == "yaml" and len(text) - len(stripped) <= indent or stripped.startswith(b"}"):
                break
            for pair in pairs_in_line(data, lo, hi, facts.family, facts.base):
                if pair.key.lower() in _DEFAULT_KEYS and not pair.inner:
                    return [Pair(name, pair.start, pair.end, pair.quoted, pair.op, block=pair.block)]
        pos = next_line(data, hi)
    return []


_BARE_KEY = lazy_re.compile(rb"""\s*(?:-\s+)?["']?[Kk]ey["']?\s*[:=]""")
_PARENT_LINE = lazy_re.compile(rb"""\s*(?:-\s+)?["']?(?P<key>[A-Za-z_][\w.\-]{0,80})["']?\s*(?::\s*\{?|=\s*\{)\s*$""")
_SECTION_LINE = lazy_re.compile(rb"""\s*\[(?P<key>[A-Za-z_][\w.\-]{0,80})\]\s*$""")


def _bare_key_at(data: bytes, hit: int) -> bool:
    """A field named just ``key`` (``"Jwt": {"Key": ...}``): worth reading only at a line start."""
    start = data.rfind(b"\n", 0, hit) + 1
    return hit - start < 120 and _BARE_KEY.match(data, start, hit + 4) is not None


def parent_key(data: bytes, start: int) -> str | None:
    """The name of the block holding the line at ``start``: the nearest less-indented
    ``name:`` / ``"name": {`` / ``[section]`` line above it (at most 40 lines up)."""
    line_end = data.find(b"\n", start)
    line = data[start : line_end if line_end != -1 else len(data)]
    indent = len(line) - len(line.lstrip())
    pos = start
    for _ in range(40):
        if pos <= 0:
            return None
        lo = data.rfind(b"\n", 0, pos - 1) + 1
        text = data[lo : pos - 1]
        stripped = text.lstrip()
        if stripped and not stripped.startswith((b"#", b"//")):
            section = _SECTION_LINE.match(text)
            if section is not None:
                return section.group("key").decode("latin-1").rsplit(".", 1)[-1]
            if len(text) - len(stripped) < indent:
                match = _PARENT_LINE.match(text)
                return match.group("key").decode("latin-1") if match is not None else None
        pos = lo
    return None


def _url_password_ok(password: str, facts: _FileFacts) -> bool:
    if not password or f.is_reference(password) or f.is_placeholder(password):
        return False
    if facts.doc and (len(password) < 8 or shannon_entropy(password) < 3.0):
        return False
    return len(password) >= 4 and not password.startswith(("$", "%", "{", "<"))


def _window(data: bytes, start: int, end: int, hit: int) -> tuple[int, int]:
    lo = max(start, hit - MAX_LINE // 2)
    hi = min(end, hit + MAX_LINE // 2)
    return lo, hi


def _neighbour_pairs(data: bytes, name_pair: Pair, facts: _FileFacts) -> list[Pair]:
    """Pairs of the same object as ``name_pair``: its line, then forward and backward until an
    object/list-item boundary (``{``/``}``, ``[``/``]``, ``- ``) or another ``name``."""
    start, end = line_bounds(data, name_pair.start)
    out = [p for p in pairs_in_line(data, start, end, facts.family, facts.base) if p.start != name_pair.start]
    this_line = data[start:end].strip()
    if this_line.endswith((b"}", b"},", b"}]")) and this_line.startswith((b"{", b"- {", b"[")):
        return out  # a one-line object: {"name": ..., "value": ...}
    after = end
    for _ in range(_NEIGHBOUR_LINES):
        if after >= len(data):
            break
        lo, hi = line_bounds(data, after + 1)
        text = data[lo:hi].strip()
        if text.startswith((b"- ", b"{", b"[")):
            break
        pairs = pairs_in_line(data, lo, hi, facts.family, facts.base)
        if any(is_name_key(p.key) for p in pairs):
            break
        out.extend(pairs)
        if text.startswith((b"}", b"]")) or text.endswith((b"}", b"},", b"]", b"],", b"{", b"[")):
            break
        after = hi
    before = start
    if this_line.startswith((b"- ", b"{")):
        return out
    for _ in range(_NEIGHBOUR_LINES):
        if before <= 0:
            break
        lo, hi = line_bounds(data, before - 1)
        text = data[lo:hi].strip()
        if text.startswith((b"}", b"]")) or text.endswith((b"{", b"[", b"}", b"},", b"]", b"],")):
            break
        pairs = pairs_in_line(data, lo, hi, facts.family, facts.base)
        if any(is_name_key(p.key) for p in pairs):
            break
        out.extend(pairs)
        if text.startswith((b"- ", b"{")):
            break
        before = lo
    return out


def _group(data: bytes, offset: int, facts: _FileFacts) -> str:
    """A config section for INI/TOML files; the file itself otherwise."""
    if facts.base in ("ini", "toml"):
        pos = offset
        for _ in range(500):
            lo = data.rfind(b"\n", 0, pos) + 1
            text = data[lo:pos].strip()
            if text.startswith(b"[") and text.endswith(b"]"):
                return f"{facts.path}:{text.strip(b'[]').decode('utf-8', 'replace')}"
            if lo == 0:
                break
            pos = lo - 1
    return facts.path
