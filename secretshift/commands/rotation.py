"""`secretshift rotation check`: which secrets secretshift migrated are past their lifetime."""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from secretshift.commands.migrate import add_aws_arguments

    sub = parser.add_subparsers(dest="rotation_command", metavar="STEP", parser_class=type(parser))
    sub.required = True
    check = sub.add_parser("check", help="report secrets past their declared lifetime (exit 1 if any)")
    add_aws_arguments(check)
    check.add_argument("--as-of", metavar="DATE", help="judge as of this ISO date (default: now)")


def _as_of(raw: str | None) -> datetime:
    if raw is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise FatalError(f"--as-of must be an ISO date such as 2026-01-31, got {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run(args: argparse.Namespace) -> int:
    from secretshift.commands.migrate import aws_settings
    from secretshift.migrate.store import SecretStore

    now = _as_of(args.as_of)
    store = SecretStore(aws_settings(args, {}))
    overdue = 0
    secrets = store.managed_secrets()
    for entry in sorted(secrets, key=lambda e: str(e["Name"])):
        tags = {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
        name = entry["Name"]
        try:
            days = int(tags.get("rotation-period-days", ""))
        except ValueError:
            print(f"unknown lifetime: {name} has no valid rotation-period-days tag")
            overdue += 1
            continue
        dates = [d for d in (entry.get("LastRotatedDate"), store.current_version_date(name))
                 if isinstance(d, datetime)]
        last = max(dates) if dates else entry.get("CreatedDate")
        if not isinstance(last, datetime):
            print(f"unknown age: {name} reports no creation or rotation date")
            continue
        due = last + timedelta(days=days)
        label = "value last changed" if dates else "created"
        if due < now:
            overdue += 1
            print(f"overdue: {name} ({label} {last.date()}, lifetime {days} days, "
                  f"{(now - due).days} day(s) past due; mode {tags.get('rotation-mode', '?')})")
        else:
            print(f"ok: {name} (due {due.date()})")
    print(f"rotation check: {len(secrets)} secret(s), {overdue} overdue")
    return EXIT_FINDINGS if overdue else EXIT_CLEAN
