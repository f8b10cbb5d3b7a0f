"""What the WeChat channel remembers between callbacks: which message is in hand (retry deduplication) and its
reply, each user's last numbered buttons, and the nonces of accepted callbacks (replay protection).

MemoryState serves one process. RedisState (the lock store's Redis, persistence/shared_state.py) lets several
processes behind a load balancer act as one: a retry that lands on another process waits for the first one's
reply instead of starting a second turn.
"""
import asyncio
import json
import logging
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from persistence import shared_state

logger = logging.getLogger(__name__)

_PENDING = "pending"
_POLL_SECONDS = 0.05


class TtlCache:
    """A small bounded mapping whose entries expire `ttl` seconds after they were set (oldest evicted first)."""

    def __init__(self, max_items: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items, self.ttl, self._clock = max_items, ttl, clock
        self._items: "OrderedDict[Text, Tuple[float, Any]]" = OrderedDict()

    def get(self, key: Text, default: Any = None) -> Any:
        item = self._items.get(key)
        if item is None or item[0] <= self._clock():
            return default
        return item[1]

    def set(self, key: Text, value: Any, ttl: Optional[float] = None) -> None:
        self._items.pop(key, None)
        self._items[key] = (self._clock() + (self.ttl if ttl is None else ttl), value)
        self._evict()

    def pop(self, key: Text) -> Any:
        item = self._items.pop(key, None)
        return None if item is None else item[1]

    def __len__(self) -> int:
        self._evict()
        return len(self._items)

    def _evict(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if len(self._items) <= self.max_items and expires > now:
                break
            del self._items[key]


class MemoryState:
    """One process's state. An exchange is a future that the callback's retries await."""

    def __init__(self, channel: Text, dedupe_ttl: float, max_items: int = 10_000) -> None:
        self.channel = channel
        self._exchanges = TtlCache(max_items, dedupe_ttl)
        self._buttons = TtlCache(max_items, 24 * 3600)
        self._nonces = TtlCache(max_items * 10, 600)

    async def claim(self, key: Text) -> bool:
        """True if this callback is the first of its message: the caller runs the turn and publishes the reply."""
        if self._exchanges.get(key) is not None:
            return False
        self._exchanges.set(key, asyncio.get_running_loop().create_future())
        return True

    async def publish(self, key: Text, reply: Optional[Text]) -> None:
        exchange = self._exchanges.get(key)
        if exchange is not None and not exchange.done():
            exchange.set_result(reply)

    async def wait(self, key: Text, timeout: float) -> Optional[Text]:
        """The reply published for `key`; None ('success') if none came within `timeout`."""
        exchange = self._exchanges.get(key)
        if exchange is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(exchange), timeout)
        except asyncio.TimeoutError:
            return None

    async def buttons(self, sender: Text) -> List[Text]:
        return self._buttons.get(sender) or []

    async def set_buttons(self, sender: Text, payloads: List[Text]) -> None:
        if payloads:
            self._buttons.set(sender, payloads)
        else:
            self._buttons.pop(sender)

    async def first_use_of_nonce(self, nonce_key: Text, digest: Text, ttl: float) -> bool:
        """Remember a nonce with the digest of its body; False if it was seen before with another body."""
        seen = self._nonces.get(nonce_key)
        if seen is None:
            self._nonces.set(nonce_key, digest, ttl)
            return True
        return seen == digest


class RedisState(MemoryState):
    """State shared by every process through Redis; the local futures only spare same-process retries a poll.

    Redis errors never refuse a patient: the callback is then handled as in one process (and the lock store,
    on the same Redis, answers the outage with the apology).
    """

    def _key(self, *parts: Text) -> Text:
        return shared_state.key("wechat", self.channel, *parts)

    async def claim(self, key: Text) -> bool:
        try:
            claimed = await shared_state.async_client().set(self._key("exchange", key), _PENDING, nx=True,
                                                            ex=int(self._exchanges.ttl))
        except Exception as error:
            logger.warning("%s: shared state unavailable (%s), deduplicating in this process only", self.channel,
                           type(error).__name__)
            return await super().claim(key)
        if claimed:
            await super().claim(key)
        return bool(claimed)

    async def publish(self, key: Text, reply: Optional[Text]) -> None:
        await super().publish(key, reply)
        try:
            await shared_state.async_client().set(self._key("exchange", key), json.dumps({"reply": reply}),
                                                  ex=int(self._exchanges.ttl))
        except Exception as error:
            logger.warning("%s: could not share a reply (%s)", self.channel, type(error).__name__)

    async def wait(self, key: Text, timeout: float) -> Optional[Text]:
        if self._exchanges.get(key) is not None:  # the turn runs in this process
            return await super().wait(key, timeout)
        client, deadline = shared_state.async_client(), time.monotonic() + timeout
        while True:
            try:
                value = await client.get(self._key("exchange", key))
            except Exception:
                return None
            if value is None:
                return None
            if value != _PENDING.encode():
                return json.loads(value)["reply"]
            if time.monotonic() >= deadline:  # the process running the turn died: 'success', as WeChat allows
                return None
            await asyncio.sleep(_POLL_SECONDS)

    async def buttons(self, sender: Text) -> List[Text]:
        try:
            value = await shared_state.async_client().get(self._key("buttons", sender))
        except Exception:
            return await super().buttons(sender)
        return json.loads(value) if value else []

    async def set_buttons(self, sender: Text, payloads: List[Text]) -> None:
        client = shared_state.async_client()
        try:
            if payloads:
                await client.set(self._key("buttons", sender), json.dumps(payloads), ex=int(self._buttons.ttl))
            else:
                await client.delete(self._key("buttons", sender))
        except Exception:
            await super().set_buttons(sender, payloads)

    async def first_use_of_nonce(self, nonce_key: Text, digest: Text, ttl: float) -> bool:
        client, redis_key = shared_state.async_client(), self._key("nonce", nonce_key)
        try:
            if await client.set(redis_key, digest, nx=True, ex=int(ttl) + 1):
                return True
            seen = await client.get(redis_key)
        except Exception as error:
            logger.warning("%s: nonce not checked across processes (%s)", self.channel, type(error).__name__)
            return await super().first_use_of_nonce(nonce_key, digest, ttl)
        return seen is None or seen.decode() == digest


def make_state(channel: Text, dedupe_ttl: float) -> MemoryState:
    return RedisState(channel, dedupe_ttl) if shared_state.enabled() else MemoryState(channel, dedupe_ttl)
