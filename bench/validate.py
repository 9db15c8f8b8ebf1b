"""`--validate` wall time: distinct credentials of many providers against the providers mocked on
127.0.0.1 (each answer delayed like a real round trip), one worker vs the default pool, and a
re-run answered from the cache. Medians of interleaved runs.

    python bench/validate.py [--per-provider 5] [--latency 0.05] [--runs 3]

Peers cannot be compared here: their validators call the real providers, which this machine
cannot reach.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from secretshift.models import Finding, SecretValue  # noqa: E402
from secretshift.validate.registry import load_validators  # noqa: E402
from secretshift.validate.runner import ValidateOptions, validate_findings  # noqa: E402
from secretshift.validate.safety import TEST_URL_ENV  # noqa: E402
from tests.validate.providers import MockProviders, running  # noqa: E402

# Single-secret validators (no pair, no value from the file), one per provider.
RULES = ["github-token", "gitlab-pat", "slack-bot-token", "stripe-secret-key", "openai-api-key", "anthropic-api-key",
         "sendgrid-api-key", "npm-access-token", "huggingface-token", "digitalocean-pat", "heroku-api-key",
         "cloudflare-api-token", "mailgun-api-key", "postmark-server-token", "telegram-bot-token",
         "discord-bot-token", "notion-integration-token", "linear-api-key", "groq-api-key", "supabase-access-token"]


def findings(per_provider: int) -> list[Finding]:
    out = []
    for rule in RULES:
        for i in range(per_provider):
            secret = f"bench-{rule}-{i}-{os.urandom(6).hex()}"
            out.append(Finding(rule=rule, description="", path=f"{rule}.env", line=i + 1, column=1, end_line=i + 1,
                               end_column=2, secret=SecretValue(secret), secret_hash=f"{rule}-{i}"))
    return out


def timed(batch: list[Finding], options: ValidateOptions) -> float:
    start = time.perf_counter()
    validate_findings(batch, options, notice=lambda _: None, validators=VALIDATORS)
    return time.perf_counter() - start


VALIDATORS = load_validators()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-provider", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    state = MockProviders()
    for url in running(state):
        os.environ.pop("CI", None)
        os.environ[TEST_URL_ENV] = url
        state.mode, state.delay = "slow", args.latency
        times: dict[str, list[float]] = {"1 worker": [], "8 workers (default)": [], "re-run (cache)": []}
        for _ in range(args.runs):  # interleaved: the machine's noise hits every variant alike
            batch = findings(args.per_provider)
            times["1 worker"].append(timed(batch, ValidateOptions(concurrency=1, cache_ttl=0)))
            with tempfile.TemporaryDirectory() as cache:
                options = ValidateOptions(cache_dir=Path(cache))
                times["8 workers (default)"].append(timed(batch, options))
                times["re-run (cache)"].append(timed(batch, options))
        count = len(RULES) * args.per_provider
        print(f"{count} credentials, {len(RULES)} providers, {args.latency * 1000:.0f} ms per answer, "
              f"rate limit 2/s per provider, medians of {args.runs} interleaved runs")
        print("| variant | seconds | credentials/s |")
        print("| --- | ---: | ---: |")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"| {name} | {median:.2f} | {count / median:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
