"""Rate limits per sender and per client address: token buckets, in Redis when several processes share the
load (persistence/shared_state.py), in memory otherwise.

A message over a limit never reaches the bot: the channel answers with the short wait message of
knowledge/causes.yml (channel_texts.rate_limited), finalized with the disclaimer, and the conversation is
untouched. Redis errors let the message through (logged): a rate limit must not take the service down.
"""
import ipaddress
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple, Union

import settings
from channels import turn
from persistence import shared_state
from triage import knowledge

logger = logging.getLogger(__name__)

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


@dataclass(frozen=True)
class Limit:
    """A token bucket: `burst` messages at once, refilled at `per_minute`. per_minute <= 0 switches it off."""

    per_minute: float
    burst: float

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0

    @property
    def active(self) -> bool:
        return self.per_minute > 0 and self.burst >= 1


@dataclass(frozen=True)
class Denial:
    limit: Text  # "sender" or "address"
    retry_after: float


def wait_turn(recipient_id: Optional[Text] = None) -> List[Dict[Text, Any]]:
    """What a patient over the limit gets: the wait message, then the disclaimer."""
    text = (knowledge.load().get("channel_texts") or {}).get("rate_limited")
    if not text:
        raise ValueError("knowledge file lacks channel_texts.rate_limited")
    message = {"text": text} if recipient_id is None else {"text": text, "recipient_id": recipient_id}
    return turn.finalize([message], recipient_id)


def parse_networks(value: Text) -> Tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part, strict=False) for part in re.split(r"[\s,]+", value or "") if part)


class MemoryBuckets:
    """Buckets of one process, the least recently used dropped beyond `max_keys`."""

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys, self._clock = max_keys, clock
        self._buckets: "OrderedDict[Text, Tuple[float, float]]" = OrderedDict()

    async def take(self, checks: Sequence[Tuple[Text, Limit]]) -> Tuple[int, float]:
        """A token from every bucket, or from none: (-1, 0) if taken, else (index of the first empty bucket,
        seconds until it has a token)."""
        now = self._clock()
        levels = []
        for key, limit in checks:
            tokens, at = self._buckets.get(key, (limit.burst, now))
            levels.append(min(limit.burst, tokens + max(0.0, now - at) * limit.per_second))
        denied = next((i for i, tokens in enumerate(levels) if tokens < 1), -1)
        for (key, _), tokens in zip(checks, levels):
            self._buckets.pop(key, None)
            self._buckets[key] = (tokens - 1 if denied < 0 else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if denied < 0:
            return -1, 0.0
        return denied, (1 - levels[denied]) / checks[denied][1].per_second


# One round trip, atomic, on Redis's clock (processes' clocks may differ): KEYS are the buckets, ARGV their
# rate (tokens/s) and burst in pairs. Lua numbers come back truncated to integers, so the wait is a string.
_TAKE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local levels, denied = {}, 0
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  levels[i] = math.min(burst, tokens + math.max(0, now - at) * rate)
  if denied == 0 and levels[i] < 1 then denied = i end
end
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local tokens = levels[i]
  if denied == 0 then tokens = tokens - 1 end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('EXPIRE', key, math.ceil(burst / rate) + 1)
end
if denied == 0 then return {-1, '0'} end
return {denied - 1, tostring((1 - levels[denied]) / tonumber(ARGV[2 * denied - 1]))}
"""


class RedisBuckets:
    """Buckets shared by every process on the lock store's Redis."""

    async def take(self, checks: Sequence[Tuple[Text, Limit]]) -> Tuple[int, float]:
        args = [value for _, limit in checks for value in (limit.per_second, limit.burst)]
        denied, wait = await shared_state.async_client().eval(
            _TAKE, len(checks), *(shared_state.key("rate", key) for key, _ in checks), *args
        )
        return int(denied), float(wait)


_REDIS_BUCKETS = RedisBuckets()


class RateLimiter:
    """Checks a message against its address and sender buckets in one channel: it takes a token from both or,
    over either limit, from neither."""

    def __init__(self, channel: Text, sender: Limit, address: Limit, exempt: Sequence[Network] = (),
                 buckets: Any = None) -> None:
        self.channel, self.sender, self.address, self.exempt = channel, sender, address, tuple(exempt)
        self._buckets, self._memory = buckets, MemoryBuckets()

    @property
    def buckets(self) -> Any:
        """The given buckets, else Redis's when state is shared (decided at server start), else memory."""
        if self._buckets is not None:
            return self._buckets
        return _REDIS_BUCKETS if shared_state.enabled() else self._memory

    @classmethod
    def from_settings(cls, channel: Text, address: Optional[Limit] = None) -> "RateLimiter":
        return cls(
            channel,
            Limit(settings.RATE_LIMIT_SENDER_PER_MINUTE, settings.RATE_LIMIT_SENDER_BURST),
            address or Limit(settings.RATE_LIMIT_ADDRESS_PER_MINUTE, settings.RATE_LIMIT_ADDRESS_BURST),
            parse_networks(settings.RATE_LIMIT_EXEMPT),
        )

    def _exempt(self, address: Optional[Text]) -> bool:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in self.exempt)

    async def check(self, sender: Optional[Text], address: Optional[Text]) -> Optional[Denial]:
        """None if the message may go to the bot; else which limit it hit. Logged without the message."""
        checks = []
        if address and self.address.active and not self._exempt(address):
            checks.append(("address", f"{self.channel}:addr:{address}", self.address))
        if sender and self.sender.active:
            checks.append(("sender", f"{self.channel}:sender:{sender}", self.sender))
        if not checks:
            return None
        try:
            denied, wait = await self.buckets.take([(key, limit) for _, key, limit in checks])
        except Exception as error:  # Redis down: let the message through; the lock store reports the outage
            logger.warning("rate limit not checked (%s): %s", type(error).__name__, self.channel)
            return None
        if denied >= 0:
            name = checks[denied][0]
            logger.warning("rate limit: a %s message over the per-%s limit was not processed (retry in %.0f s)",
                           self.channel, name, wait)
            return Denial(name, wait)
        return None


def client_address(request: Any) -> Optional[Text]:
    """The caller's address: Sanic's remote_addr when a proxy header is configured (SANIC_REAL_IP_HEADER or
    SANIC_PROXIES_COUNT, docs/deploy.md), else the peer's address."""
    return getattr(request, "remote_addr", None) or getattr(request, "ip", None)
