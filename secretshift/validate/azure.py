"""Azure Storage account keys: one signed ``List Containers`` request (Shared Key).

The key alone says nothing; the account name comes from the same file (the connection string's
``AccountName=``, a `near` value). Shared Key signing is HMAC-SHA256 over a canonical string
(Microsoft's "Authorize with Shared Key" page), so this needs code, not a declaration.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from email.utils import formatdate

from secretshift.validate.http import Credential, HttpChecker, Outcome, classify
from secretshift.validate.spec import ValidatorSpec

API_VERSION = "2021-08-06"


def string_to_sign(account: str, date: str) -> str:
    """GET ?comp=list&maxresults=1: eleven empty standard headers, the x-ms-* headers, then the
    resource with its query parameters sorted, one `name:value` a line."""
    return ("GET\n" + "\n" * 11 + f"x-ms-date:{date}\nx-ms-version:{API_VERSION}\n"
            f"/{account}/\ncomp:list\nmaxresults:1")


def authorization(account: str, key: str, date: str) -> str | None:
    try:
        raw_key = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = hmac.new(raw_key, string_to_sign(account, date).encode("utf-8"), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(digest).decode('ascii')}"


def check(spec: ValidatorSpec, credential: Credential, timeout: float, checker: HttpChecker) -> Outcome:
    account = dict(credential.near).get("account", "").lower()
    date = formatdate(usegmt=True)
    auth = authorization(account, credential.secret, date)
    if auth is None:
        return Outcome("invalid", "the key is not valid base64, so Azure cannot accept it")
    url = f"https://{account}.blob.core.windows.net/?comp=list&maxresults=1"
    headers = {"x-ms-date": date, "x-ms-version": API_VERSION, "Authorization": auth}
    answer = checker.send(spec, url, headers, None)
    if isinstance(answer, Outcome):
        return answer
    status, body, response_headers = answer
    outcome = classify(spec, credential, status, body, response_headers)
    if outcome.status == "valid":
        return Outcome("valid", outcome.reason, (("storage_account", account),))
    return outcome
