"""The WeChat / WeCom callback protocol: signatures, the AES envelope, the callback XML and the passive reply.

wechatpy does the signing, the AES and the reply XML; the callback's fields are read here (xmltodict, after
refusing markup declarations), so nothing depends on wechatpy's private message internals.
"""
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Text, Tuple

import wechatpy.enterprise.replies
import wechatpy.replies
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.exceptions import InvalidSignatureException, WeChatException
from wechatpy.utils import check_signature

import settings

# What a new follower "says", so that the welcome is the domain's utter_greet.
WELCOME_TEXT = "/greet"
# Message types a user can send that we cannot read; they get the polite request to type instead.
UNREADABLE_TYPES = frozenset({"image", "voice", "video", "shortvideo", "location", "link", "file", "miniprogrampage"})
# wechatpy calls a subscribe through a QR code "subscribe_scan"; on the wire both are Event=subscribe.
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan"})
# "<!" opens a DTD, an ENTITY or other declarations; only CDATA and comments are legitimate in a callback.
_MARKUP_DECLARATION = re.compile(r"<!(?!\[CDATA\[|--)")
_REQUIRED = ("ToUserName", "FromUserName", "CreateTime", "MsgType")

TEXT, WELCOME, UNREADABLE, IGNORE = "text", "welcome", "unreadable", "ignore"


class Refused(ValueError):
    """A callback the channel refuses: HTTP status and the reason (logged and returned)."""

    def __init__(self, status: int, reason: Text) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Inbound:
    """The fields of a callback the channel uses (names as in WeChat's documentation)."""

    to_user: Text  # the account (ToUserName)
    from_user: Text  # OpenID / WeCom UserID (FromUserName)
    create_time: int
    msg_type: Text  # lower case
    msg_id: Text = ""  # "" for events
    content: Optional[Text] = None
    recognition: Optional[Text] = None
    event: Text = ""  # lower case
    agent_id: Text = ""  # WeCom


def sender_id(user_id: Text, key: Text, prefix: Text) -> Text:
    """A stable Rasa sender id for a WeChat OpenID / WeCom UserID that does not reveal it (HMAC-SHA256)."""
    digest = hmac.new(key.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest}"


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


def xml_fields(xml: Text) -> Dict[Text, Any]:
    """The children of the <xml> root: text, or a dict for nested elements. Refused(400) if malformed."""
    refuse_markup_declarations(xml)
    try:
        document = xmltodict.parse(xml, disable_entities=True)
    except Exception:  # expat errors, empty input
        raise Refused(400, "malformed XML") from None
    fields = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(fields, dict):
        raise Refused(400, "malformed XML: no <xml> root")
    return fields


def parse_xml(xml: Text) -> Inbound:
    """The callback's fields, or Refused(400) for anything malformed or incomplete."""
    fields = xml_fields(xml)

    def text(name: Text) -> Optional[Text]:
        value = fields.get(name)
        return value if isinstance(value, str) else None

    for name in _REQUIRED:
        if not (text(name) or "").strip():
            raise Refused(400, f"missing or malformed {name}")
    create_time, msg_id = text("CreateTime").strip(), (text("MsgId") or "").strip()
    if not create_time.isdigit() or not (msg_id or "0").isdigit():
        raise Refused(400, "malformed CreateTime or MsgId")
    return Inbound(
        to_user=text("ToUserName").strip(),
        from_user=text("FromUserName").strip(),
        create_time=int(create_time),
        msg_type=text("MsgType").strip().lower(),
        msg_id="" if msg_id == "0" else msg_id,
        content=text("Content"),
        recognition=text("Recognition"),
        event=(text("Event") or "").strip().lower(),
        agent_id=(text("AgentID") or "").strip(),
    )


def classify(message: Inbound, max_chars: Optional[int] = None) -> Tuple[Text, Optional[Text]]:
    """What to do with a message: (TEXT, its text) | (WELCOME, None) | (UNREADABLE, None) | (IGNORE, None)."""
    max_chars = max_chars or settings.MAX_MESSAGE_CHARS
    if message.msg_type == "text":
        if message.content and message.content.strip():
            return TEXT, message.content.strip()[:max_chars]
        return IGNORE, None
    if message.msg_type == "voice":
        if message.recognition and message.recognition.strip():
            return TEXT, message.recognition.strip()[:max_chars]
        return UNREADABLE, None
    if message.msg_type == "event":
        return (WELCOME if message.event in SUBSCRIBE_EVENTS else IGNORE), None
    if message.msg_type in UNREADABLE_TYPES:
        return UNREADABLE, None
    return IGNORE, None


def dedupe_key(message: Inbound, sender: Text) -> Text:
    """WeChat's retry identity: MsgId for messages, sender + CreateTime for events (they have no MsgId)."""
    if message.msg_id:
        return f"msg:{message.msg_id}"
    return f"evt:{sender}:{message.create_time}"


def message_identity(message: Inbound) -> Text:
    """A digest naming one message of one user (what WeChat's retries of it share), for the nonce store."""
    parts = (message.from_user, message.to_user, message.msg_type, message.msg_id, str(message.create_time))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


class OfficialAccountProtocol:
    """An Official Account's callbacks: plaintext, compatible or safe mode.

    With an EncodingAESKey configured, only encrypted callbacks (encrypt_type=aes) are accepted: a plaintext
    callback's signature covers neither the body nor the sender, so a captured URL could carry anything.
    """

    def __init__(self, token: Text, encoding_aes_key: Text, app_id: Text) -> None:
        self.token = token
        self.crypto = WeChatCrypto(token, encoding_aes_key, app_id) if token and encoding_aes_key else None

    def verify_url(self, args: Mapping[Text, Text]) -> Text:
        """The echostr of a valid GET verification."""
        self._check_signature(args)
        return args.get("echostr") or ""

    def open(self, args: Mapping[Text, Text], xml: Text) -> Tuple[Text, bool]:
        """The message XML of a POST (decrypted in compatible/safe mode) and whether the reply is encrypted."""
        encrypted = (args.get("encrypt_type") or "raw").lower() == "aes"
        if not encrypted and self.crypto is not None:
            raise Refused(403, "plaintext callback refused: an EncodingAESKey is configured (safe mode)")
        self._check_signature(args)
        if not encrypted:
            return xml, False
        if self.crypto is None:
            raise Refused(400, "encrypted callback but no EncodingAESKey configured")
        refuse_markup_declarations(xml)
        return self._decrypt(xml, args), True

    def _check_signature(self, args: Mapping[Text, Text]) -> None:
        try:
            check_signature(self.token, args.get("signature") or "", args.get("timestamp"), args.get("nonce"))
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

    def reply_xml(self, text: Text, message: Inbound) -> Text:
        return wechatpy.replies.TextReply(source=message.to_user, target=message.from_user, content=text).render()

    def seal(self, xml: Text) -> Text:
        return self.crypto.encrypt_message(xml, secrets.token_hex(8), str(int(time.time())))


class WeComProtocol(OfficialAccountProtocol):
    """A WeCom application's callbacks: always encrypted and signed with msg_signature."""

    def __init__(self, token: Text, encoding_aes_key: Text, corp_id: Text) -> None:
        self.token = token
        self.crypto = WeComCrypto(token, encoding_aes_key, corp_id) if token and encoding_aes_key else None

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

    def reply_xml(self, text: Text, message: Inbound) -> Text:
        agent = int(message.agent_id) if message.agent_id.isdigit() else 0
        return wechatpy.enterprise.replies.TextReply(
            source=message.to_user, target=message.from_user, content=text, agent=agent
        ).render()
