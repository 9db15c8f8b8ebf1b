"""Is a configuration key secret-like, and is its value a literal (not a reference)?

Judged on the key's name and the value's shape only; the value itself is never reported.
"""
from __future__ import annotations

import re

# Words that make a key name secret-like ("creds" only as a word: not "credit_specification") ...
_SECRET_WORDS = re.compile(
    r"(pass(word|wd|phrase)|(^|_)pass(_|$)|pwd|secret|token|api_?key|apikey|private_?key|credential|(^|_)creds?(_|$)"
    r"|auth_?key|access_?key|signing_?key|encryption_?key|master_?key|client_?secret|conn(ection)?_?str(ing)?"
    r"|dsn|webhook_?url|license_?key|sas_?key|hmac)",
)
# ... unless the name says it holds a pointer to the secret or a property of it, not the secret.
_NOT_THE_SECRET = re.compile(
    r"(_|^)(arn|arns|name|names|id|ids|path|file|url|uri|endpoint|region|ttl|length|len|expiry|expires"
    r"|rotation|version|header|type|enabled|enable|policy|role|kms|key_id|secret_id|ref|source|store"
    r"|length_min|min_length|max_length|prefix|suffix|param|parameter|count|size|algorithm|format|days"
    r"|seconds|minutes|hours|timeout|duration|lifetime|scope|scopes|audience|issuer|kms_key|key_arn|cmk)$"
)
_PLACEHOLDER = re.compile(
    r"^(|\s+|none|null|nil|false|true|changeme|change-me|change_me|todo|tbd|replace[-_ ]?me|placeholder"
    r"|x+|\*+|\.+|-+|<[^>]*>|\$\{[^}]*\}|\$\([^)]*\)|%[^%]+%|\{\{[^}]*\}\}|\$[A-Z_][A-Z0-9_]*)$",
    re.IGNORECASE,
)
# A value that names where a secret lives (an ARN, an SSM path, a secret id) rather than holding it.
_POINTER = re.compile(r"^(arn:aws[\w-]*:|\{\{resolve:)", re.IGNORECASE)
_SECRET_NAME = re.compile(r"^/?[a-z0-9_.-]+(/[a-z0-9_.-]+)+$")  # "payments/prod/db", "/app/db_password"


# Flags and switches about a secret ("create_secret", "enable_token_auth") are not secrets.
_FLAG = re.compile(r"^(create|enable|disable|use|manage|rotate|is|has|should|generate|allow|require|skip)_")


def _normal(key: str) -> str:
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", key)  # "KMSKey" -> "KMS_Key"
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


# "<vendor>_KEY" is a credential; these "_KEY"s are names of other things.
_KEY_NOT_SECRET = re.compile(
    r"(^|_)(cache|partition|sort|hash|range|primary|foreign|s3|object|bucket|kms|idempotency|public|ssh_public"
    r"|public_ssh|cmk|lookup|index|dedup|dedupe|routing|shard|group|message|map|tag|license_plate|i18n|translation|api_gateway"
    # S3 object keys: "FunctionKey" is the name of a zip in a bucket
    r"|function|code|lambda|zip|template|artifact|source|package|layer|file|prefix|archive|asset|bundle|deployment)_key$"
)


def secret_like_key(key: str, bare_key: bool = True) -> bool:
    """``bare_key=False``: a name ending in just "key" ("SSHKey", "S3Key") is not enough, as in
    CloudFormation parameters, where such names hold key-pair names and object keys."""
    name = _normal(key)
    if name.endswith("webhook_url"):
        return True  # the URL is the credential
    if bare_key and name.endswith("_key") and not _KEY_NOT_SECRET.search(name) and not _FLAG.match(name):
        return True
    return bool(_SECRET_WORDS.search(name)) and not _NOT_THE_SECRET.search(name) and not _FLAG.match(name)


def literal_secret_value(value: object) -> bool:
    """A committed literal that could be a secret: a non-empty string that is no placeholder,
    no reference and no pointer to a secret store."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if _PLACEHOLDER.match(text) or _POINTER.match(text) or _SECRET_NAME.match(text):
        return False
    if text.isdigit() and len(text) < 6:
        return False  # a port, a count: not a credential
    return len(text) >= 4


DEPLOY_TIME_MARKERS = ("{{resolve:secretsmanager:", "{{resolve:ssm-secure:", "{{resolve:ssm:")


def names_deploy_time_secret(text: str) -> bool:
    """A CloudFormation dynamic reference: resolved when the stack deploys, then plaintext."""
    return any(marker in text for marker in DEPLOY_TIME_MARKERS)
