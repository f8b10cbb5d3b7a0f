"""Delete conversations that ended more than N days ago from the SQL tracker store (SQLite or PostgreSQL).

    python scripts/retention.py --days 30 [--endpoints deploy/endpoints.env.yml] [--dry-run]

A conversation is a Rasa session (it starts with a `session_started` event). A sender whose last event is
older than the cutoff loses every event; a sender still talking loses only the sessions before the one that
was open at the cutoff. The current session is never touched: Rasa counts its events to decide what to save.
The database is the one deploy/endpoints.env.yml names (the environment variables `make run` and production set;
production may pass --endpoints deploy/endpoints.prod.yml).
"""
import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def engine_from_endpoints(path: Path) -> sa.engine.Engine:
    """The tracker store's database, read from endpoints.yml as Rasa reads it (${VARS} expanded)."""
    from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
    from rasa.core.utils import read_endpoints_from_path

    store = read_endpoints_from_path(str(path)).tracker_store
    if store is None or "sql" not in (store.type or "").lower():
        raise SystemExit(f"{path} has no SQL tracker store")
    kwargs = store.kwargs
    url = SQLTrackerStore.get_db_url(
        kwargs.get("dialect", "sqlite"), store.url, kwargs.get("port"), kwargs.get("db", "rasa.db"),
        kwargs.get("username"), kwargs.get("password"), query=kwargs.get("query"),
    )
    return sa.create_engine(url, hide_parameters=True, **create_engine_kwargs(url))


def purge(engine: sa.engine.Engine, days: float, dry_run: bool = False, now: Optional[float] = None) -> Dict[str, Any]:
    """Delete (or with dry_run count) the events of conversations older than `days`; returns the counts."""
    cutoff = (now or time.time()) - days * 86400
    events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    c = events.c
    deleted_events = senders_removed = senders_trimmed = 0
    with engine.begin() as conn:
        old_senders = [row[0] for row in conn.execute(
            sa.select(c.sender_id).where(c.timestamp < cutoff).group_by(c.sender_id)
        )]
        for sender in old_senders:
            mine = c.sender_id == sender
            # action_session_start is logged just before the session_started it opens: it belongs to the new one.
            opener = sa.and_(c.type_name == "action", c.action_name == "action_session_start")
            first_recent = conn.execute(
                sa.select(sa.func.min(c.timestamp)).where(mine, c.timestamp >= cutoff, sa.not_(opener))
            ).scalar()
            if first_recent is None:
                condition = mine
                senders_removed += 1
            else:
                # The session open at the cutoff began at the last session start up to the first recent event.
                keep_from = conn.execute(
                    sa.select(sa.func.max(c.timestamp)).where(
                        mine, c.type_name == "session_started", c.timestamp <= first_recent
                    )
                ).scalar()
                if keep_from is None:
                    continue
                condition = sa.and_(mine, c.timestamp < keep_from)
            count = conn.execute(sa.select(sa.func.count()).select_from(events).where(condition)).scalar()
            if count and not dry_run:
                conn.execute(events.delete().where(condition))
            if count and first_recent is not None:
                senders_trimmed += 1
            deleted_events += count
    return {
        "days": days, "dry_run": dry_run, "deleted_events": deleted_events,
        "conversations_removed": senders_removed, "conversations_trimmed": senders_trimmed,
    }


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, required=True, help="keep conversations of the last N days")
    parser.add_argument("--endpoints", type=Path, default=ROOT / "deploy" / "endpoints.env.yml")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must be 0 or more")
    report = purge(engine_from_endpoints(args.endpoints), args.days, args.dry_run)
    print(json.dumps(report))  # counts only: sender ids are pseudonyms, but they stay out of logs too
    return 0


if __name__ == "__main__":
    sys.exit(main())
