"""How strongly a key name says "this holds a secret", in any naming style.

``DB_PASSWORD``, ``dbPassword``, ``db-password``, ``db.password`` and ``dbpassword`` all read as
a password. The strength decides how much evidence the value itself must add: a password key
accepts ``hunter2-prod!``; a bare ``stripe_key`` wants a long random-looking value.
"""
from __future__ import annotations

from functools import lru_cache

from secretshift.scanner.keys import key_words

NONE, WEAK, MEDIUM, STRONG = 0, 1, 2, 3

_PASSWORD_WORDS = frozenset({
    "password", "passwd", "passphrase", "pwd", "pass", "pw", "pswd", "passwrd", "passwort",
    "senha", "contrasena", "motdepasse", "secret", "secrets", "requirepass", "masterauth",
})
_PASSWORD_STEMS = ("password", "passwd", "passphrase", "secret")
_NOT_PASS = frozenset({
    "bypass", "compass", "overpass", "underpass", "trespass", "surpass", "encompass", "passthrough",
})
_MEDIUM_WORDS = frozenset({
    "token", "credential", "credentials", "creds", "cred", "auth", "authorization", "bearer",
    "apikey", "accesskey", "secretkey", "privatekey", "signingkey", "masterkey", "encryptionkey",
    "authkey", "appkey", "hmac", "sas", "dsn", "connectionstring", "connstr", "apitoken",
})
_MEDIUM_STEMS = ("token", "apikey", "accesskey", "secretkey", "privatekey", "signingkey", "credential")
# `<word>_key` is a secret key when <word> says so; else it is only a weak hint.
_KEY_QUALIFIERS = frozenset({
    "api", "access", "secret", "private", "signing", "sign", "encryption", "encrypt", "master",
    "auth", "app", "application", "consumer", "client", "license", "licence", "account",
    "service", "subscription", "admin", "webhook", "hmac", "jwt", "session", "crypt", "cipher",
    "aes", "shared", "root", "storage", "sas", "deploy", "write", "partner", "merchant", "live",
    "server", "cookie", "token", "integration", "cloud", "dev", "prod", "mgmt", "management",
})
# camelCase `<qualifier>Key` names (`jwtKey`, `hmacKey`) for the prefilter: `_key`/`-key` cover the rest.
KEY_KEYWORDS = tuple(sorted(f"{q}key" for q in _KEY_QUALIFIERS))
_KEY_NOT_SECRET = frozenset({
    "publishable", "primary", "foreign", "sort", "partition", "hash", "range", "cache", "dict", "map", "lookup",
    "index", "unique", "composite", "idempotency", "routing", "object", "bucket", "file", "public",
    "pub", "kms", "group", "row", "column", "table", "field", "item", "entry", "record", "node",
    "tree", "i18n", "translation", "locale", "message", "label", "hot", "short", "shortcut",
    "keyboard", "press", "event", "react", "list", "registry", "config", "setting", "settings",
    "env", "dedup", "cursor", "sequence", "lock", "redis", "state", "storage_account", "meta",
    "metadata", "attribute", "attr", "property", "prop", "param", "query", "json", "yaml", "dom",
    "child", "parent", "type", "kind", "name", "data", "ssh", "gpg", "pgp", "rsa", "host",
    "known", "idx", "sub", "subkey", "mapping", "enum", "option", "menu", "route", "path",
    "url", "component", "element", "widget", "layer", "model", "cache_key", "s3", "blob",
    "ref", "foreign_key", "sharding", "shard", "bucket_key", "the", "a", "by", "from", "to",
    "for", "of", "in", "on", "next", "prev", "last", "first", "max", "min", "new", "old",
})
# Words that, after the secret word, make the key about something else (password_length).
_ALLOWED_AFTER = frozenset({
    "value", "str", "string", "raw", "plain", "plaintext", "b64", "base64", "hex", "encoded",
    "prod", "production", "dev", "development", "staging", "stage", "test", "live", "sandbox",
    "v1", "v2", "v3", "new", "old", "base", "key", "secret", "token", "default", "local",
    "remote", "primary", "secondary", "main", "master", "admin", "root", "user", "global",
    "pass", "password", "pwd", "private", "app", "api", "access", "auth", "bot", "qa",
    "uat", "preprod", "dr", "us", "eu", "ap",
})
_NEGATING_BEFORE = frozenset({
    "no", "is", "has", "have", "use", "uses", "show", "hide", "forgot", "forget", "reset",
    "validate", "validation", "check", "verify", "verification", "grant", "min", "max", "num", "count", "len", "length",
    "toggle", "enable", "enabled", "disable", "disabled", "allow", "require", "required",
    "get", "fetch", "load", "read", "generate", "gen", "create", "update", "hash", "hashed",
    "encrypted", "csrf", "xsrf", "page", "next", "prev", "continuation", "pagination", "cursor",
    "sync", "idempotency", "cancellation", "cancel", "lexer", "parser", "eof", "bos", "eos",
    "pad", "unk", "mask", "sep", "cls", "special", "vocab", "total", "input", "output", "prompt",
    "completion", "split", "type", "last", "previous", "expired", "invalid", "wrong", "bad",
    "mock", "fake", "dummy", "sample", "example", "placeholder", "empty", "existing", "confirm", "repeat", "retype", "field", "label", "form", "dialog",
    "prompt", "ask", "request", "needs", "need", "want", "ignore", "skip",
    "set", "with", "without", "one", "time", "id", "ids", "sort", "limit", "rate",
    "format", "style", "strength", "policy", "rule", "rules", "char", "chars", "character",
    "tokenizer", "token_type", "kind", "bypass", "remember", "last", "prefix", "suffix",
    "detect", "result", "response", "discriminator", "delete", "managed", "lock", "version",
    "creation", "idempotency", "continuation", "starting", "error", "errortoken",
})
_REJECT_AFTER = frozenset({
    "length", "len", "min", "max", "url", "uri", "endpoint", "file", "files", "path", "paths",
    "dir", "directory", "name", "names", "type", "types", "id", "ids", "field", "fields",
    "label", "prompt", "hint", "regex", "pattern", "policy", "enabled", "enable", "required",
    "expiry", "expires", "expiration", "expire", "ttl", "timeout", "count", "size", "format",
    "header", "param", "params", "env", "var", "vars", "mode", "version", "hash", "hashed",
    "digest", "encoding", "algorithm", "alg", "store", "manager", "provider", "ref", "reference",
    "arn", "location", "source", "template", "placeholder", "help", "description", "desc",
    "message", "msg", "error", "errors", "text", "title", "button", "input", "form", "validator",
    "validation", "strength", "reset", "changed", "change", "confirm", "confirmation", "class",
    "style", "icon", "visible", "visibility", "selector", "checkbox", "sent", "at", "date",
    "time", "rotation", "generator", "method", "scheme", "kind", "prefix", "suffix", "lifetime",
    "duration", "created", "updated", "key_id", "keyid", "arn", "service", "command", "cmd",
    "script", "mount", "volume", "helper", "option", "options", "flag", "flags", "setting",
    "settings", "config", "configuration", "dialog", "page", "screen", "view", "module",
    "class", "handler", "callback", "func", "function", "fn", "hook", "plugin", "backend",
    "storage", "cache", "table", "column", "attr", "attribute", "property", "prop", "props",
    "schema", "spec", "field_name", "keys", "usage", "used", "count", "index", "idx", "list",
    "map", "dict", "set", "bytes", "bits", "rounds", "iterations", "cost", "salt_length",
    "chars", "charset", "alphabet", "char", "policy", "rule", "rules", "lock", "locked",
    "attempts", "retries", "retry", "limit", "window", "requested", "request", "response",
    "status", "state", "info", "details", "metadata", "meta", "payload", "claims", "audience",
    "issuer", "subject", "scope", "scopes", "host", "hostname", "port", "address", "user",
    "username", "login", "email", "account", "owner", "group", "role", "region", "bucket",
    "exists", "present", "set", "missing", "needed", "label", "parameter", "ssm",
    "vault", "kms", "input", "output", "id_token", "mask", "masked", "hidden", "show",
    "pad", "bos", "eos", "unk", "sep", "cls", "number", "num", "expected", "actual", "out",
    "in", "is", "test", "to", "from", "of", "for",
})


@lru_cache(maxsize=4096)
def key_strength(key: str) -> int:
    """0 (not a secret's name) to 3 (a password or secret by name)."""
    # `password2`, `DB_PASSWORD2`, `secret1`: a numbered copy of a secret's name is one too.
    words = [word.rstrip("0123456789") or word for word in key_words(key)]
    if not words or len(words) > 10:
        return NONE
    if "connection" in words and words[-1] in ("string", "str", "url", "uri"):
        return MEDIUM
    best, at = NONE, -1
    for index, word in enumerate(words):
        strength = _word_strength(word, words[index - 1] if index else "")
        if strength and strength >= best:
            best, at = strength, index
    if best == NONE:
        return NONE
    if best == STRONG and "key" in words[at + 1 :] and words[at] not in ("secret", "secrets"):
        return NONE  # existingSecretPasswordKey: the name of a key inside a secret
    for word in words[at + 1 :]:
        if word in _REJECT_AFTER or word not in _ALLOWED_AFTER and not word.isdigit():
            return NONE
    if any(word in _NEGATING_BEFORE for word in words[:at]):
        return NONE
    return best


def _word_strength(word: str, previous: str) -> int:
    if word in _PASSWORD_WORDS:
        return STRONG
    if word in _MEDIUM_WORDS:
        return MEDIUM
    if word == "key":
        if previous in _KEY_QUALIFIERS:
            return MEDIUM
        if previous and previous not in _KEY_NOT_SECRET and len(previous) > 2:
            return WEAK
        return NONE
    if len(word) > 4 and word not in _NOT_PASS:
        if word.endswith(_PASSWORD_STEMS) or word.endswith("pass"):
            return STRONG
        if word.endswith(_MEDIUM_STEMS) and not word.startswith(("tokeniz", "max", "min", "num")):
            return MEDIUM
        if word.endswith("key") and word[:-3] in _KEY_QUALIFIERS:
            return MEDIUM
    return NONE


def is_name_key(key: str) -> bool:
    """Keys whose value names a sibling: ``- name: DB_PASSWORD`` / ``value: ...``."""
    return key.lower() in ("name", "key", "parameterkey", "optionname", "variable", "attribute")


def is_value_key(key: str) -> bool:
    return key.lower() in ("value", "parametervalue", "defaultvalue", "default", "val")
