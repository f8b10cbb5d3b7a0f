"""WeChat Official Account (公众号) and WeCom (企业微信) channels: signed XML callbacks to Rasa and back.

wechatpy does the signatures, the AES envelope and the XML. This module adds what WeChat leaves to the server:
size and DTD checks, fresh timestamps, one bot turn per MsgId however often WeChat retries, the 5-second
deadline (late turns go out through the customer-service API), and a bot turn rendered as WeChat text.
"""
import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text, Tuple

import requests
import wechatpy
import wechatpy.enterprise
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.exceptions import InvalidSignatureException, WeChatException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.utils import check_signature

import settings
from triage import knowledge
from channels import turn
from channels.rest import run_turn

logger = logging.getLogger(__name__)

# A passive text reply holds about 2048 bytes of UTF-8; longer turns are split at line boundaries.
PASSIVE_MAX_BYTES = 2048
# The body that tells WeChat "no passive reply" (anything else that is not XML shows the user an error).
SUCCESS = "success"
# What a new follower "says", so that the welcome is the domain's utter_greet.
WELCOME_TEXT = "/greet"
# Message types a user can send that we cannot read; they get the polite request to type instead.
UNREADABLE_TYPES = frozenset({"image", "voice", "video", "shortvideo", "location", "link", "file", "miniprogrampage"})
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan"})
# "<!" opens a DTD, an ENTITY or other declarations; only CDATA and comments are legitimate in a callback.
_MARKUP_DECLARATION = re.compile(r"<!(?!\[CDATA\[|--)")
# Characters XML 1.0 cannot carry; a reply containing one would not parse on WeChat's side.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"[0-9]{1,2}")

TEXT, WELCOME, UNREADABLE, IGNORE = "text", "welcome", "unreadable", "ignore"


class Refused(ValueError):
    """A callback the channel refuses: HTTP status and the reason (logged and returned)."""

    def __init__(self, status: int, reason: Text) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# ---------------------------------------------------------------------------------------------- plain functions


CHANNEL_TEXT_KEYS = (
    "wechat_unsupported", "button_hint", "button_line", "triage_title", "triage_urgency", "triage_department",
    "triage_causes", "triage_cause_line", "triage_reasons", "triage_reason_separator", "triage_red_flags",
)


def channel_texts() -> Dict[Text, Text]:
    """The Chinese words this channel adds (knowledge/causes.yml, channel_texts)."""
    texts = knowledge.load().get("channel_texts") or {}
    missing = [key for key in CHANNEL_TEXT_KEYS if not texts.get(key)]
    if missing:
        raise ValueError(f"knowledge file lacks channel_texts {missing}")
    return texts


def sender_id(user_id: Text, key: Text, prefix: Text) -> Text:
    """A stable Rasa sender id for a WeChat OpenID / WeCom UserID that does not reveal it (HMAC-SHA256)."""
    digest = hmac.new(key.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest}"


def clean_text(text: Text) -> Text:
    """Text that survives a CDATA section: no XML-invalid characters and no ']]>'."""
    return _XML_INVALID.sub("", text).replace("]]>", "]] >")


def render_triage_result(payload: Mapping[Text, Any]) -> Text:
    """The triage_result payload (actions/scoring.py payload()) as a few readable lines."""
    texts = channel_texts()
    urgency = knowledge.load()["urgency"].get(payload.get("urgency"), payload.get("urgency") or "")
    lines = [texts["triage_title"], texts["triage_urgency"].format(urgency=urgency)]
    if payload.get("department"):
        lines.append(texts["triage_department"].format(department=payload["department"]))
    causes = [c for c in payload.get("causes") or [] if (c.get("score") or 0) > 0][:3]
    if causes:
        lines.append(texts["triage_causes"])
        for rank, cause in enumerate(causes, 1):
            reasons = texts["triage_reason_separator"].join(cause.get("reasons") or [])
            lines.append(
                texts["triage_cause_line"].format(
                    rank=rank,
                    name=cause.get("name", ""),
                    percent=round((cause.get("score") or 0) * 100),
                    reasons=texts["triage_reasons"].format(reasons=reasons) if reasons else "",
                )
            )
    flag_reasons = [r for r in payload.get("red_flag_reasons") or [] if r]
    if flag_reasons:
        lines.append(texts["triage_red_flags"].format(reasons=texts["triage_reason_separator"].join(flag_reasons)))
    return "\n".join(lines)


def render_turn(messages: List[Dict[Text, Any]]) -> Tuple[Text, List[Text]]:
    """A finalized turn as one WeChat text, and the payloads of its buttons in the order they are numbered."""
    texts = channel_texts()
    blocks: List[Text] = []
    payloads: List[Text] = []
    for message in messages:
        lines = []
        if message.get("text"):
            lines.append(message["text"])
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "triage_result":
            lines.append(render_triage_result(custom))
        buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
        for button in buttons:
            payloads.append(button.get("payload") or button.get("title") or "")
            lines.append(texts["button_line"].format(number=len(payloads), title=button.get("title", "")))
        if buttons:
            lines.append(texts["button_hint"])
        if lines:
            blocks.append("\n".join(lines))
    return clean_text("\n\n".join(blocks)), payloads


def _cut(line: Text, limit: int) -> List[Text]:
    """A line longer than `limit` bytes cut at character boundaries."""
    pieces = []
    while len(line.encode("utf-8")) > limit:
        piece = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        pieces.append(piece)
        line = line[len(piece):]
    return [*pieces, line]


def split_text(text: Text, limit: int = PASSIVE_MAX_BYTES) -> List[Text]:
    """Parts of at most `limit` UTF-8 bytes, cut at line boundaries (inside a line only if it alone is too long).

    The text ends with the disclaimer line, so the last part does too.
    """
    parts: List[Text] = []
    current: Optional[Text] = None
    for line in text.split("\n"):
        for piece in _cut(line, limit):
            candidate = piece if current is None else f"{current}\n{piece}"
            if len(candidate.encode("utf-8")) <= limit:
                current = candidate
            else:
                parts.append(current or "")
                current = piece
    parts.append(current or "")
    return [p for p in (part.strip("\n") for part in parts) if p.strip()] or [""]


def button_choice(text: Text, payloads: List[Text]) -> Optional[Text]:
    """The payload of the numbered option a reply like "2", "２" or "2." picks, if it picks one."""
    choice = unicodedata.normalize("NFKC", text).strip().rstrip(".、。)")
    if _NUMBER.fullmatch(choice) and 1 <= int(choice) <= len(payloads):
        return payloads[int(choice) - 1]
    return None


def refuse_markup_declarations(xml: Text) -> None:
    """No DOCTYPE, ENTITY or other declaration reaches the XML parser (entity expansion, XXE)."""
    if _MARKUP_DECLARATION.search(xml):
        raise Refused(400, "XML declarations (DOCTYPE/ENTITY) are not accepted")


def check_fresh(timestamp: Optional[Text], max_skew: float, now: Optional[float] = None) -> None:
    if not timestamp or not timestamp.isdigit():
        raise Refused(400, "missing or malformed timestamp")
    if abs((now or time.time()) - int(timestamp)) > max_skew:
        raise Refused(403, "stale timestamp")


def decode_body(body: bytes, max_bytes: int) -> Text:
    if len(body) > max_bytes:
        raise Refused(413, f"request body too large (limit {max_bytes} bytes)")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "request body is not valid UTF-8") from None


def parse_xml(xml: Text, parser: Callable[[Text], Any] = wechatpy.parse_message) -> Any:
    """A wechatpy message from callback XML, or Refused(400) for anything malformed or incomplete."""
    refuse_markup_declarations(xml)
    try:
        message = parser(xml)
        data = message._data
    except Exception:  # expat errors, a missing <xml> root or MsgType, nested junk: all just "malformed"
        raise Refused(400, "malformed XML") from None
    for field in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise Refused(400, f"missing or malformed {field}")
    if not data["CreateTime"].isdigit() or not str(data.get("MsgId") or "0").isdigit():
        raise Refused(400, "malformed CreateTime or MsgId")
    return message


def classify(message: Any) -> Tuple[Text, Optional[Text]]:
    """What to do with a message: (TEXT, its text) | (WELCOME, None) | (UNREADABLE, None) | (IGNORE, None)."""
    msg_type = message._data["MsgType"].strip().lower()
    if msg_type == "text":
        content = message._data.get("Content")
        if isinstance(content, str) and content.strip():
            return TEXT, content.strip()[: settings.MAX_MESSAGE_CHARS]
        return IGNORE, None
    if msg_type == "voice":
        recognition = message._data.get("Recognition")
        if isinstance(recognition, str) and recognition.strip():
            return TEXT, recognition.strip()[: settings.MAX_MESSAGE_CHARS]
        return UNREADABLE, None
    if msg_type == "event":
        return (WELCOME if getattr(message, "event", "") in SUBSCRIBE_EVENTS else IGNORE), None
    if msg_type in UNREADABLE_TYPES:
        return UNREADABLE, None
    return IGNORE, None


def dedupe_key(message: Any, sender: Text) -> Text:
    """WeChat's retry identity: MsgId for messages, sender + CreateTime for events (they have no MsgId)."""
    msg_id = message._data.get("MsgId")
    if msg_id and msg_id != "0":
        return f"msg:{msg_id}"
    return f"evt:{sender}:{message._data['CreateTime']}"


class TtlCache:
    """A small bounded mapping whose entries expire `ttl` seconds after they were set (oldest evicted first)."""

    def __init__(self, max_items: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items, self.ttl, self._clock = max_items, ttl, clock
        self._data: "OrderedDict[Text, Tuple[float, Any]]" = OrderedDict()

    def get(self, key: Text, default: Any = None) -> Any:
        item = self._data.get(key)
        if item is None or item[0] <= self._clock():
            return default
        return item[1]

    def set(self, key: Text, value: Any) -> None:
        self._data.pop(key, None)
        self._data[key] = (self._clock() + self.ttl, value)
        self._evict()

    def pop(self, key: Text) -> Any:
        item = self._data.pop(key, None)
        return None if item is None else item[1]

    def __len__(self) -> int:
        self._evict()
        return len(self._data)

    def _evict(self) -> None:
        now = self._clock()
        while self._data:
            key, (expires, _) = next(iter(self._data.items()))
            if len(self._data) <= self.max_items and expires > now:
                break
            del self._data[key]


# ------------------------------------------------------------------------------------------ API clients (sync)


class _TimeoutSession(requests.Session):
    """wechatpy fetches the access token without a timeout; every request gets one here."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(*args, **kwargs)


class _TokenMixin:
    """Configurable API base URL (wechatpy writes the token URL in) and one token refresh at a time."""

    TOKEN_ENDPOINT = "token"

    def _setup(self, api_base_url: Text, timeout: float) -> None:
        self.API_BASE_URL = api_base_url
        self._http = _TimeoutSession(timeout)
        # A second concurrent refresh would invalidate the token the first one just stored.
        self._token_lock = threading.RLock()

    def _token_params(self) -> Dict[Text, Text]:
        raise NotImplementedError

    def fetch_access_token(self) -> Dict[Text, Any]:
        with self._token_lock:
            return self._fetch_access_token(url=self.API_BASE_URL + self.TOKEN_ENDPOINT, params=self._token_params())

    @property
    def access_token(self) -> Text:
        with self._token_lock:
            return super().access_token


class WeChatApiClient(_TokenMixin, wechatpy.WeChatClient):
    """wechatpy's Official Account client with the token cached in memory and a configurable API host."""

    def __init__(self, app_id: Text, secret: Text, api_base_url: Text, timeout: float = 5.0) -> None:
        super().__init__(app_id, secret, session=MemoryStorage(), timeout=timeout)
        self._setup(api_base_url, timeout)

    def _token_params(self) -> Dict[Text, Text]:
        return {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}


class WeComApiClient(_TokenMixin, wechatpy.enterprise.WeChatClient):
    """wechatpy's WeCom client, the same way."""

    TOKEN_ENDPOINT = "gettoken"

    def __init__(self, corp_id: Text, secret: Text, api_base_url: Text, timeout: float = 5.0) -> None:
        super().__init__(corp_id, secret, session=MemoryStorage(), timeout=timeout)
        self._setup(api_base_url, timeout)

    def _token_params(self) -> Dict[Text, Text]:
        return {"corpid": self.corp_id, "corpsecret": self.secret}


# ------------------------------------------------------------------------------------------------- channels


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
    dedupe_size: int = 10_000
    api_timeout: float = 5.0


def _text(credentials: Mapping[Text, Any], key: Text, default: Text = "") -> Text:
    value = credentials.get(key)
    return default if value is None or str(value).strip() == "" else str(value).strip()


class WeChatChannel(InputChannel):
    """Official Account callbacks (plaintext, compatible and safe mode) at /webhooks/wechat/webhook."""

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

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        if config.encoding_aes_key and len(config.encoding_aes_key) != 43:
            raise ValueError(f"{self.name()}: encoding_aes_key must be the 43 characters shown in the console")
        self.crypto = self._make_crypto() if config.token and config.encoding_aes_key else None
        channel_texts()  # fail at start-up, not at the first message, if the knowledge file lacks them
        self._exchanges = TtlCache(config.dedupe_size, config.dedupe_ttl)
        self._buttons = TtlCache(config.dedupe_size, 24 * 3600)
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix=f"{self.name()}-api")
        self._tasks: set = set()
        if not config.token:
            logger.warning("%s channel has no token configured: it refuses every callback", self.name())

    # -- protocol specifics (WeComChannel overrides these)

    def _make_crypto(self) -> Any:
        return WeChatCrypto(self.config.token, self.config.encoding_aes_key, self.config.app_id)

    def _make_client(self) -> Any:
        return WeChatApiClient(self.config.app_id, self.config.app_secret, self.config.api_base_url,
                               self.config.api_timeout)

    def _parse(self, xml: Text) -> Any:
        return parse_xml(xml, wechatpy.parse_message)

    def verify_url(self, args: Mapping[Text, Text]) -> Text:
        """The echostr of a valid GET verification."""
        self._check_signature(args)
        return args.get("echostr") or ""

    def open(self, args: Mapping[Text, Text], xml: Text) -> Tuple[Text, bool]:
        """The message XML of a POST (decrypted in compatible/safe mode) and whether the reply is encrypted."""
        self._check_signature(args)
        if (args.get("encrypt_type") or "raw").lower() != "aes":
            return xml, False
        if self.crypto is None:
            raise Refused(400, "encrypted callback but no EncodingAESKey configured")
        refuse_markup_declarations(xml)
        return self._decrypt(xml, args), True

    def _check_signature(self, args: Mapping[Text, Text]) -> None:
        try:
            check_signature(self.config.token, args.get("signature") or "", args.get("timestamp"), args.get("nonce"))
        except InvalidSignatureException:
            raise Refused(403, "bad signature") from None

    def _decrypt(self, xml: Text, args: Mapping[Text, Text]) -> Text:
        try:
            return self.crypto.decrypt_message(
                xml, args.get("msg_signature") or "", args.get("timestamp"), args.get("nonce")
            )
        except InvalidSignatureException:
            raise Refused(403, "bad msg_signature") from None
        except WeChatException:
            raise Refused(403, "message encrypted for another app") from None
        except Exception:
            raise Refused(400, "undecryptable message") from None

    def _reply_xml(self, text: Text, message: Any) -> Text:
        return wechatpy.create_reply(text, message).render()

    def _send_text(self, user_id: Text, content: Text, message: Any) -> None:
        self._api().message.send_text(user_id, content)

    # -- shared machinery

    def _api(self) -> Any:
        with self._client_lock:  # executor threads: one client, so one cached access token
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"triage_{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(self.config.token)})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                self._check_configured()
                self._check_query(request.args)
                return response.text(self.verify_url(request.args))
            except Refused as refusal:
                return self._refusal(request, refusal)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                self._check_configured()
                xml = decode_body(request.body or b"", self.config.max_body_bytes)
                self._check_query(request.args)
                xml, encrypted = self.open(request.args, xml)
                message = self._parse(xml)
            except Refused as refusal:
                return self._refusal(request, refusal)
            text = await self.handle(message, on_new_message)
            if text is None:
                return response.text(SUCCESS)
            xml = self._reply_xml(text, message)
            if encrypted:
                xml = self.crypto.encrypt_message(xml, secrets.token_hex(8), str(int(time.time())))
            return response.text(xml, content_type="application/xml; charset=utf-8")

        return webhook

    def _check_configured(self) -> None:
        if not self.config.token:
            raise Refused(503, f"{self.name()} channel not configured")

    def _check_query(self, args: Mapping[Text, Text]) -> None:
        if not args.get("nonce"):
            raise Refused(400, "missing nonce")
        check_fresh(args.get("timestamp"), self.config.max_clock_skew)

    def _refusal(self, request: Request, refusal: Refused) -> HTTPResponse:
        logger.warning("%s: refused %s from %s: HTTP %s %s", self.name(), request.method, request.ip,
                       refusal.status, refusal.reason)
        return response.text(refusal.reason, status=refusal.status)

    async def handle(self, message: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Optional[Text]:
        """The passive reply for a parsed callback, or None for 'success'. Retries share the first one's work."""
        if abs(time.time() - int(message._data["CreateTime"])) > self.config.max_clock_skew:
            logger.warning("%s: ignored a message with a stale CreateTime", self.name())
            return None
        kind, text = classify(message)
        if kind == IGNORE:
            return None
        user = message._data["FromUserName"]
        sender = sender_id(user, self.config.sender_key, self.name())
        key = dedupe_key(message, sender)
        exchange = self._exchanges.get(key)
        if exchange is None:
            exchange = asyncio.get_running_loop().create_future()
            self._exchanges.set(key, exchange)
            self._spawn(self._conduct(exchange, kind, text, sender, user, message, on_new_message))
        else:
            logger.info("%s: retry of a message already in hand, no second turn", self.name())
        return await asyncio.shield(exchange)

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _conduct(self, exchange: asyncio.Future, kind: Text, text: Optional[Text], sender: Text, user: Text,
                       message: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Run the turn once; answer passively within the budget, otherwise through the customer-service API.

        The OpenID lives only in this coroutine, for as long as the delivery takes.
        """
        try:
            work = asyncio.ensure_future(self._turn_text(kind, text, sender, on_new_message))
            try:
                parts = split_text(await asyncio.wait_for(asyncio.shield(work), self.config.reply_budget))
                exchange.set_result(parts[0])
                rest = parts[1:]
            except asyncio.TimeoutError:
                exchange.set_result(None)
                logger.info("%s: turn slower than %.1fs, sending it through the API", self.name(),
                            self.config.reply_budget)
                rest = split_text(await work)
            if rest:
                await self._deliver(user, rest, message)
        except Exception:
            logger.exception("%s: handling a message failed", self.name())
        finally:
            if not exchange.done():
                exchange.set_result(None)

    async def _turn_text(self, kind: Text, text: Optional[Text], sender: Text,
                         on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Text:
        if kind == UNREADABLE:
            rendered, _ = render_turn(turn.finalize([{"text": channel_texts()["wechat_unsupported"]}]))
            return rendered
        if kind == WELCOME:
            text = WELCOME_TEXT
        else:
            text = button_choice(text or "", self._buttons.get(sender) or []) or text
        messages = await run_turn(on_new_message, text or "", sender, self.name())
        rendered, payloads = render_turn(messages)
        if payloads:
            self._buttons.set(sender, payloads)
        else:
            self._buttons.pop(sender)
        return rendered

    async def _deliver(self, user: Text, parts: List[Text], message: Any) -> None:
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

    def _make_crypto(self) -> Any:
        return WeComCrypto(self.config.token, self.config.encoding_aes_key, self.config.app_id)

    def _make_client(self) -> Any:
        return WeComApiClient(self.config.app_id, self.config.app_secret, self.config.api_base_url,
                              self.config.api_timeout)

    def _parse(self, xml: Text) -> Any:
        return parse_xml(xml, wechatpy.enterprise.parse_message)

    def _check_configured(self) -> None:
        super()._check_configured()
        if self.crypto is None:
            raise Refused(503, "wecom channel needs an EncodingAESKey")

    def verify_url(self, args: Mapping[Text, Text]) -> Text:
        try:
            return self.crypto.check_signature(
                args.get("msg_signature") or "", args.get("timestamp"), args.get("nonce"), args.get("echostr") or ""
            )
        except InvalidSignatureException:
            raise Refused(403, "bad msg_signature") from None
        except Exception:
            raise Refused(403, "undecryptable echostr") from None

    def open(self, args: Mapping[Text, Text], xml: Text) -> Tuple[Text, bool]:
        refuse_markup_declarations(xml)
        return self._decrypt(xml, args), True

    def _reply_xml(self, text: Text, message: Any) -> Text:
        return wechatpy.enterprise.create_reply(text, message).render()

    def _send_text(self, user_id: Text, content: Text, message: Any) -> None:
        agent_id = self.config.agent_id or message._data.get("AgentID")
        self._api().message.send_text(agent_id, user_id, content)
