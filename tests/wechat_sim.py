"""A simulated WeChat (and WeCom) server: signs, encrypts and posts callbacks the way WeChat does, with
wechatpy's own signing and crypto, and opens the replies. Used by the end-to-end tests and the benchmark."""
import time
import uuid
from typing import Any, Dict, Optional, Tuple

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.utils import WeChatSigner

PLAIN, COMPATIBLE, SAFE = "plain", "compatible", "safe"


def sign(*values: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*values)
    return signer.signature


class Reply:
    """What the channel answered: the HTTP response, and the passive reply's fields if it sent one."""

    def __init__(self, response: requests.Response, fields: Optional[Dict[str, Any]]) -> None:
        self.response = response
        self.fields = fields

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def is_success(self) -> bool:
        """'success' or an empty body: WeChat shows nothing and expects nothing more in this reply."""
        return self.status == 200 and self.response.text.strip() in ("success", "")

    @property
    def content(self) -> Optional[str]:
        return (self.fields or {}).get("Content")


class WeChatSimulator:
    """One Official Account as WeChat's servers see it (token, AppID, EncodingAESKey)."""

    path = "/webhooks/wechat/webhook"

    def __init__(self, base_url: str, token: str, app_id: str = "", encoding_aes_key: str = "",
                 account: str = "gh_test_account", session: Optional[requests.Session] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token, self.app_id, self.account = token, app_id, account
        self.crypto = WeChatCrypto(token, encoding_aes_key, app_id) if encoding_aes_key else None
        self.http = session or requests.Session()

    def clone(self) -> "WeChatSimulator":
        """The same account with its own HTTP session (one per simulated user thread)."""
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.http = requests.Session()
        return twin

    @staticmethod
    def new_openid() -> str:
        return "o" + uuid.uuid4().hex[:27]

    @staticmethod
    def new_msg_id() -> str:
        return str(uuid.uuid4().int % 10**19)

    def query(self, timestamp: Optional[int] = None, nonce: Optional[str] = None,
              token: Optional[str] = None) -> Dict[str, str]:
        timestamp_text = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or uuid.uuid4().hex[:10]
        return {"signature": sign(token or self.token, timestamp_text, nonce), "timestamp": timestamp_text,
                "nonce": nonce}

    def verify(self, echostr: str, **query_args: Any) -> requests.Response:
        return self.http.get(self.base_url + self.path, params={**self.query(**query_args), "echostr": echostr},
                             timeout=10)

    def message(self, openid: str, msg_type: str, create_time: Optional[int] = None, **fields: Any) -> Dict[str, Any]:
        """A callback's fields, in WeChat's order (ToUserName, FromUserName, CreateTime, MsgType, …)."""
        return {"ToUserName": self.account, "FromUserName": openid,
                "CreateTime": str(int(time.time()) if create_time is None else create_time), "MsgType": msg_type,
                **{k: str(v) for k, v in fields.items()}}

    def text(self, openid: str, content: str, msg_id: Optional[str] = None, **kw: Any) -> Dict[str, Any]:
        return self.message(openid, "text", Content=content, MsgId=msg_id or self.new_msg_id(), **kw)

    @staticmethod
    def to_xml(fields: Dict[str, Any]) -> str:
        return xmltodict.unparse({"xml": fields}, full_document=False)

    def envelope(self, fields: Dict[str, Any], mode: str, query: Dict[str, str]) -> Tuple[str, Dict[str, str]]:
        """The body and query of a callback in `mode`."""
        xml = self.to_xml(fields)
        if mode == PLAIN:
            return xml, query
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))["xml"]
        outer = dict(fields) if mode == COMPATIBLE else {"ToUserName": fields["ToUserName"]}
        outer["Encrypt"] = sealed["Encrypt"]
        return self.to_xml(outer), {**query, "openid": fields["FromUserName"], "encrypt_type": "aes",
                                    "msg_signature": sealed["MsgSignature"]}

    def post(self, fields: Dict[str, Any], mode: Optional[str] = None, timeout: float = 30,
             **query_args: Any) -> Reply:
        """Post a callback: safe mode when the account has an EncodingAESKey (the channel then refuses plaintext)."""
        mode = mode or (SAFE if self.crypto else PLAIN)
        body, query = self.envelope(fields, mode, self.query(**query_args))
        return self.post_raw(body.encode("utf-8"), query, encrypted=mode != PLAIN, timeout=timeout)

    def post_raw(self, body: bytes, query: Dict[str, str], encrypted: bool = False, timeout: float = 30) -> Reply:
        response = self.http.post(self.base_url + self.path, params=query, data=body, timeout=timeout,
                                  headers={"Content-Type": "text/xml"})
        return Reply(response, self.open_reply(response, encrypted))

    def seal(self, inner_xml: str, query: Dict[str, str], account: Optional[str] = None) -> Tuple[str, Dict[str, str]]:
        """Any inner XML (even malformed) in a correctly signed safe-mode envelope, with its query."""
        sealed = xmltodict.parse(self.crypto.encrypt_message(inner_xml, query["nonce"], query["timestamp"]))["xml"]
        outer = self.to_xml({"ToUserName": account or self.account, "Encrypt": sealed["Encrypt"]})
        return outer, {**query, "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}

    def open_reply(self, response: requests.Response, encrypted: bool) -> Optional[Dict[str, Any]]:
        """The passive reply's fields, checking its signature when it is encrypted (as WeChat does)."""
        text = response.text
        if response.status_code != 200 or text.strip() in ("", "success"):
            return None
        if encrypted:
            outer = xmltodict.parse(text)["xml"]
            text = self.crypto.decrypt_message(text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(text)["xml"]


class WeComSimulator(WeChatSimulator):
    """One WeCom application: every callback encrypted, signed with msg_signature only."""

    path = "/webhooks/wecom/webhook"

    def __init__(self, base_url: str, token: str, corp_id: str, encoding_aes_key: str, agent_id: str,
                 session: Optional[requests.Session] = None) -> None:
        super().__init__(base_url, token, corp_id, "", account=corp_id, session=session)
        self.crypto = WeComCrypto(token, encoding_aes_key, corp_id)
        self.agent_id = agent_id

    def message(self, openid: str, msg_type: str, create_time: Optional[int] = None, **fields: Any) -> Dict[str, Any]:
        return {**super().message(openid, msg_type, create_time, **fields), "AgentID": self.agent_id}

    def verify(self, echostr: str, **query_args: Any) -> requests.Response:
        query = self.query(**query_args)
        # WeCom sends the encrypted echostr, signed: the channel answers with its plaintext.
        sealed_echo = self.crypto.encrypt_message(echostr, query["nonce"], query["timestamp"])
        sealed = xmltodict.parse(sealed_echo)["xml"]
        return self.http.get(self.base_url + self.path, timeout=10, params={
            "msg_signature": sealed["MsgSignature"], "timestamp": query["timestamp"], "nonce": query["nonce"],
            "echostr": sealed["Encrypt"]})

    def envelope(self, fields: Dict[str, Any], mode: str, query: Dict[str, str]) -> Tuple[str, Dict[str, str]]:
        sealed = xmltodict.parse(self.crypto.encrypt_message(self.to_xml(fields), query["nonce"],
                                                             query["timestamp"]))["xml"]
        outer = {"ToUserName": fields["ToUserName"], "AgentID": self.agent_id, "Encrypt": sealed["Encrypt"]}
        return self.to_xml(outer), {"msg_signature": sealed["MsgSignature"], "timestamp": query["timestamp"],
                                    "nonce": query["nonce"]}

    def post(self, fields: Dict[str, Any], mode: Optional[str] = SAFE, timeout: float = 30,
             **query_args: Any) -> Reply:
        return super().post(fields, SAFE, timeout, **query_args)
