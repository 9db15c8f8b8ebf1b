"""Validate the findings of a scan: pair the parts of two-part credentials, ask each distinct
credential's provider once (cached, bounded concurrency, per-provider rate limits), and attach
a :class:`~secretshift.models.Validation` to every finding."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from secretshift.models import Finding, Validation
from secretshift.validate import aws
from secretshift.validate.cache import ResultCache
from secretshift.validate.flags import DEFAULT_TTL
from secretshift.validate.http import Credential, HttpChecker, Outcome, fill_url
from secretshift.validate.registry import code_check, load_validators
from secretshift.validate.safety import contact_notice, test_base_url
from secretshift.validate.spec import ValidatorSpec

TextOf = Callable[[Finding], "str | None"]  # the text of the file a finding is in, when known
_MAX_TEXT = 4 << 20
_URL = r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"`<>]+"  # RE2: a line of an untrusted file


@dataclass(frozen=True)
class ValidateOptions:
    network_services: bool = False  # database URLs: their own hosts, so opt-in twice
    timeout: float = 5.0
    concurrency: int = 8
    cache_ttl: float = DEFAULT_TTL
    cache_dir: Path | None = None  # default: secretshift's cache folder


@dataclass(frozen=True)
class _Job:
    spec: ValidatorSpec
    credential: Credential
    host: str


class RateLimiter:
    """At most ``rate`` requests per second to each provider, across all worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, provider: str, rate: float) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(provider, now))
            self._next[provider] = start + 1.0 / rate
        if start > now:
            time.sleep(start - now)


def validate_findings(
    findings: Sequence[Finding], options: ValidateOptions, text_of: TextOf | None = None,
    notice: Callable[[str], None] | None = None, validators: Mapping[str, ValidatorSpec] | None = None,
) -> list[Finding]:
    """The findings, in order, each with its ``validation`` set."""
    base = test_base_url()  # a misused test hook is an error before anything is sent
    specs = load_validators() if validators is None else validators
    cache = ResultCache(_cache_folder(options), options.cache_ttl)
    verdicts: list[Outcome | str] = []  # an Outcome now, or the cache key of a job to run
    jobs: dict[str, _Job] = {}
    places = _by_place(findings)
    for finding in findings:
        spec = specs.get(finding.rule)
        job_or_outcome = _plan(finding, spec, places, options, text_of)
        if isinstance(job_or_outcome, Outcome):
            verdicts.append(job_or_outcome)
            continue
        key = cache.key(job_or_outcome.spec.name, job_or_outcome.credential)
        cached = cache.get(key)
        if cached is not None:
            verdicts.append(cached)
        else:
            jobs.setdefault(key, job_or_outcome)
            verdicts.append(key)
    outcomes = _run(jobs, options, base, notice or _stderr)
    for key, outcome in outcomes.items():
        cache.put(key, outcome)
    cache.save()
    return [
        f._replace(validation=_validation(f, specs.get(f.rule), outcomes[v] if isinstance(v, str) else v))
        for f, v in zip(findings, verdicts)
    ]


def _plan(finding: Finding, spec: ValidatorSpec | None, places: _Places, options: ValidateOptions,
          text_of: TextOf | None) -> _Job | Outcome:
    if spec is None:
        return Outcome("unknown", f"no validator for {finding.rule}")
    secret = finding.secret.reveal()
    if spec.not_for and secret.startswith(spec.not_for):
        return Outcome("unknown", spec.not_for_reason)
    if spec.network and not options.network_services:
        return Outcome("unknown", "connecting to the service named in the finding needs --validate-network-services")
    text = _text(finding, text_of) if spec.near or spec.code == "database" else None
    if spec.code == "database":
        url = url_around(_line(text or "", finding.line), secret)
        if url is None:
            return Outcome("unknown", "the whole connection URL is not available (only its password was found)")
        return _Job(spec, Credential(secret, url), urlsplit(url).hostname or "")
    pair: str | None = None
    if spec.pair is not None:
        companion = companion_of(finding, spec.pair, places)
        if companion is None:
            if spec.code == "aws_sts" and aws.KEY_ID.match(secret):
                return aws.offline_outcome(secret)
            return Outcome("unknown", f"needs its {spec.pair} too, and none was found in the same file")
        pair = companion.secret.reveal()
    near = near_values(spec, text or "", finding.line)
    missing = [name for name, _ in spec.near if name not in dict(near)]
    if missing:
        return Outcome("unknown", f"needs the {', '.join(missing)} too, and it was not found in the same file")
    credential = Credential(secret, pair, near)
    return _Job(spec, credential, _host_of(spec, credential))


def near_values(spec: ValidatorSpec, text: str, line: int) -> tuple[tuple[str, str], ...]:
    """Each `near` value: the match closest to the finding's line (RE2: the file is untrusted)."""
    from secretshift.scanner.regex import compile_text

    if not text:
        return ()
    here = _line_start(text, line)
    found = []
    for name, pattern in spec.near:
        best: tuple[int, str] | None = None
        for match in compile_text(pattern).finditer(text):
            distance = abs(match.start() - here)
            if best is None or distance < best[0]:
                best = (distance, match.group("value"))
        if best is not None and best[1]:
            found.append((name, best[1]))
    return tuple(found)


def _text(finding: Finding, text_of: TextOf | None) -> str | None:
    text = text_of(finding) if text_of is not None else None
    return text[:_MAX_TEXT] if text is not None else None


def _line_start(text: str, line: int) -> int:
    position = 0
    for _ in range(max(0, line - 1)):
        newline = text.find("\n", position)
        if newline < 0:
            break
        position = newline + 1
    return position


def _line(text: str, line: int) -> str:
    start = _line_start(text, line)
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


_Places = dict[tuple[str, str, "str | None"], list[Finding]]  # (rule, path, commit) -> findings


def _by_place(findings: Sequence[Finding]) -> _Places:
    places: _Places = {}
    for finding in findings:
        places.setdefault((finding.rule, finding.path, finding.commit), []).append(finding)
    return places


def companion_of(finding: Finding, rule: str, places: _Places) -> Finding | None:
    """The other half of a two-part credential: same file (and commit), nearest line."""
    candidates = places.get((rule, finding.path, finding.commit), [])
    return min(candidates, key=lambda f: (abs(f.line - finding.line), f.line), default=None)


def url_around(line: str, secret: str) -> str | None:
    """The `scheme://user:password@host...` URL on the line whose password is ``secret``."""
    from secretshift.scanner.regex import compile_text

    for match in compile_text(_URL).finditer(line):
        url = str(match.group(0))
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        if password is not None and unquote(password) in (secret, unquote(secret)):
            return url
    return None


def _host_of(spec: ValidatorSpec, credential: Credential) -> str:
    if spec.code == "aws_sts":
        endpoint, _ = aws.sts_endpoint(spec, os.environ)
        return urlsplit(endpoint or aws.DEFAULT_ENDPOINT).hostname or ""
    return urlsplit(fill_url(spec.url, credential)).hostname or spec.hosts[0]


def _run(jobs: Mapping[str, _Job], options: ValidateOptions, base: str | None,
         notice: Callable[[str], None]) -> dict[str, Outcome]:
    if not jobs:
        return {}
    notice(contact_notice({job.host: job.spec.provider for job in jobs.values()}, base))
    checker = HttpChecker(options.timeout, base, pool_size=options.concurrency)
    limiter = RateLimiter()

    def one(job: _Job) -> Outcome:
        limiter.wait(job.host, job.spec.rate)
        try:
            if job.spec.code is None:
                return checker.check(job.spec, job.credential)
            outcome: Outcome = code_check(job.spec.code)(job.spec, job.credential, options.timeout, checker)
            return outcome
        except Exception as exc:  # noqa: BLE001 - a validator's bug must not lose the scan's report
            return Outcome("error", f"validator failed ({type(exc).__name__})")

    order = interleaved(jobs)
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        results = list(pool.map(one, (jobs[key] for key in order)))
    return dict(zip(order, results))


def interleaved(jobs: Mapping[str, _Job]) -> list[str]:
    """Job keys round-robin over hosts: a worker waiting out one provider's rate limit should
    not leave the other providers' requests queued behind it."""
    rank: dict[str, int] = {}
    keyed = []
    for position, (key, job) in enumerate(jobs.items()):
        rank[job.host] = rank.get(job.host, -1) + 1
        keyed.append((rank[job.host], position, key))
    return [key for _, _, key in sorted(keyed)]


def _validation(finding: Finding, spec: ValidatorSpec | None, outcome: Outcome) -> Validation:
    return Validation(
        status=outcome.status, reason=outcome.reason, provider=spec.provider if spec else "",
        identity=outcome.identity, revoke=spec.revoke if spec else "",
    )


def _cache_folder(options: ValidateOptions) -> Path | None:
    if options.cache_dir is not None:
        return options.cache_dir
    from secretshift.scanner.cache import cache_dir

    return cache_dir()


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)
