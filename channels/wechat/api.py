"""Customer-service API clients (wechatpy's, synchronous: called from executor threads).

The access token is cached where every process can read it (Redis when state is shared, else memory) and
refreshed by one caller at a time: WeChat invalidates a token five minutes after a new one is issued, so two
processes refreshing against each other would keep breaking each other's sends.
"""
import contextlib
import threading
from typing import Any, Dict, Text

import requests
import wechatpy
import wechatpy.enterprise
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from persistence import shared_state


class _TimeoutSession(requests.Session):
    """wechatpy fetches the access token without a timeout; every request gets one here."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(*args, **kwargs)


def token_storage() -> Any:
    """Where access tokens live: the shared Redis when several processes run, else this process's memory."""
    if shared_state.enabled():
        return RedisStorage(shared_state.sync_client(), prefix=shared_state.key("wechatpy"))
    return MemoryStorage()


class _TokenMixin:
    """Configurable API base URL (wechatpy writes the token URL in) and one token refresh at a time."""

    TOKEN_ENDPOINT = "token"

    def _setup(self, api_base_url: Text, timeout: float) -> None:
        self.API_BASE_URL = api_base_url
        self._http = _TimeoutSession(timeout)
        self._api_timeout = timeout
        # A second concurrent refresh would invalidate the token the first one just stored.
        self._token_lock = threading.RLock()
        # The token each thread last used: a refresh is needed only if the stored token is still that one.
        self._seen = threading.local()

    def _token_params(self) -> Dict[Text, Text]:
        raise NotImplementedError

    def _shared_refresh_lock(self) -> Any:
        if isinstance(self.session, RedisStorage):
            return self.session.redis.lock(
                shared_state.key("wechatpy", "refresh", self.access_token_key),
                timeout=self._api_timeout * 2 + 1, blocking_timeout=self._api_timeout * 2 + 2,
            )
        return contextlib.nullcontext()

    def fetch_access_token(self) -> Dict[Text, Any]:
        with self._token_lock, self._shared_refresh_lock():
            stored = self.session.get(self.access_token_key)
            if stored and stored != getattr(self._seen, "token", None):
                # Refreshed by another process or thread since this thread's request: use that token.
                self._seen.token = stored
                return {"access_token": stored}
            result = self._fetch_access_token(url=self.API_BASE_URL + self.TOKEN_ENDPOINT,
                                              params=self._token_params())
            self._seen.token = result.get("access_token")
            return result

    @property
    def access_token(self) -> Text:
        with self._token_lock:
            token = super().access_token
            self._seen.token = token
            return token


class WeChatApiClient(_TokenMixin, wechatpy.WeChatClient):
    """wechatpy's Official Account client with the shared token cache and a configurable API host."""

    def __init__(self, app_id: Text, secret: Text, api_base_url: Text, timeout: float = 5.0,
                 storage: Any = None) -> None:
        super().__init__(app_id, secret, session=storage or token_storage(), timeout=timeout)
        self._setup(api_base_url, timeout)

    def _token_params(self) -> Dict[Text, Text]:
        return {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}


class WeComApiClient(_TokenMixin, wechatpy.enterprise.WeChatClient):
    """wechatpy's WeCom client, the same way."""

    TOKEN_ENDPOINT = "gettoken"

    def __init__(self, corp_id: Text, secret: Text, api_base_url: Text, timeout: float = 5.0,
                 storage: Any = None) -> None:
        super().__init__(corp_id, secret, session=storage or token_storage(), timeout=timeout)
        self._setup(api_base_url, timeout)

    def _token_params(self) -> Dict[Text, Text]:
        return {"corpid": self.corp_id, "corpsecret": self.secret}
