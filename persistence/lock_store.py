"""Rasa's RedisLockStore with its read-modify-write steps made atomic per conversation.

Rasa 3.6's lock store keeps a conversation's ticket queue in one Redis key and updates it by reading it,
changing it in Python and writing it back. Two Rasa processes that receive messages of one conversation at
the same moment both read the empty queue, both take ticket 0 and both run their turn at once: the same
question asked twice, one answer lost (tests/test_scaleout.py caught it). Each compound step here runs under
a short Redis mutex (redis-py's SET NX lock), so tickets are issued and returned one at a time.
"""
import logging
from typing import Any, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The mutex guards a few Redis round trips; these bounds only matter if a process dies holding it.
MUTEX_TIMEOUT_S = 5
MUTEX_WAIT_S = 5


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: Text) -> Any:
        return self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}", timeout=MUTEX_TIMEOUT_S, blocking_timeout=MUTEX_WAIT_S
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._mutex(conversation_id):
                return super().issue_ticket(conversation_id, lock_lifetime)
        except (RedisError, LockError) as error:
            # Before the turn: nothing has run, the channel answers with its apology; Redis back = locks back.
            logger.error("lock store unavailable (%s); the turn is answered with an apology", _reason(error))
            raise LockStoreUnavailable("lock store unavailable") from None

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving, is_someone_waiting and delete_lock together: else a ticket issued in between is deleted.
        try:
            with self._mutex(conversation_id):
                super().cleanup(conversation_id, ticket_number)
        except RedisError as error:
            # After the turn: its reply still goes out. The ticket left behind expires after the lock lifetime.
            logger.error("lock store unavailable (%s); the conversation's lock expires by itself", _reason(error))


class LockStoreUnavailable(LockError):
    """Redis could not be reached to take a conversation's lock."""


def _reason(error: Exception) -> Text:
    """The error's type and first line, for the log (no conversation content is in it)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0][:200] if text else ''}"
