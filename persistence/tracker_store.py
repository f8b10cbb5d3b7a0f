"""The SQL tracker store, made honest about database outages.

Rasa wraps every tracker store in FailSafeTrackerStore: when the database cannot be read it returns no
tracker, so the patient's interview silently starts again from the beginning, and when it cannot be written
the turn goes to an in-memory store that nothing ever reads back. This store instead answers a turn it
cannot read with a paused conversation: Rasa runs no action, the channel turns the empty turn into its
apology with the disclaimer, and nothing is written anywhere. When the database is back, the conversation
continues where it was.
"""
import logging
import time
from pathlib import Path
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, ConversationPaused, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

# Marks the stand-in tracker of a turn whose conversation could not be read, so it is never saved.
_UNAVAILABLE = "_triage_store_unavailable"


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
        self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve(sender_id)
        except SQLAlchemyError as error:
            logger.error("tracker store unavailable (%s); the turn is answered with an apology", _reason(error))
            return self._unavailable_tracker(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if getattr(tracker, _UNAVAILABLE, False):
            return
        try:
            await super().save(tracker)
        except SQLAlchemyError as error:
            # The reply has been produced already; the next turn repeats this question rather than losing
            # the conversation. Not handing the tracker to Rasa's in-memory fallback keeps patient text out
            # of a store nobody reads.
            logger.error("tracker store unavailable (%s); this turn was not stored", _reason(error))

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


def _reason(error: SQLAlchemyError) -> Text:
    """The driver's first line of the error, without SQL or parameters."""
    original = getattr(error, "orig", None) or error
    return f"{type(original).__name__}: {str(original).strip().splitlines()[0][:200] if str(original).strip() else ''}"
