"""The AWS Secrets Manager side: create/confirm secrets idempotently, rotation, KMS key ARNs.

Every AWS failure becomes a one-line :class:`FatalError` naming the secret and the permission
involved; no message ever carries a secret value (only error codes and names).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from secretshift.errors import EXIT_FINDINGS, FatalError
from secretshift.migrate.plan_file import PlannedSecret

_THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnauthorizedException"}
_CREDENTIALS = {
    "ExpiredTokenException", "ExpiredToken", "RequestExpired", "InvalidClientTokenId",
    "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
    "IncompleteSignature", "MissingAuthenticationToken", "AuthFailure",
}
_KMS = {
    "EncryptionFailure", "DecryptionFailure", "KMSAccessDeniedException", "KMSDisabledException",
    "KMSInvalidStateException", "KMSNotFoundException", "KMSInvalidKeyUsageException", "DisabledException",
    "KMSInvalidSignatureException",
}
_NOT_FOUND = {"ResourceNotFoundException"}


@dataclass(frozen=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


@dataclass(frozen=True)
class Ensured:
    name: str
    arn: str | None  # None only in a dry run for a secret that does not exist yet
    action: str  # created | reused | updated | would create | would update | exists
    kms_key_id: str | None = None


def document(values: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(values.items())), separators=(",", ":"))


def request_token(name: str, secret_document: str, salt: str = "") -> str:
    """Deterministic from name + content, so a retried or re-run create is a no-op in ASM; keyed
    with SECRETSHIFT_HASH_KEY, else with the plan's random salt. The token becomes the version id
    that `DescribeSecret` / `ListSecretVersionIds` / CloudTrail show: unkeyed, it would let anyone
    who can read that metadata check a guessed value offline."""
    from secretshift.hashing import hash_key

    key = hash_key() or salt.encode()
    message = f"secretshift\0{name}\0{secret_document}".encode("utf-8", "surrogateescape")
    mac = hmac.new(key, message, hashlib.sha256) if key else hashlib.sha256(message)
    return str(uuid.UUID(bytes=mac.digest()[:16]))


class SecretStore:
    def __init__(self, aws: AwsSettings) -> None:
        self.aws = aws
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    # -- plumbing -----------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3
            from botocore.config import Config

            with self._guard("connecting to", "-", f"{service}:*"):
                if self._session is None:
                    self._session = boto3.session.Session(profile_name=self.aws.profile, region_name=self.aws.region)
                self._clients[service] = self._session.client(
                    service, endpoint_url=self.aws.endpoint_url,
                    config=Config(retries={"mode": "standard"}, connect_timeout=10, read_timeout=30),
                )
        return self._clients[service]

    @contextmanager
    def _guard(self, action: str, secret: str, permission: str, kms_key: str | None = None,
               not_found: str | None = None) -> Iterator[None]:
        import botocore.exceptions as bx

        where = f" at {self.aws.endpoint_url}" if self.aws.endpoint_url else ""
        subject = f"secret {secret!r}" if secret != "-" else "AWS"
        try:
            yield
        except bx.ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "Unknown"))
            if not_found and code in _NOT_FOUND:
                raise FatalError(f"{not_found} while {action} {subject} ({code})") from None
            raise FatalError(_client_error(code, action, subject, permission, kms_key)) from None
        except (bx.NoCredentialsError, bx.PartialCredentialsError):
            raise FatalError(f"no usable AWS credentials while {action} {subject}: configure a profile, "
                             "environment variables or SSO, then re-run") from None
        except bx.ProfileNotFound:
            raise FatalError(f"AWS profile {self.aws.profile!r} not found in the AWS config files") from None
        except bx.NoRegionError:
            raise FatalError("no AWS region: pass --region, set AWS_REGION, or set `region` in "
                             "[tool.secretshift.migrate]") from None
        except (bx.TokenRetrievalError, bx.CredentialRetrievalError, bx.SSOTokenLoadError) as exc:
            raise FatalError(f"AWS credentials expired or unavailable while {action} {subject} "
                             f"({type(exc).__name__}): refresh them (e.g. `aws sso login`) and re-run") from None
        except (bx.EndpointConnectionError, bx.ConnectionClosedError, bx.ReadTimeoutError,
                bx.ConnectTimeoutError, bx.HTTPClientError) as exc:
            raise FatalError(f"network failure: cannot reach AWS{where} while {action} {subject} "
                             f"({permission}; {type(exc).__name__}, after retries); check the network or "
                             "--endpoint-url and re-run") from None
        except bx.BotoCoreError as exc:
            # The class name only: some botocore messages echo request parameters.
            raise FatalError(f"AWS client error while {action} {subject} ({type(exc).__name__}); "
                             f"the step needs {permission}") from None

    # -- reads ----------------------------------------------------------------------------------
    def describe(self, name: str) -> dict[str, Any] | None:
        import botocore.exceptions as bx

        client = self.client("secretsmanager")
        with self._guard("describing", name, "secretsmanager:DescribeSecret"):
            try:
                return dict(client.describe_secret(SecretId=name))
            except bx.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
                    return None  # not an error: the secret is to be created
                raise

    def current_values(self, name: str, kms_key: str | None) -> dict[str, Any] | None:
        """The secret's JSON document, or None when it is not a JSON object."""
        client = self.client("secretsmanager")
        with self._guard("reading", name, "secretsmanager:GetSecretValue", kms_key):
            response = client.get_secret_value(SecretId=name)
        try:
            parsed = json.loads(response.get("SecretString") or "")
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def kms_key_arn(self, key_id: str) -> str:
        if key_id.startswith("arn:") and ":key/" in key_id:
            return key_id
        client = self.client("kms")
        with self._guard("resolving the KMS key for", key_id, "kms:DescribeKey"):
            return str(client.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])

    def current_version_date(self, name: str) -> Any:
        """When the current value was stored: a manual rotation (put-secret-value) moves it,
        while tagging or describing the secret does not."""
        client = self.client("secretsmanager")
        kwargs: dict[str, Any] = {"SecretId": name}
        with self._guard("listing the versions of", name, "secretsmanager:ListSecretVersionIds"):
            while True:
                page = client.list_secret_version_ids(**kwargs)
                for version in page.get("Versions", []):
                    if "AWSCURRENT" in version.get("VersionStages", []):
                        return version.get("CreatedDate")
                if not page.get("NextToken"):
                    return None
                kwargs["NextToken"] = page["NextToken"]

    def managed_secrets(self) -> list[dict[str, Any]]:
        client = self.client("secretsmanager")
        out: list[dict[str, Any]] = []
        with self._guard("listing", "-", "secretsmanager:ListSecrets"):
            paginator = client.get_paginator("list_secrets")
            filters = [{"Key": "tag-key", "Values": ["managed-by"]}, {"Key": "tag-value", "Values": ["secretshift"]}]
            for page in paginator.paginate(Filters=filters):
                for entry in page.get("SecretList", []):
                    tags = {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
                    if tags.get("managed-by") == "secretshift":
                        out.append(dict(entry))
        return out

    # -- writes ---------------------------------------------------------------------------------
    def ensure(self, secret: PlannedSecret, values: Mapping[str, str], complete: bool,
               update_existing: bool, dry_run: bool, salt: str = "", gone_from: tuple[str, ...] = ()) -> Ensured:
        """Create ``secret`` or confirm it holds ``values``. ``complete`` is False when some keys'
        values are no longer in the files (an earlier apply already rewrote them): then the
        secret must exist and hold the known ones."""
        name, kms = secret.name, secret.kms_key_id
        existing = self.describe(name)
        if existing is None:
            if not complete:
                files = ", ".join(gone_from) or "its files"
                raise FatalError(f"refusing to apply: changed since the plan was made: {files} (the planned values "
                                 f"are no longer there and secret {name!r} was never created); nothing was written; "
                                 "re-run `secretshift migrate plan`", EXIT_FINDINGS)
            if dry_run:
                return Ensured(name, None, "would create", kms)
            return Ensured(name, self._create(secret, document(values), salt), "created", kms)
        if existing.get("DeletedDate"):
            raise FatalError(f"secret {name!r} is scheduled for deletion in ASM: restore it "
                             "(aws secretsmanager restore-secret) or choose another name_template")
        foreign = self.foreign_reason(secret, existing)
        if foreign:
            raise FatalError(f"refusing secret {name!r}: it already exists in ASM and is not one secretshift made for "
                             f"this repository ({foreign}); secretshift never writes into it, even with "
                             "--update-existing: choose another name_template, or ask its owner")
        arn = str(existing["ARN"])
        kms = existing.get("KmsKeyId") or kms
        current = self.current_values(name, kms)
        same = current is not None and all(current.get(k) == v for k, v in values.items()) and (
            not complete or set(current) == set(values)
        ) and all(k.json_key in current for k in secret.keys)
        action = "reused"
        if not same:
            if not update_existing:
                raise FatalError(f"conflict: secret {name!r} (made by secretshift for this repository) holds a "
                                 "different value; if the value in the files is the current one, pass "
                                 "--update-existing to store it as a new version")
            if dry_run:
                return Ensured(name, arn, "would update", kms)
            merged = document({**{k: str(v) for k, v in (current or {}).items()}, **values})
            with self._guard("updating", name, "secretsmanager:PutSecretValue", kms):
                self.client("secretsmanager").put_secret_value(
                    SecretId=name, SecretString=merged, ClientRequestToken=request_token(name, merged, salt))
            action = "updated"
        if dry_run:
            return Ensured(name, arn, "exists", kms)
        self._converge_tags(secret, existing)
        self._rotation(secret, existing)
        return Ensured(name, arn, action, kms)

    def foreign_reason(self, secret: PlannedSecret, existing: Mapping[str, Any]) -> str | None:
        """Why an existing secret of the planned name is someone else's, or None when secretshift
        made it for this repository: the tags say so, it has no resource policy (another account
        may read it), and it uses the planned KMS key."""
        tags = {t["Key"]: t["Value"] for t in existing.get("Tags", [])}
        planned = dict(secret.tags)
        if tags.get("managed-by") != "secretshift":
            return f"managed-by={tags.get('managed-by', '(none)')}"
        if tags.get("source-repo") != planned.get("source-repo"):
            return f"source-repo={tags.get('source-repo', '(none)')}"
        kms = existing.get("KmsKeyId")
        default = (None, "", "alias/aws/secretsmanager")
        if not _same_key(kms if kms not in default else None, secret.kms_key_id):
            return f"encrypted with another KMS key ({kms or 'aws/secretsmanager'})"
        client = self.client("secretsmanager")
        with self._guard("reading the resource policy of", secret.name, "secretsmanager:GetResourcePolicy"):
            policy = client.get_resource_policy(SecretId=secret.name).get("ResourcePolicy")
        if policy:
            return "it has a resource policy"
        return None

    def _create(self, secret: PlannedSecret, secret_document: str, salt: str = "") -> str:
        kwargs: dict[str, Any] = {
            "Name": secret.name,
            "ClientRequestToken": request_token(secret.name, secret_document, salt),
            "Description": secret.description,
            "SecretString": secret_document,
            "Tags": [{"Key": k, "Value": v} for k, v in secret.tags],
        }
        if secret.kms_key_id:
            kwargs["KmsKeyId"] = secret.kms_key_id
        permission = "secretsmanager:CreateSecret and secretsmanager:TagResource"
        with self._guard("creating", secret.name, permission, secret.kms_key_id):
            response = self.client("secretsmanager").create_secret(**kwargs)
        arn = str(response["ARN"])
        self._rotation(secret, {})
        return arn

    def _converge_tags(self, secret: PlannedSecret, existing: Mapping[str, Any]) -> None:
        have = {t["Key"]: t["Value"] for t in existing.get("Tags", [])}
        missing = [{"Key": k, "Value": v} for k, v in secret.tags if have.get(k) != v]
        if missing:
            with self._guard("tagging", secret.name, "secretsmanager:TagResource"):
                self.client("secretsmanager").tag_resource(SecretId=secret.name, Tags=missing)

    def _rotation(self, secret: PlannedSecret, existing: Mapping[str, Any]) -> None:
        if secret.rotation_mode == "manual":
            return  # the `rotation-mode=manual` tag and the runbook carry it
        rules = existing.get("RotationRules", {})
        if (existing.get("RotationEnabled") and rules.get("AutomaticallyAfterDays") == secret.rotation_days
                and (existing.get("RotationLambdaARN") or None) == secret.rotation_lambda):
            return
        kwargs: dict[str, Any] = {
            "SecretId": secret.name,
            "RotationRules": {"AutomaticallyAfterDays": secret.rotation_days},
            "RotateImmediately": False,
        }
        if secret.rotation_lambda:
            kwargs["RotationLambdaARN"] = secret.rotation_lambda
        missing = (f"the rotation function {secret.rotation_lambda} does not exist or ASM cannot invoke it"
                   if secret.rotation_lambda else None)
        with self._guard("enabling rotation for", secret.name,
                         "secretsmanager:RotateSecret (and lambda:InvokeFunction)", not_found=missing):
            self.client("secretsmanager").rotate_secret(**kwargs)


def _same_key(existing: str | None, planned: str | None) -> bool:
    """ASM reports a key as an ARN while a plan may name it by id or alias ARN."""
    if existing is None or planned is None:
        return existing == planned or (existing is None and planned in ("alias/aws/secretsmanager",))
    return existing == planned or existing.rsplit("/", 1)[-1] == planned.rsplit("/", 1)[-1]


def _client_error(code: str, action: str, subject: str, permission: str, kms_key: str | None) -> str:
    if code in _DENIED:
        return f"access denied while {action} {subject} ({code}): the credentials need {permission}"
    if code in _THROTTLED:
        return (f"AWS throttled {permission} while {action} {subject} ({code}) and the retries "
                "(botocore standard mode) ran out: wait and re-run apply (it converges)")
    if code in _CREDENTIALS:
        return (f"AWS credentials expired or invalid while {action} {subject} ({code}): refresh them "
                f"(e.g. `aws sso login`) and re-run; the step needs {permission}")
    if code in _KMS:
        key = f"KMS key {kms_key!r}" if kms_key else "the AWS managed KMS key (aws/secretsmanager)"
        return (f"KMS refused {key} while {action} {subject} ({code}): the key must be enabled and the "
                "credentials need kms:GenerateDataKey and kms:Decrypt on it")
    if code == "ResourceExistsException":
        return (f"conflict while {action} {subject} ({code}): it was created by someone else meanwhile; "
                "re-run apply to compare it with the planned value")
    return f"AWS error while {action} {subject} ({code}); the step needs {permission}"
