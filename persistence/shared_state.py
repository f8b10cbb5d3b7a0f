"""Redis clients for the state that several Rasa processes must share (channels' caches, rate-limit buckets),
and a pub/sub channel between the processes (publish, subscribe: live pushes to a socket another process holds).

The same Redis as the lock store, used only when the lock store is a Redis one: named so in the environment
(LOCK_STORE_TYPE, settings.py), or found at server start in whatever endpoints file Rasa read
(adopt_lock_store). Clients are made on first use, never at import.
"""
import asyncio
import json
import logging
import threading
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

import settings

logger = logging.getLogger(__name__)

# Tells this process's own publications apart from the other processes' (each hears its own too).
PROCESS_ID = uuid.uuid4().hex

_lock = threading.Lock()
_sync_client: Any = None
_async_clients: Dict[int, Any] = {}


def enabled() -> bool:
    return settings.SHARED_STATE_IN_REDIS


def key(*parts: str) -> str:
    return settings.REDIS_STATE_PREFIX + ":".join(parts)


def _options() -> Dict[str, Any]:
    return {
        "host": settings.REDIS_HOST, "port": settings.REDIS_PORT, "password": settings.REDIS_PASSWORD,
        "db": settings.REDIS_DB, "ssl": settings.REDIS_SSL, "socket_timeout": 1, "socket_connect_timeout": 1,
    }


def sync_client() -> Any:
    """redis-py's blocking client (for code that runs in executor threads, like the WeChat API client)."""
    global _sync_client
    with _lock:
        if _sync_client is None:
            import redis

            _sync_client = redis.Redis(**_options())
        return _sync_client


def async_client() -> Any:
    """redis-py's asyncio client for the running event loop (one per loop: connections belong to a loop)."""
    import asyncio

    loop_id = id(asyncio.get_running_loop())
    with _lock:
        client = _async_clients.get(loop_id)
        if client is None:
            import redis.asyncio

            client = _async_clients[loop_id] = redis.asyncio.Redis(**_options())
        return client


def adopt_lock_store(lock_store: Any) -> bool:
    """Share state through the lock store's own Redis if it is a Redis lock store; True if it is.

    The lock store's connection settings win over REDIS_*: the state must live where the locks live.
    """
    from rasa.core.lock_store import RedisLockStore

    if not isinstance(lock_store, RedisLockStore):
        return False
    pool = lock_store.red.connection_pool
    options = pool.connection_kwargs
    import redis

    wanted = {"host": options.get("host", settings.REDIS_HOST), "port": int(options.get("port", settings.REDIS_PORT)),
              "password": options.get("password"), "db": int(options.get("db", 0)),
              "ssl": issubclass(pool.connection_class, redis.SSLConnection)}
    current = {name: getattr(settings, f"REDIS_{name.upper()}") for name in wanted}
    if not settings.SHARED_STATE_IN_REDIS or wanted != current:
        settings.SHARED_STATE_IN_REDIS = True
        configure(**wanted)
    return True


async def adopt_on_start(app: Any, loop: Any = None) -> None:
    """Sanic after_server_start listener (channels register it): Rasa has loaded its agent by then, and
    no request has been served yet."""
    agent = getattr(app.ctx, "agent", None)
    if agent is not None:
        adopt_lock_store(getattr(agent, "lock_store", None))


def configure(**overrides: Optional[Any]) -> None:
    """Tests: point the clients at another Redis (host, port, password, db) and forget the old clients."""
    global _sync_client
    for name, value in overrides.items():
        setattr(settings, f"REDIS_{name.upper()}", value)
    with _lock:
        _sync_client = None
        _async_clients.clear()


# ---------------------------------------------------------------- pub/sub between the Rasa processes


async def publish(topic: str, payload: Dict[str, Any]) -> Optional[int]:
    """Send `payload` (JSON) to every process subscribed to `topic`: how many heard it, or None when Redis
    failed (logged; the caller has already done its local part)."""
    try:
        return int(await async_client().publish(key("pubsub", topic), json.dumps({"origin": PROCESS_ID, **payload})))
    except Exception as error:  # Redis down or slow (1 s timeouts): never the caller's failure
        logger.warning("shared state: publishing on %s failed (%s): this process only", topic, type(error).__name__)
        return None


async def subscribe(topic: str, handler: Callable[[Dict[str, Any]], Awaitable[None]],
                    ready: Optional[asyncio.Event] = None, retry_max: float = 5.0) -> None:
    """Run until cancelled: `await handler(payload)` for each message another process publishes on `topic`.

    A lost connection is logged and re-made after 0.5 s, doubling to `retry_max` (messages published
    meanwhile are lost: pub/sub keeps nothing). `ready` is set each time the subscription is in place.
    """
    import redis.asyncio

    channel, pause, me = key("pubsub", topic), 0.5, PROCESS_ID
    while True:
        # A client of its own: the subscription holds a connection, and its reads wait longer than the
        # 1 s socket timeout of the others (get_message's timeout overrides it; PING every 15 s when idle).
        client = redis.asyncio.Redis(**_options(), health_check_interval=15)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel)
            if pause > 0.5:
                logger.info("shared state: subscribed to %s again", topic)
            pause = 0.5
            if ready is not None:
                ready.set()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if not message or message.get("type") != "message":
                    continue
                try:
                    payload = json.loads(message["data"])
                except ValueError:
                    continue
                if payload.get("origin") == me:
                    continue
                try:
                    await handler(payload)
                except Exception:  # one bad message must not end the subscription
                    logger.exception("shared state: handling a message on %s failed", topic)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("shared state: subscription to %s lost (%s); retrying in %.1f s", topic,
                           type(error).__name__, pause)
        finally:
            if ready is not None:
                ready.clear()
            for close in (pubsub.close, client.close):
                try:
                    await close()
                except Exception:  # the connection is gone already
                    pass
        await asyncio.sleep(pause)
        pause = min(retry_max, pause * 2)
