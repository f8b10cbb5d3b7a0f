"""scripts/retention.py: conversations older than N days leave the tracker store; newer ones stay whole."""
import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from tests import infra, servers

DAY = 86400.0


def _retention():
    spec = importlib.util.spec_from_file_location("retention", servers.ROOT / "scripts" / "retention.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _session(sender: str, start: float, answers: int):
    """A stored session as Rasa writes it: session start, then user/bot turns a minute apart."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

    events = [ActionExecuted("action_session_start", timestamp=start - 0.001), SessionStarted(timestamp=start),
              ActionExecuted("action_listen", timestamp=start + 0.001)]
    for i in range(answers):
        t = start + 60 * (i + 1)
        events += [UserUttered(f"回答{i}", timestamp=t), BotUttered("问题", timestamp=t + 1),
                   ActionExecuted("action_listen", timestamp=t + 2)]
    return events


def _fill(store, now: float) -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    conversations = {
        "old": _session("old", now - 40 * DAY, 3),                                # ended 40 days ago
        "recent": _session("recent", now - 2 * DAY, 3),                           # 2 days ago
        "returning": _session("returning", now - 60 * DAY, 2) + _session("returning", now - 5 * DAY, 2),
    }
    for sender, events in conversations.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def _check(store, engine, retention, now: float) -> None:
    before = asyncio.run(store.retrieve("returning")).events
    dry = retention.purge(engine, 30, dry_run=True, now=now)
    assert dry["deleted_events"] > 0 and asyncio.run(store.retrieve("old")) is not None
    report = retention.purge(engine, 30, now=now)
    assert report["deleted_events"] == dry["deleted_events"]
    assert report["conversations_removed"] == 1 and report["conversations_trimmed"] == 1
    assert asyncio.run(store.retrieve("old")) is None
    assert len(asyncio.run(store.retrieve_full_tracker("recent")).events) == 3 + 3 * 3
    # The returning patient keeps the current session exactly as before, and nothing older than it.
    assert list(asyncio.run(store.retrieve("returning")).events) == list(before)
    full = asyncio.run(store.retrieve_full_tracker("returning")).events
    assert min(e.timestamp for e in full) >= now - 5 * DAY - 1
    assert retention.purge(engine, 30, now=now)["deleted_events"] == 0


def test_retention_on_sqlite(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    retention = _retention()
    now = time.time()
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(db))
    _fill(store, now)
    _check(store, sa.create_engine(f"sqlite:///{db}"), retention, now)


def test_retention_command_reads_endpoints(tmp_path):
    """`scripts/retention.py --days N` (what `make retention DAYS=N` runs) finds the store from the environment (deploy/endpoints.env.yml)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(db))
    _fill(store, time.time())
    env = servers.base_env(tmp_path, {"ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook",
                                      "TRACKER_DIALECT": "sqlite", "TRACKER_HOST": "", "TRACKER_DB": str(db)})
    done = subprocess.run([sys.executable, "scripts/retention.py", "--days", "30"], cwd=servers.ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["conversations_removed"] == 1
    assert asyncio.run(store.retrieve("old")) is None and asyncio.run(store.retrieve("recent")) is not None


@pytest.mark.e2e
def test_retention_on_postgresql():
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    server = infra.postgres()
    try:
        pg = server.create_database(f"triage_retention_{uuid.uuid4().hex[:8]}")
        store = SQLTrackerStore(domain=Domain.empty(), dialect="postgresql", host=f"{pg.host}:{pg.port}",
                                db=pg.db, username=pg.user, password=pg.password)
        now = time.time()
        _fill(store, now)
        _check(store, sa.create_engine(pg.url()), _retention(), now)
        store.engine.dispose()
        server.drop_database(pg.db)
    finally:
        server.stop()  # stops only a server this test started; CI's shared one is left running
