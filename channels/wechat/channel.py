"""The WeChat Official Account and WeCom input channels: a callback in, one bot turn per message, the reply out.

What WeChat leaves to the server is done here: fresh timestamps, nonces not reused for another body, one bot
turn per MsgId however often (and wherever) WeChat retries, rate limits, the 5-second deadline (late turns go
out through the customer-service API). The protocol is in protocol.py, the text in render.py, the API
client in api.py, what is remembered between callbacks in state.py.
"""
import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from channels import handoff, turn
from channels.ratelimit import Limit, RateLimiter, client_address, wait_turn
from channels.rest import run_turn
from channels.wechat import protocol, render
from channels.wechat.api import WeChatApiClient, WeComApiClient
from channels.wechat.protocol import IGNORE, TEXT, UNREADABLE, WELCOME, Inbound, Refused
from channels.wechat.state import MemoryState, make_state
from persistence import shared_state

logger = logging.getLogger(__name__)

# The body that tells WeChat "no passive reply" (anything else that is not XML shows the user an error).
SUCCESS = "success"


@dataclass(frozen=True)
class ChannelConfig:
    token: Text
    app_id: Text
    app_secret: Text
    encoding_aes_key: Text
    api_base_url: Text
    sender_key: Text
    agent_id: Text = ""
    reply_budget: float = 4.0
    max_body_bytes: int = 64 * 1024
    max_clock_skew: float = 300.0
    dedupe_ttl: float = 120.0
    api_timeout: float = 5.0


def _text(credentials: Mapping[Text, Any], key: Text, default: Text = "") -> Text:
    value = credentials.get(key)
    return default if value is None or str(value).strip() == "" else str(value).strip()


class WeChatChannel(InputChannel):
    """Official Account callbacks (safe and compatible mode; plaintext only without an AES key) at
    /webhooks/wechat/webhook."""

    DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        # credentials.yml names the channel only; settings come from the environment (a value given there wins).
        given = {key: value for key, value in (credentials or {}).items() if value not in (None, "")}
        c = {**settings.wechat_channel_settings(cls.name()), **given}
        token = _text(c, "token")
        return cls(
            ChannelConfig(
                token=token,
                app_id=_text(c, "app_id") or _text(c, "corp_id"),
                app_secret=_text(c, "app_secret") or _text(c, "secret"),
                encoding_aes_key=_text(c, "encoding_aes_key"),
                api_base_url=_text(c, "api_base_url", cls.DEFAULT_API_BASE_URL).rstrip("/") + "/",
                # A dedicated key keeps sender ids stable when the callback token is rotated.
                sender_key=_text(c, "sender_key") or token,
                agent_id=_text(c, "agent_id"),
                reply_budget=float(_text(c, "reply_budget", "4")),
            )
        )

    def __init__(self, config: ChannelConfig, state: Optional[MemoryState] = None,
                 limiter: Optional[RateLimiter] = None) -> None:
        self.config = config
        if config.encoding_aes_key and len(config.encoding_aes_key) != 43:
            raise ValueError(f"{self.name()}: encoding_aes_key must be the 43 characters shown in the console")
        self.protocol = self._make_protocol()
        render.channel_texts()  # fail at start-up, not at the first message, if the knowledge file lacks them
        self._state = state  # made at the first callback, once the server knows whether the lock store is Redis
        self.limiter = limiter or RateLimiter.from_settings(
            self.name(), Limit(settings.RATE_LIMIT_WECHAT_ADDRESS_PER_MINUTE, settings.RATE_LIMIT_WECHAT_ADDRESS_BURST)
        )
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix=f"{self.name()}-api")
        self._tasks: set = set()
        if not config.token:
            logger.warning("%s channel has no token configured: it refuses every callback", self.name())

    @property
    def state(self) -> MemoryState:
        if self._state is None:
            self._state = make_state(self.name(), self.config.dedupe_ttl)
        return self._state

    # -- platform specifics (WeComChannel overrides these)

    def _make_protocol(self) -> protocol.OfficialAccountProtocol:
        return protocol.OfficialAccountProtocol(self.config.token, self.config.encoding_aes_key, self.config.app_id)

    def _make_client(self) -> Any:
        return WeChatApiClient(self.config.app_id, self.config.app_secret, self.config.api_base_url,
                               self.config.api_timeout)

    def _send_text(self, user_id: Text, content: Text, message: Inbound) -> None:
        self._api().message.send_text(user_id, content)

    def _check_configured(self) -> None:
        if not self.config.token:
            raise Refused(503, f"{self.name()} channel not configured")

    # -- HTTP

    def _api(self) -> Any:
        with self._client_lock:  # executor threads: one client, so one cached access token
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"triage_{self.name()}_webhook", __name__)
        webhook.listener("after_server_start")(shared_state.adopt_on_start)
        if self.config.token:
            handoff.register_pusher(self.name(), self.push_handoff)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(self.config.token)})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                self._check_configured()
                self._check_query(request.args)
                return response.text(self.protocol.verify_url(request.args))
            except Refused as refusal:
                return self._refusal(request, refusal)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                self._check_configured()
                xml = protocol.decode_body(request.body or b"", self.config.max_body_bytes)
                self._check_query(request.args)
                xml, encrypted = self.protocol.open(request.args, xml)
                message = protocol.parse_xml(xml)
                await self._check_nonce(request.args, message)
            except Refused as refusal:
                return self._refusal(request, refusal)
            text = await self.handle(message, on_new_message, client_address(request))
            if text is None:
                return response.text(SUCCESS)
            reply = self.protocol.reply_xml(text, message)
            if encrypted:
                reply = self.protocol.seal(reply)
            return response.text(reply, content_type="application/xml; charset=utf-8")

        return webhook

    def _check_query(self, args: Mapping[Text, Text]) -> None:
        if not args.get("nonce"):
            raise Refused(400, "missing nonce")
        protocol.check_fresh(args.get("timestamp"), self.config.max_clock_skew)

    async def _check_nonce(self, args: Mapping[Text, Text], message: Inbound) -> None:
        """A signed URL belongs to one message. A retry of that message may come with the same nonce and meets
        the deduplication; the same nonce with another sender or message is a replay of a captured URL
        (plaintext signatures cover no body). Nonces are kept while their timestamp is still accepted."""
        nonce_key = f"{args.get('timestamp')}:{args.get('nonce')}"
        first = await self.state.first_use_of_nonce(nonce_key, protocol.message_identity(message),
                                                    2 * self.config.max_clock_skew)
        if not first:
            raise Refused(403, "nonce already used for another message (replay)")

    def _refusal(self, request: Request, refusal: Refused) -> HTTPResponse:
        logger.warning("%s: refused %s from %s: HTTP %s %s", self.name(), request.method, request.ip,
                       refusal.status, refusal.reason)
        return response.text(refusal.reason, status=refusal.status)

    # -- one message

    async def handle(self, message: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     address: Optional[Text] = None) -> Optional[Text]:
        """The passive reply for a parsed callback, or None for 'success'. Retries share the first one's work,
        in this process or another one."""
        if abs(time.time() - message.create_time) > self.config.max_clock_skew:
            logger.warning("%s: ignored a message with a stale CreateTime", self.name())
            return None
        kind, text = protocol.classify(message)
        if kind == IGNORE:
            return None
        sender = protocol.sender_id(message.from_user, self.config.sender_key, self.name())
        key = protocol.dedupe_key(message, sender)
        if await self.state.claim(key):
            self._spawn(self._conduct(key, kind, text, sender, message, address, on_new_message))
        else:
            logger.info("%s: retry of a message already in hand, no second turn", self.name())
        # The reply is published by the budget at the latest; the margin covers a poll and a slow Redis.
        return await self.state.wait(key, self.config.reply_budget + 1.0)

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _conduct(self, key: Text, kind: Text, text: Optional[Text], sender: Text, message: Inbound,
                       address: Optional[Text], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Run the turn once; answer passively within the budget, otherwise through the customer-service API.

        The OpenID lives only in this coroutine (and the message), for as long as the delivery takes.
        """
        published = False
        try:
            work = asyncio.ensure_future(self._turn_text(kind, text, sender, address, on_new_message,
                                                         message.from_user))
            try:
                parts = render.split_text(await asyncio.wait_for(asyncio.shield(work), self.config.reply_budget))
                # An empty turn (held for a person during a handoff): "success", WeChat shows nothing.
                await self.state.publish(key, parts[0] or None)
                published, rest = True, parts[1:]
            except asyncio.TimeoutError:
                await self.state.publish(key, None)
                published = True
                logger.info("%s: turn slower than %.1fs, sending it through the API", self.name(),
                            self.config.reply_budget)
                rest = render.split_text(await work)
            if rest:
                await self._deliver(message.from_user, rest, message)
        except Exception:
            logger.exception("%s: handling a message failed", self.name())
        finally:
            if not published:
                await self.state.publish(key, None)

    async def _turn_text(self, kind: Text, text: Optional[Text], sender: Text, address: Optional[Text],
                         on_new_message: Callable[[UserMessage], Awaitable[Any]], user: Optional[Text] = None) -> Text:
        if kind == UNREADABLE:
            rendered, _ = render.render_turn(turn.finalize([{"text": render.channel_texts()["wechat_unsupported"]}]))
            return rendered
        if await self.limiter.check(sender, address):
            rendered, _ = render.render_turn(wait_turn())  # buttons remembered stay as they were
            return rendered
        if kind == WELCOME:
            text = protocol.WELCOME_TEXT
        else:
            text = render.button_choice(text or "", await self.state.buttons(sender)) or text
        messages = await run_turn(on_new_message, text or "", sender, self.name())
        if user and handoff.in_handoff(messages):
            await self._remember_address(sender, user)
        rendered, payloads = render.render_turn(messages)
        await self.state.set_buttons(sender, payloads)
        return rendered

    async def _remember_address(self, sender: Text, user: Text) -> None:
        """While a handoff is open the OpenID is kept with it (staff replies go through the API); else nowhere."""
        try:
            await asyncio.to_thread(handoff.handoff.set_reply_to, handoff.staff_db(), sender, user)
        except Exception:
            logger.exception("%s: could not note the handoff address", self.name())

    async def push_handoff(self, sender: Text, messages: List[Dict[Text, Any]], row: Dict[Text, Any],
                           ) -> Optional[Dict[Text, Any]]:
        """A staff reply or system line through the customer-service API; None, or a note for the console
        (channels/handoff.py; worded in staff/texts.yml): no address yet, or WeChat's refusal and its errcode."""
        user = row.get("reply_to")
        if not user:
            return {"code": "wechat_no_address"}
        loop = asyncio.get_running_loop()
        rendered, _ = render.render_turn(messages)
        for part in render.split_text(rendered):
            try:
                await loop.run_in_executor(self._executor, self._send_text, user, part, None)
            except Exception as error:
                code = getattr(error, "errcode", None)
                logger.error("%s: handoff message refused (%s)", self.name(), code or type(error).__name__)
                if code:
                    return {"code": "wechat_refused", "errcode": code, "errmsg": str(getattr(error, "errmsg", "") or "")}
                return {"code": "push_failed", "error": type(error).__name__}
        return None

    async def _deliver(self, user: Text, parts: List[Text], message: Inbound) -> None:
        loop = asyncio.get_running_loop()
        for part in parts:
            try:
                await loop.run_in_executor(self._executor, self._send_text, user, part, message)
            except Exception as error:
                # 45015 (user silent for 48 h), quota, network: the rest would fail the same way.
                logger.error("%s: customer-service message failed (%s): %s part(s) not delivered", self.name(),
                             getattr(error, "errcode", type(error).__name__), len(parts))
                return


class WeComChannel(WeChatChannel):
    """WeCom (企业微信) application callbacks at /webhooks/wecom/webhook: always encrypted (msg_signature)."""

    DEFAULT_API_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/"

    @classmethod
    def name(cls) -> Text:
        return "wecom"

    def _make_protocol(self) -> protocol.OfficialAccountProtocol:
        return protocol.WeComProtocol(self.config.token, self.config.encoding_aes_key, self.config.app_id)

    def _make_client(self) -> Any:
        return WeComApiClient(self.config.app_id, self.config.app_secret, self.config.api_base_url,
                              self.config.api_timeout)

    def _check_configured(self) -> None:
        super()._check_configured()
        if self.protocol.crypto is None:
            raise Refused(503, "wecom channel needs an EncodingAESKey")

    def _send_text(self, user_id: Text, content: Text, message: Inbound) -> None:
        agent_id = self.config.agent_id or (message.agent_id if message is not None else None)
        self._api().message.send_text(agent_id, user_id, content)
