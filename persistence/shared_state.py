"""Redis clients for the state that several Rasa processes must share (channels' caches, rate-limit buckets).

The same Redis as the lock store, used only when the lock store is a Redis one: named so in the environment
(LOCK_STORE_TYPE, settings.py), or found at server start in whatever endpoints file Rasa read
(adopt_lock_store). Clients are made on first use, never at import.
"""
import threading
from typing import Any, Dict, Optional

import settings

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
