"""False-positive filters shared by the Python detectors.

Each filter answers one question about a candidate value (or the file it sits in) and is cheap:
string tests first, a bounded regex only where a shape must be checked. None of them looks at
the key: the key's weight is judged in :mod:`secretshift.plugins.vocabulary`.
"""
from __future__ import annotations

import re

from secretshift import lazy_re

# AWS's own documentation examples (access key ids, secret keys) and other published samples.
DOCUMENTATION_EXAMPLES = frozenset({
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "ASIAIOSFODNN7EXAMPLE",
    "AKIAJSIE27KKMHXI3BJQ",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",  # Stripe's API reference
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "xoxb-not-a-real-token-this-will-not-work",  # Slack's docs
})
_DOCUMENTATION_FRAGMENTS = ("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "EXAMPLEKEY", "EXAMPLE")

_LOCKFILE_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
    "pipfile.lock", "go.sum", "cargo.lock", "composer.lock", "gemfile.lock", "packages.lock.json",
    "flake.lock", "mix.lock", "pubspec.lock", "podfile.lock", "uv.lock", "pdm.lock", "bun.lockb",
    "gradle.lockfile", "conda-lock.yml", "requirements.lock", ".terraform.lock.hcl",
})
_GENERATED_SUFFIXES = (".min.js", ".min.css", ".map", ".min.mjs", ".bundle.js", ".chunk.js")

_UUID = lazy_re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = lazy_re.compile(r"[0-9a-fA-F]+")
_VERSION = lazy_re.compile(r"(?:[\^~]|[<>]=?|==?)?\s?v?\d+(?:\.(?:\d+|x|\*)){1,3}(?:[-+.][0-9A-Za-z.\-]+)?")
_NUMBER = lazy_re.compile(r"[-+]?(?:\d[\d_,]*)?\.?\d+(?:[eE][-+]?\d+)?[a-zA-Z%]{0,3}")
_LETTERS_AND_SEPARATORS = lazy_re.compile(r"[A-Za-z_][A-Za-z_.:/\-]*")
_DOTTED_NAME = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}(?:(?:\.|::)[A-Za-z_][A-Za-z0-9_]{0,31})+")
_REGEX_HINTS = ("(?", "\\d", "\\w", "\\s", "[^", ".*", ".+", "\\.", "[a-z", "[A-Z", "[0-9", "\\b")
_LEET = str.maketrans("0134579@$!", "oieastgasi")
_CALL = lazy_re.compile(r"[A-Za-z_$][\w$.]*\s*\(.*\)\s*;?")
_WINDOWS_PATH = lazy_re.compile(r"[A-Za-z]:[\\/]")
_FILE_EXT = lazy_re.compile(
    r"\.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|json|ya?ml|txt|env|conf|cfg|ini|xml|pub|gpg|asc|"
    r"properties|toml|sh|py|js|ts|rb|go|java|cs|php|html|csv|log|db|sqlite|enc|secret|kdbx|gz|zip)$",
    re.IGNORECASE,
)
_URL = lazy_re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,20}://")
_URL_USERINFO = lazy_re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,20}://(?P<user>[^:@/\s]*):(?P<password>[^@/\s:,]+)@[^\s]")
_TEMPLATE_MARKERS = ("${", "#{", "%{", "<%", "%>", "$(", "@{", "{%", "[[", "]]", "%(")
_PRINTF = lazy_re.compile(r"%[sdr](?![A-Za-z0-9])|\{\d*\}|\{[a-z_]+\}|\{\{-?\s*[\w.$\"'(|]")
_REFERENCE_PREFIXES = (
    "!ref", "!sub", "!getatt", "!importvalue", "!findinmap", "!join", "!select", "!if", "!vault",
    "{{resolve:", "ssm:", "ssm-secure:", "secretsmanager:", "vault:", "arn:aws", "arn:aws-",
    "ref+", "enc[", "awskms:", "gcpkms:", "azurekeyvault:", "op://", "keyvault:", "sops:",
    "secret://", "env:", "env.", "process.env", "os.environ", "os.getenv", "system.getenv",
    "environment.getenvironmentvariable", "getenv(", "env(", "env[", "$env:", "var.", "local.",
    "data.", "module.", "secrets.", "vars.", "inputs.", "settings.", "config.", "values.",
    "self.", "this.", "params.", "props.", "context.", "configuration[", "%env(",
    "aws_secretsmanager", "file(", "lookup(", "!secret", "k8s:", "kms:", "projects/",
)
_PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "changethis", "change_this", "replaceme", "replace_me",
    "replace-me", "replace_with", "replace-with", "placeholder", "example", "dummy", "sample",
    "your_", "your-", "yourpass", "yoursecret", "yourtoken", "yourkey", "yourapi", "my_secret",
    "mysecret", "mypassword", "my_password", "my-secret", "my-password", "secret_here",
    "password_here", "token_here", "key_here", "_here", "-here", "insert", "fixme", "todo",
    "tbd", "redacted", "removed", "masked", "hidden", "notreal", "not_real", "not-real",
    "not_a_real", "not-a-real", "set-me", "set_me", "setme", "fake", "xxxx", "****", "....", "____", "----", "<", ">", "lorem", "ipsum",
    "foobar", "qwerty", "letmein", "123456", "abcdef", "abc123", "s3cr3t", "p@ssw0rd",
    "passw0rd", "default", "token123", "enter_", "enter-", "put_your", "put-your", "generate", "randomstring", "random_string",
    "set_in_", "set-in-", "provided", "override", "sensitive", "confidential", "some_",
    "some-", "somesecret", "somepassword", "sometoken", "...", "\u2026", "notset", "not_set",
    "not-set", "n/a",
)
# In a long value, only these still mark a placeholder: "123456" may occur inside a real token.
_STRONG_PLACEHOLDER_WORDS = (
    "example", "changeme", "change_me", "change-me", "replace", "placeholder", "your_", "your-",
    "xxxx", "****", "<", ">", "redacted", "dummy", "insert_", "todo", "fixme", "not_a_real", "not-a-real",
    "...", "\u2026",
)
# The passwords every breach list starts with: as a value they mark a sample, not a secret.
_COMMON_PASSWORDS = frozenset({
    "changeme", "changeit", "letmein", "welcome", "iloveyou", "qwerty", "passw", "pass", "trustno",
    "hunter", "abcd", "1q2w3e4r", "zaq12wsx", "temp", "xyz", "monkey", "dragon", "baseball",
    "football", "master", "sunshine", "princess", "shadow", "login", "summer", "winter", "spring",
    "autumn", "fall", "michael", "superman", "batman", "starwars", "asdf", "asdfgh", "zxcvbn",
    "1qaz2wsx", "q1w2e3r4", "qwertyuiop", "mustang", "access", "hello", "freedom", "whatever",
    "trustno1", "hunter2", "abcd1234", "temp1234", "xyz123", "opensesame", "supersecret",
    "topsecret", "secretpassword", "mysecretpassword", "s3cret", "sekret", "geheim", "motdepasse",
})
_PLACEHOLDER_EXACT = frozenset({
    "password", "passwd", "pass", "pwd", "secret", "secrets", "token", "key", "apikey", "admin",
    "root", "test", "testing", "tester", "user", "username", "guest", "demo", "postgres", "mysql",
    "redis", "true", "false", "yes", "no", "on", "off", "required", "optional", "string", "str",
    "bool", "boolean", "int", "integer", "number", "object", "bytes", "text", "value", "values",
    "auth", "basic", "bearer", "digest", "oauth", "oauth2", "jwt", "hmac", "none", "plain",
    "md5", "sha1", "sha256", "sha512", "bcrypt", "argon2", "scrypt", "pbkdf2", "aes", "rsa",
    "hs256", "rs256", "es256", "env", "local", "dev", "prod", "production", "staging", "secure",
    "insecure", "public", "private", "internal", "hidden", "unknown", "disabled", "enabled",
    "strong", "weak", "random", "blank", "missing", "invalid", "valid", "wrong", "incorrect",
    "correct", "new", "old", "current", "master", "main", "latest", "stable", "client",
    "server", "service", "system", "access", "refresh", "session", "cookie", "header", "query",
    "body", "form", "json", "xml", "yaml", "file", "path", "url", "uri", "host", "port",
    "localhost", "database", "db", "app", "application", "api", "web", "www", "secretkey",
    "secret_key", "apikey", "api_key", "api-key", "access_key", "accesskey", "private_key",
})
_TEST_VALUE_WORDS = ("test", "mock", "fake", "dummy", "fixture", "sample", "foo", "bar", "baz", "qux", "spam", "eggs")
_TEST_DIRS = frozenset({
    "test", "tests", "testing", "spec", "specs", "__tests__", "__mocks__", "fixtures", "fixture",
    "testdata", "test_data", "mocks", "mock", "stubs", "examples", "example", "samples", "sample",
    "demo", "demos", "e2e", "integration_tests", "unit_tests",
})
_TEST_FILE_MARKS = ("test_", "_test.", ".test.", ".spec.", "_spec.", "test.", "tests.", "conftest.", "fixture")
_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".txt", ".html", ".htm", ".textile", ".org")


_PASSWORD_HASH = lazy_re.compile(r"\$(?:2[abxy]?|argon2(?:id|i|d)?|[156]|pbkdf2[\w\-]*|scrypt|y|7|sha1|apr1)\$")
# PostgreSQL's `md5` + 32 hex and MySQL's native `*` + 40 hex: what those servers store (and
# ansible/terraform modules accept) instead of the password. Reported only inside SQL dumps.
_DB_PASSWORD_HASH = lazy_re.compile(r"md5[0-9a-f]{32}|\*[0-9A-F]{40}|SCRAM-SHA-256\$[0-9]+:.*")


def is_password_hash(value: str) -> bool:
    """bcrypt/argon2/crypt(3) hashes: stored to check a password, not the password."""
    return _PASSWORD_HASH.match(value) is not None or _DB_PASSWORD_HASH.fullmatch(value) is not None


_PUBLIC_PREFIXES = ("pk_live_", "pk_test_", "npm_public", "pub-", "publishable")


def is_public_token(value: str) -> bool:
    """Tokens providers publish on purpose (Stripe publishable keys)."""
    return value.startswith(_PUBLIC_PREFIXES)


def is_documentation_example(value: str) -> bool:
    """Values published in vendors' documentation (AWS's EXAMPLE keys, jwt.io's sample token)."""
    return value in DOCUMENTATION_EXAMPLES or any(fragment in value for fragment in _DOCUMENTATION_FRAGMENTS)


def is_lockfile(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name in _LOCKFILE_NAMES or name.endswith(".lock") or name.endswith("-lock.json")


def is_generated_asset(path: str) -> bool:
    lowered = path.lower()
    return lowered.endswith(_GENERATED_SUFFIXES) or "/node_modules/" in f"/{lowered}"


def is_minified_line(line: bytes) -> bool:
    """A bundle's line: very long and without the spaces people type."""
    return len(line) > 1000 and line.count(b" ") < len(line) // 40


def is_test_path(path: str) -> bool:
    parts = path.lower().split("/")
    name = parts[-1]
    return any(part in _TEST_DIRS for part in parts[:-1]) or name.startswith(_TEST_FILE_MARKS) or any(
        mark in name for mark in _TEST_FILE_MARKS[1:]
    )


def is_doc_path(path: str) -> bool:
    """Documentation and example files: their values are illustrations more often than not."""
    lowered = path.lower()
    name = lowered.rsplit("/", 1)[-1]
    return (
        lowered.endswith(_DOC_SUFFIXES)
        or "example" in name
        or "sample" in name
        or lowered.startswith(("docs/", "doc/"))
        or "/docs/" in lowered
    )


def is_uuid(value: str) -> bool:
    return len(value) == 36 and _UUID.fullmatch(value) is not None


def is_hex_hash(value: str) -> bool:
    """A git SHA or digest: hex of a digest length."""
    return len(value) in (7, 8, 12, 32, 40, 56, 64, 96, 128) and _HEX.fullmatch(value) is not None


def is_version(value: str) -> bool:
    return _VERSION.fullmatch(value) is not None


def is_number_or_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "false", "yes", "no", "on", "off", "null", "none", "nil", "~"):
        return True
    return _NUMBER.fullmatch(value) is not None


def is_public_material(value: str) -> bool:
    """Public keys and certificates are meant to be shared."""
    head = value.lstrip()[:64]
    if head.startswith(("ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-")):
        return True
    if head.startswith("-----BEGIN"):
        return "PRIVATE KEY" not in value[:100]
    return head.startswith("MII") and len(value) > 200 and "PRIVATE" not in value


def is_data_uri(value: str) -> bool:
    return value[:5].lower() == "data:" and ";base64," in value[:100]


def is_arn(value: str) -> bool:
    return value.startswith("arn:")


def is_templated(value: str) -> bool:
    if any(marker in value for marker in _TEMPLATE_MARKERS) or _PRINTF.search(value):
        return True
    if value.startswith("$") and len(value) > 1 and (value[1].isalpha() or value[1] in "{_("):
        return True
    if value.startswith("((") and value.endswith("))"):
        return True  # Concourse ((vars))
    return value.startswith("%") and value.endswith("%") and len(value) > 2


def is_reference(value: str) -> bool:
    lowered = value.lower()
    if value.startswith("@"):
        return is_at_reference(value)
    return lowered.startswith(_REFERENCE_PREFIXES) or is_templated(value)


# `@Value(...)`, `@Model.Password`, `@db_pass`, `@p1`, `@env:X`: an annotation, a Razor/SQL
# variable or a lookup. Digits only as a short suffix: `@dm1n_Pr0d2024` mixes them in like a password.
_AT_NAME = lazy_re.compile(r"@[A-Za-z_][A-Za-z_.:\-]*[0-9]{0,3}(?:\(.*\))?")
# npm scopes (`@babel/core@7.1.0`) and mail domains (`@example.com`).
_AT_SCOPE = lazy_re.compile(r"@[a-z0-9][a-z0-9._\-]*/[A-Za-z0-9._\-]+(?:@[\w.^~<>=*\-]+)?")
_AT_DOMAIN = lazy_re.compile(r"@[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,12}")


def is_at_reference(value: str) -> bool:
    """A value starting with `@` names something more often than not; a password may still
    start with it (`@Xk9!mQ2#vL`). References: `@@var`, `@{...}`, `@(...)`, `@/path`, `@file.json`
    (curl), annotations and variables, npm scopes, mail domains."""
    rest = value[1:]
    if not rest or rest[0] in "@{(/.$\"'[<~%" or rest[0].isspace() or is_templated(value):
        return True
    if _AT_NAME.fullmatch(value) or _AT_SCOPE.fullmatch(value) or _AT_DOMAIN.fullmatch(value):
        return True
    return is_file_path(rest) or _FILE_EXT.search(rest) is not None


def is_file_path(value: str) -> bool:
    if value.startswith(("./", "../", "~/", "file:", "\\\\")) or _WINDOWS_PATH.match(value):
        return True
    if value.startswith("/"):
        # base64 may start with "/": a path has several short segments or a file extension
        segments = [s for s in value.split("/") if s]
        if _FILE_EXT.search(value) or len(segments) >= 2 and all(len(s) < 24 for s in segments):
            return not any(len(s) >= 16 and char_classes(s) >= 3 for s in segments)
        return len(segments) == 1 and segments[0].islower() and len(segments[0]) < 16
    return _FILE_EXT.search(value) is not None and ("/" in value or value.count(".") == 1)


def url_password(value: str) -> tuple[int, int] | None:
    """The span of the password inside ``scheme://user:password@host``, if any."""
    match = _URL_USERINFO.search(value)
    if match is None:
        return None
    return match.start("password"), match.end("password")


def url_passwords(text: str) -> list[tuple[int, int]]:
    """Spans of every URL password in ``text``."""
    return [(m.start("password"), m.end("password")) for m in _URL_USERINFO.finditer(text)]


def is_url(value: str) -> bool:
    return _URL.match(value) is not None


def is_call_or_expression(value: str) -> bool:
    return _CALL.fullmatch(value) is not None


def is_identifier_like(value: str) -> bool:
    """`db_password`, `my-app-secret`, `AWSSecretKey`: a name, not a secret."""
    return _LETTERS_AND_SEPARATORS.fullmatch(value) is not None


def is_dotted_name(value: str) -> bool:
    """`x25519.PrivateKey`, `crypto::Key`: a qualified name in code."""
    return _DOTTED_NAME.fullmatch(value) is not None


def is_regex(value: str) -> bool:
    return any(hint in value for hint in _REGEX_HINTS)


def mentions_secret_word(value: str) -> bool:
    """`PassWordMustBeAtLeast6Chars.`, `my_api_token_value`: text about a secret, not one."""
    lowered = value.lower()
    return any(w in lowered for w in ("password", "passwd", "secret", "token", "apikey", "api_key", "credential"))


def is_path_like(value: str) -> bool:
    """`mock_key/20220524/us-east-1/service/aws4_request`: slash-separated lowercase words."""
    if value.count("/") < 2:
        return False
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) < 0.2 * len(letters)


_NOT_WEAK = frozenset({"changeme", "changeit", "pass", "passw", "temp", "xyz", "abcd", "login", "access"})


def is_weak_password(value: str) -> bool:
    """A real but guessable password: a breach-list password or a leet/suffixed variant of a
    common word (`Summer2024!`, `P@ssw0rd123`, `supersecret123`, `hunter2`, `secret1`). Bare
    words (`password`, `secret`) and the templates' `changeme` stay placeholders."""
    lowered = value.lower().strip()
    if len(lowered) < 6 or lowered in _PLACEHOLDER_EXACT or lowered in _NOT_WEAK or len(set(lowered)) <= 2:
        return False
    if any(c.isspace() for c in lowered) or any(word in lowered for word in _STRONG_PLACEHOLDER_WORDS):
        return False
    plain = lowered.rstrip("0123456789!.#*?-_@$ ").translate(_LEET)
    if plain in _NOT_WEAK and plain == lowered:
        return False
    if lowered in _COMMON_PASSWORDS or plain in _COMMON_PASSWORDS or plain in _PASSWORD_WORDS_AS_VALUES:
        return True
    # `AdminPassword123`, `salesforcepassword`, `UserPass2024!`: a word glued to "password"
    if _GLUED_PASSWORD.fullmatch(plain) is None or plain.startswith(_NOT_A_PASSWORD_OWNER):
        return False
    # `salesforcepassword`, `AdminPassword123`; not `challengePassword` (an identifier's spelling)
    return value.islower() or plain != lowered.translate(_LEET)


_GLUED_PASSWORD = lazy_re.compile(r"[a-z]{2,16}(?:password|passwd)")
# `yourpassword`, `newpassword`, `dbpassword`: a description of the value, not a chosen password.
_NOT_A_PASSWORD_OWNER = ("your", "my", "the", "new", "old", "no", "db", "example", "sample", "dummy", "test", "fake")


# Words that, varied (`P@ssw0rd123`, `secret1`, `Admin2024!`), are what people type as a password.
_PASSWORD_WORDS_AS_VALUES = frozenset({"password", "passwd", "secret", "admin", "root", "pwd", "passwort"})


def is_placeholder(value: str) -> bool:
    lowered = value.lower().strip()
    if lowered in _PLACEHOLDER_EXACT:
        return True
    plain = lowered.rstrip("0123456789!.#*?-_@$ ").translate(_LEET)
    if plain in _PLACEHOLDER_EXACT or plain in _COMMON_PASSWORDS:
        return True  # P@ssw0rd!, s3cr3t, Adm1n123, Ch4ng3M3, Summer2024!
    if lowered in _COMMON_PASSWORDS:
        return True
    stripped = lowered.rstrip("0123456789!.")
    if stripped in _PLACEHOLDER_EXACT and len(lowered) - len(stripped) <= 4:
        return True  # password1, admin123!, secret2
    words = _PLACEHOLDER_WORDS if len(lowered) <= 24 else _STRONG_PLACEHOLDER_WORDS
    if any(word in lowered for word in words):
        return True
    if len(set(lowered)) <= 2:
        return True  # aaaaaa, ******, 000000, ababab
    return lowered.startswith(("my", "the")) and is_identifier_like(lowered)


_SIMPLE_PASSWORD = lazy_re.compile(r"[A-Za-z][a-z]{1,15}[0-9]{0,4}[!.?]?|[0-9]{1,4}[a-z]{2,15}")


def looks_like_test_value(value: str) -> bool:
    """`test-token-1`, `alice123`: what people type into fixtures."""
    lowered = value.lower()
    return any(word in lowered for word in _TEST_VALUE_WORDS) or _SIMPLE_PASSWORD.fullmatch(value) is not None


def char_classes(value: str) -> int:
    classes = 0
    if any(c.islower() for c in value):
        classes += 1
    if any(c.isupper() for c in value):
        classes += 1
    if any(c.isdigit() for c in value):
        classes += 1
    if any(not c.isalnum() for c in value):
        classes += 1
    return classes


_LETTERS_ONLY = lazy_re.compile(r"[A-Z]?[a-z]{9,39}")


def is_letters_only_password(value: str) -> bool:
    """`Sunflowerfield`: ten or more letters, all lowercase after an optional capital, under a
    password key, is a chosen password more often than a name. CamelCase (`PasswordField`,
    `InputText`) and all-capital values are identifiers; placeholders, breach-list words and
    words that name a secret (`credentials`, `passphrase`) are not passwords."""
    if _LETTERS_ONLY.fullmatch(value) is None:
        return False
    from secretshift.plugins.vocabulary import NONE, key_strength

    lowered = value.lower()
    if is_placeholder(value) or mentions_secret_word(value) or key_strength(lowered) != NONE:
        return False
    # `administrator`, `postgresql`, `testingonly`: a role, a service or a fixture word first
    starts = [w for w in (*_COMMON_PASSWORDS, *_PLACEHOLDER_EXACT) if len(w) >= 4]
    return not any(lowered.startswith(word) for word in starts)
