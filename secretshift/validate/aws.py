"""AWS key pairs: STS ``GetCallerIdentity`` through botocore, and the account id read offline.

``GetCallerIdentity`` needs no permission and cannot be denied by any policy, so it answers for
every working key pair. The endpoint follows AWS's standard settings (``AWS_ENDPOINT_URL_STS``,
then ``AWS_ENDPOINT_URL``) so tests point it at moto's server; such an override must still be an
AWS host, or loopback outside CI (the same rule as the test hook).

Offline: an access key id is ``AKIA``/``ASIA``/... and 16 base32 characters (80 bits). In keys
of the current generation the first of those bits is 1 and the next 40 bits are the account
number (WithSecure's bitwise analysis of 3,000+ key ids; ``sts:GetAccessKeyInfo`` agrees). Older
key ids (first bit 0) carry no readable account.
"""
from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from secretshift.validate.http import Credential, Outcome
from secretshift.validate.safety import in_ci, is_loopback
from secretshift.validate.spec import ValidatorSpec, host_allowed

KEY_ID = re.compile(r"^(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}$")
DEFAULT_ENDPOINT = "https://sts.amazonaws.com"
_INVALID = {
    "InvalidClientTokenId": "AWS does not know this access key id (deleted or never existed)",
    "SignatureDoesNotMatch": "the secret access key does not belong to this access key id",
    "IncompleteSignature": "AWS refused the request signature",
}
_REVOKED = {"ExpiredToken": "the temporary credentials have expired", "AccessDenied": "AWS denied the key"}


def account_from_key_id(key_id: str) -> str | None:
    """The 12-digit account id encoded in a current-generation access key id, with no call."""
    if not KEY_ID.match(key_id):
        return None
    bits = int.from_bytes(base64.b32decode(key_id[4:]), "big")  # 80 bits
    if not bits >> 79:
        return None  # an older generation key: the account is not in it
    return f"{(bits >> 39) & ((1 << 40) - 1):012d}"


def split_pair(credential: Credential) -> tuple[str, str] | None:
    """(access key id, secret access key), whichever of the two the finding was."""
    for key_id, secret in ((credential.secret, credential.pair), (credential.pair, credential.secret)):
        if key_id is not None and secret is not None and KEY_ID.match(key_id):
            return key_id, secret
    return None


def sts_endpoint(spec: ValidatorSpec, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """(endpoint URL, "") or (None, why it is refused)."""
    configured = environ.get("AWS_ENDPOINT_URL_STS") or environ.get("AWS_ENDPOINT_URL")
    if not configured:
        return DEFAULT_ENDPOINT, ""
    host = urlsplit(configured).hostname or ""
    if host_allowed(host, spec.hosts) and configured.startswith("https://"):
        return configured, ""
    if is_loopback(host) and not in_ci(environ):
        return configured, ""
    return None, f"refused: the configured STS endpoint {host or '?'} is not an AWS STS host"


def check(spec: ValidatorSpec, credential: Credential, timeout: float, checker: object = None,
          environ: Mapping[str, str] | None = None) -> Outcome:
    """``checker`` is unused: botocore brings its own HTTP stack and signing."""
    env = os.environ if environ is None else environ
    pair = split_pair(credential)
    if pair is None:
        return Outcome("unknown", "an AWS key needs both the access key id and its secret access key")
    key_id, secret = pair
    offline = _offline_identity(key_id)
    if key_id.startswith("ASIA"):
        return Outcome("unknown", "temporary AWS credentials (ASIA...) need their session token too", offline)
    endpoint, refused = sts_endpoint(spec, env)
    if endpoint is None:
        return Outcome("error", refused, offline)
    return _call_sts(key_id, secret, endpoint, timeout, offline)


def _call_sts(key_id: str, secret: str, endpoint: str, timeout: float,
              offline: tuple[tuple[str, str], ...]) -> Outcome:
    import botocore.exceptions
    import botocore.session
    from botocore.config import Config

    host = urlsplit(endpoint).hostname or "STS"
    session = botocore.session.Session()
    client = session.create_client(
        "sts", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1}),
    )
    try:
        answer = client.get_caller_identity()
    except botocore.exceptions.ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _INVALID:
            return Outcome("invalid", _INVALID[code], offline)
        if code in _REVOKED:
            return Outcome("revoked", _REVOKED[code], offline)
        if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded"):
            return Outcome("error", "rate limited by AWS: try again later", offline)
        return Outcome("error", f"unexpected AWS error code {code[:60]!r}", offline)
    except botocore.exceptions.SSLError:
        return Outcome("error", f"TLS verification failed for {host}", offline)
    except (botocore.exceptions.ConnectTimeoutError, botocore.exceptions.ReadTimeoutError):
        return Outcome("error", f"timed out talking to {host}", offline)
    except botocore.exceptions.BotoCoreError:
        return Outcome("error", f"could not reach {host}", offline)
    identity = (("account", str(answer.get("Account", ""))), ("arn", str(answer.get("Arn", ""))),
                ("user_id", str(answer.get("UserId", ""))))
    return Outcome("valid", "AWS STS GetCallerIdentity succeeded", tuple((k, v) for k, v in identity if v))


def _offline_identity(key_id: str) -> tuple[tuple[str, str], ...]:
    account = account_from_key_id(key_id)
    return (("account_from_key_id", account),) if account else ()


def offline_outcome(key_id: str) -> Outcome:
    """A lone access key id: no call is possible, but its account can still be read."""
    return Outcome("unknown", "no secret access key found next to this access key id", _offline_identity(key_id))
