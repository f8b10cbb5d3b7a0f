"""Rasa's RedisLockStore with its read-modify-write steps made atomic per conversation.

Rasa 3.6's lock store keeps a conversation's ticket queue in one Redis key and updates it by reading it,
changing it in Python and writing it back. Two Rasa processes that receive messages of one conversation at
the same moment both read the empty queue, both take ticket 0 and both run their turn at once: the same
question asked twice, one answer lost (tests/test_scaleout.py caught it). Each compound step here runs under
a short Redis mutex (redis-py's SET NX lock), so tickets are issued and returned one at a time.
"""
from typing import Any, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

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
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving, is_someone_waiting and delete_lock together: else a ticket issued in between is deleted.
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
