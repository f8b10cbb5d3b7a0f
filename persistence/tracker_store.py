"""The SQL tracker store, made honest about database outages, and cheaper per turn.

Rasa wraps every tracker store in FailSafeTrackerStore: when the database cannot be read it returns no
tracker, so the patient's interview silently starts again from the beginning, and when it cannot be written
the turn goes to an in-memory store that nothing ever reads back. This store instead answers a turn it
cannot read with a paused conversation: Rasa runs no action, the channel turns the empty turn into its
apology with the disclaimer, and nothing is written anywhere. When the database is back, the conversation
continues where it was.

Per turn, Rasa's SQLTrackerStore reads every event of the conversation's session back from the database and
counts them again before writing (45% of the Rasa process's time in a profile at 8 conversations, with
SQLite). This store keeps each recent conversation's stored events (their JSON text, exactly as written) in
memory and reads the database only when a cheap check, the number and the highest id of the conversation's
rows, shows that someone else wrote or deleted some: another Rasa process (scale-out), retention, the API.
The events Rasa rebuilds its tracker from are the same ones, so the cache changes no answer.
"""
import json
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, ConversationPaused, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

# Marks the stand-in tracker of a turn whose conversation could not be read, so it is never saved.
_UNAVAILABLE = "_triage_store_unavailable"
# On a tracker this store returned or saved: how many of its events are in the database already.
_STORED = "_triage_stored_events"
# Conversations whose events are kept in memory (the least recently used are dropped first); a few MB.
CACHED_CONVERSATIONS = 500

Marker = Tuple[int, Optional[int]]  # (rows of the conversation, highest row id)


class _SessionCache:
    """Per conversation: the database marker when last read or written, and the JSON of the session's events."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: "OrderedDict[Text, Tuple[Marker, List[Text]]]" = OrderedDict()

    def get(self, sender_id: Text, marker: Marker) -> Optional[List[Text]]:
        entry = self._entries.get(sender_id)
        if entry is None or entry[0] != marker:
            return None
        self._entries.move_to_end(sender_id)
        return entry[1]

    def put(self, sender_id: Text, marker: Marker, events: List[Text]) -> None:
        self._entries[sender_id] = (marker, events)
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, sender_id: Text) -> None:
        self._entries.pop(sender_id, None)


class StrictSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (same tables, same settings) that never swaps a conversation for a new one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("dialect", "sqlite") == "sqlite" and kwargs.get("db"):
            # endpoints.yml names .rasa/tracker.db: a fresh checkout has no .rasa/ yet, and SQLite will not make it.
            Path(kwargs["db"]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)
        # Rebuild the engine: pre-ping drops connections the database closed while it was away, and hidden
        # parameters keep message text (inside the events' JSON) out of error messages and logs.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, hide_parameters=True, **_engine_kwargs(url))
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._cache = _SessionCache(CACHED_CONVERSATIONS)
        # Built once: SQLAlchemy rebuilds an ORM statement and its cache key on every call.
        table = self.SQLEvent.__table__
        self._marker_query = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
            table.c.sender_id == sa.bindparam("sender_id")
        )
        self._insert = table.insert()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return self._retrieve_session(sender_id)
        except SQLAlchemyError as error:
            logger.error("tracker store unavailable (%s); the turn is answered with an apology", _reason(error))
            return self._unavailable_tracker(sender_id)

    def _retrieve_session(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Rasa's `retrieve` (the latest session's events, in id order), from memory when nothing changed."""
        with self.session_scope() as session:
            marker = self._marker(session, sender_id)
            serialised = self._cache.get(sender_id, marker)
            if serialised is None:
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
                serialised = [row.data for row in rows]
                self._cache.put(sender_id, marker, serialised)
        if not (self.domain and serialised):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(s) for s in serialised], self.domain.slots)
        setattr(tracker, _STORED, len(serialised))
        return tracker

    def _marker(self, session: Any, sender_id: Text) -> Marker:
        count, highest = session.execute(self._marker_query, {"sender_id": sender_id}).one()
        return int(count), highest

    async def save(self, tracker: DialogueStateTracker) -> None:
        if getattr(tracker, _UNAVAILABLE, False):
            return
        try:
            await self.stream_events(tracker)  # a no-op unless an event broker is configured, as in Rasa
            self._save(tracker)
        except SQLAlchemyError as error:
            self._cache.drop(tracker.sender_id)
            # The reply has been produced already; the next turn repeats this question rather than losing
            # the conversation. Not handing the tracker to Rasa's in-memory fallback keeps patient text out
            # of a store nobody reads.
            logger.error("tracker store unavailable (%s); this turn was not stored", _reason(error))

    def _save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save`: the events not stored yet, one row each with the same columns and JSON."""
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            before = self._marker(session, sender_id)
            stored = getattr(tracker, _STORED, None)
            cached = self._cache.get(sender_id, before)
            if stored is None or cached is None or stored != len(cached):
                # A tracker this store did not hand out, or the database moved on: count as Rasa does.
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
                cached = None
            new_events = list(tracker.events)[stored:]
            ids, texts = [], []
            for event in new_events:
                data = event.as_dict()
                texts.append(json.dumps(data))
                # One row at a time (as the ORM does) to learn each id; without the ORM's bookkeeping.
                result = session.execute(self._insert, {
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": texts[-1],
                })
                ids.append(result.inserted_primary_key[0])
            session.commit()
            if cached is not None and not any(isinstance(e, SessionStarted) for e in new_events):
                highest = max([*ids, *([before[1]] if before[1] is not None else [])], default=None)
                self._cache.put(sender_id, (before[0] + len(ids), highest), cached + texts)
            else:
                # A new session changes which events `retrieve` returns: read them from the database next time.
                self._cache.drop(sender_id)
        setattr(tracker, _STORED, stored + len(new_events))
        logger.debug("tracker stored (%d new events)", len(new_events))

    def _unavailable_tracker(self, sender_id: Text) -> DialogueStateTracker:
        now = time.time()
        tracker = DialogueStateTracker.from_events(
            sender_id,
            [
                ActionExecuted("action_session_start", timestamp=now),
                SessionStarted(timestamp=now),
                ActionExecuted("action_listen", timestamp=now),
                ConversationPaused(timestamp=now),
            ],
            self.domain.slots if self.domain else None,
        )
        setattr(tracker, _UNAVAILABLE, True)
        return tracker


def _engine_kwargs(url: Any) -> Dict[Text, Any]:
    kwargs = create_engine_kwargs(url)
    if url.get_backend_name() != "sqlite":
        # Drops connections the database closed while it was away (one round trip per checkout).
        return {**kwargs, "pool_pre_ping": True}
    if url.database in (None, "", ":memory:"):
        return kwargs
    # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool); keep them instead, as 2.0 does.
    return {**kwargs, "poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL: readers do not block the writer, and a commit appends to the log instead of rewriting pages;
    synchronous=NORMAL syncs at checkpoints, not at every commit (a power cut may lose the last turns,
    never corrupts the file). SQLite serves `make run` and the tests; production uses PostgreSQL."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _reason(error: SQLAlchemyError) -> Text:
    """The driver's first line of the error, without SQL or parameters."""
    original = getattr(error, "orig", None) or error
    return f"{type(original).__name__}: {str(original).strip().splitlines()[0][:200] if str(original).strip() else ''}"
