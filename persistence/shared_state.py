"""Redis clients for the state that several Rasa processes must share (channels' caches, rate-limit buckets).

The same Redis as the lock store (settings.REDIS_*), used only when the lock store is a Redis one
(settings.SHARED_STATE_IN_REDIS). Clients are made on first use, never at import.
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
        "db": settings.REDIS_DB, "socket_timeout": 1, "socket_connect_timeout": 1,
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


def configure(**overrides: Optional[Any]) -> None:
    """Tests: point the clients at another Redis (host, port, password, db) and forget the old clients."""
    global _sync_client
    for name, value in overrides.items():
        setattr(settings, f"REDIS_{name.upper()}", value)
    with _lock:
        _sync_client = None
        _async_clients.clear()
