"""The tracker store's in-memory copy of recent conversations gives what Rasa's SQLTrackerStore reads from the
database, sees writes by other processes and retention, and saves the SQL it was there to save."""
import asyncio
import time

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from persistence.tracker_store import StrictSQLTrackerStore

DOMAIN = Domain.from_dict({"slots": {"onset_age": {"type": "any", "mappings": [{"type": "custom"}]}}})


def run(coroutine):
    return asyncio.run(coroutine)


def store(db) -> StrictSQLTrackerStore:
    return StrictSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))


def rasa_store(db) -> SQLTrackerStore:
    return SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))


def turn(tracker: DialogueStateTracker, text: str, value: str) -> None:
    tracker.update(UserUttered(text, {"name": "inform", "confidence": 0.9}))
    tracker.update(SlotSet("onset_age", value))
    tracker.update(ActionExecuted("action_listen"))


def events(tracker):
    return [e.as_dict() for e in tracker.events] if tracker else None


def new_conversation(s, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    turn(tracker, "我两条腿没劲", "adult")
    run(s.save(tracker))
    return tracker


def test_turns_read_back_as_rasa_reads_them(tmp_path):
    db = tmp_path / "t.db"
    s = store(db)
    new_conversation(s, "a")
    for i in range(5):
        tracker = run(s.retrieve("a"))
        turn(tracker, f"第{i}句", f"v{i}")
        run(s.save(tracker))
        assert events(run(s.retrieve("a"))) == events(run(rasa_store(db).retrieve("a"))) == events(tracker)
    assert run(s.retrieve("a")).get_slot("onset_age") == "v4"
    assert run(s.retrieve("nobody")) is None


def test_a_write_by_another_process_is_seen(tmp_path):
    db = tmp_path / "t.db"
    a, b = store(db), store(db)
    new_conversation(a, "a")
    run(a.save(run(a.retrieve("a"))))  # cached in a
    tracker = run(b.retrieve("a"))
    turn(tracker, "另一个进程", "elsewhere")
    run(b.save(tracker))
    seen = run(a.retrieve("a"))
    assert seen.get_slot("onset_age") == "elsewhere"
    assert events(seen) == events(run(rasa_store(db).retrieve("a")))
    # a goes on from what it read: no event lost or stored twice.
    turn(seen, "回到第一个", "back")
    run(a.save(seen))
    assert events(run(rasa_store(db).retrieve("a"))) == events(seen)


def test_rows_deleted_elsewhere_are_not_served_from_memory(tmp_path):
    db = tmp_path / "t.db"
    s = store(db)
    new_conversation(s, "a")
    assert run(s.retrieve("a")) is not None
    with sa.create_engine(f"sqlite:///{db}").begin() as connection:  # what scripts/retention.py does
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'a'"))
    assert run(s.retrieve("a")) is None


def test_a_new_session_returns_only_its_events(tmp_path):
    db = tmp_path / "t.db"
    s = store(db)
    new_conversation(s, "a")
    tracker = run(s.retrieve("a"))
    time.sleep(0.01)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    turn(tracker, "新的一次", "later")
    run(s.save(tracker))
    again = run(s.retrieve("a"))
    assert events(again) == events(run(rasa_store(db).retrieve("a")))
    assert [e.get("text") for e in events(again) if e["event"] == "user"] == ["新的一次"]


def test_a_cached_turn_reads_no_events_from_the_database(tmp_path):
    s = store(tmp_path / "t.db")
    new_conversation(s, "a")
    run(s.save(run(s.retrieve("a"))))  # read once from the database
    statements = []
    sa.event.listen(s.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    tracker = run(s.retrieve("a"))
    turn(tracker, "再说一句", "again")
    run(s.save(tracker))
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, statements  # the count/highest-id check, once to read and once to write
    assert all("count(events.id)" in q and "max(events.id)" in q for q in selects)
    assert any(q.lstrip().upper().startswith("INSERT") for q in statements)


def test_sqlite_runs_in_wal_mode(tmp_path):
    s = store(tmp_path / "t.db")
    with s.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_a_tracker_the_store_did_not_hand_out_is_saved_whole(tmp_path):
    db = tmp_path / "t.db"
    tracker = new_conversation(store(db), "fresh")
    assert events(run(rasa_store(db).retrieve_full_tracker("fresh"))) == events(tracker)
