"""WeChat and WeCom channels end to end: a simulated WeChat server (wechatpy's own signing and AES) posts
callbacks over HTTP to the real Rasa server; slow turns go out through a fake customer-service API."""
import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest
import requests

from triage import knowledge
from channels.wechat import protocol, render
from tests import servers
from tests.wechat_sim import COMPATIBLE, PLAIN, SAFE, WeChatSimulator, WeComSimulator

pytestmark = pytest.mark.e2e

ENV = servers.WECHAT_TEST_ENV
DISCLAIMER = knowledge.disclaimer()
UNSUPPORTED = knowledge.load()["channel_texts"]["wechat_unsupported"]
BUDGET = float(ENV["WECHAT_REPLY_BUDGET"])
# A question answered by a custom action, so a slowed relay to the action server slows the turn.
ACTION_QUESTION = "肌肉萎缩是什么原因"


@pytest.fixture(scope="module")
def sim(rasa_server) -> WeChatSimulator:
    sim = WeChatSimulator(rasa_server, ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])
    sim.post(sim.text(sim.new_openid(), "你好"))  # warm the model up before timing-sensitive tests
    return sim


@pytest.fixture(scope="module")
def wecom(rasa_server) -> WeComSimulator:
    return WeComSimulator(rasa_server, ENV["WECOM_TOKEN"], ENV["WECOM_CORP_ID"], ENV["WECOM_ENCODING_AES_KEY"],
                          ENV["WECOM_AGENT_ID"])


class Tracker:
    """The conversations Rasa stored, read from its SQLite tracker store."""

    def __init__(self, path) -> None:
        self.path = path

    def user_texts(self, openid: str, channel: str = "wechat") -> List[str]:
        sender = protocol.sender_id(openid, ENV["WECHAT_SENDER_KEY"], channel)
        with sqlite3.connect(self.path) as db:
            rows = db.execute("select data from events where sender_id = ? and type_name = 'user' order by id",
                              (sender,)).fetchall()
        return [json.loads(data)["text"] for (data,) in rows]

    def mentions(self, value: str) -> int:
        with sqlite3.connect(self.path) as db:
            return db.execute("select count(*) from events where sender_id like ? or data like ?",
                              (f"%{value}%", f"%{value}%")).fetchone()[0]


@pytest.fixture(scope="module")
def tracker(workdir, rasa_server) -> Tracker:
    if servers.base_env(workdir)["TRACKER_DIALECT"] != "sqlite":
        pytest.skip("turn counting reads the SQLite tracker store")
    return Tracker(workdir / "tracker.db")


def assert_whole_turn(reply) -> None:
    assert reply.status == 200 and reply.content, reply.response.text[:300]
    assert reply.content.endswith(DISCLAIMER)
    assert len(reply.content.encode("utf-8")) <= render.PASSIVE_MAX_BYTES


# ---------------------------------------------------------------------------------------------- verification


def test_url_verification_echoes_echostr(sim):
    response = sim.verify("1234567890abc")
    assert response.status_code == 200 and response.text == "1234567890abc"


@pytest.mark.parametrize("query,status", [
    ({"token": "not-the-token"}, 403),
    ({"timestamp": int(time.time()) - 3600}, 403),
])
def test_url_verification_refuses_bad_signatures_and_stale_timestamps(sim, query, status):
    response = sim.verify("1234567890abc", **query)
    assert response.status_code == status and "1234567890abc" not in response.text


def test_url_verification_without_a_nonce_is_a_400(sim):
    response = requests.get(f"{sim.base_url}{sim.path}", params={"signature": "x", "timestamp": str(int(time.time())),
                                                                  "echostr": "e"}, timeout=10)
    assert response.status_code == 400


# ------------------------------------------------------------------------------------------------------ modes


@pytest.mark.parametrize("mode", [COMPATIBLE, SAFE])
def test_text_message_gets_a_passive_reply_in_each_mode(sim, tracker, mode):
    openid = sim.new_openid()
    reply = sim.post(sim.text(openid, "你好"), mode)
    assert_whole_turn(reply)
    assert reply.fields["ToUserName"] == openid and reply.fields["FromUserName"] == sim.account
    assert reply.fields["MsgType"] == "text"
    # Encrypted and signed: the simulator checked MsgSignature while opening it.
    assert "<Encrypt>" in reply.response.text and "<Content>" not in reply.response.text
    assert tracker.user_texts(openid) == ["你好"]
    assert tracker.mentions(openid) == 0, "the raw OpenID is never stored"


def test_plaintext_is_refused_when_an_aes_key_is_configured(sim, tracker):
    """A plaintext signature covers no body: with safe mode configured, a correctly signed plaintext callback
    (a captured URL with another FromUserName, say) gets a 403 and no turn."""
    openid = sim.new_openid()
    reply = sim.post(sim.text(openid, "你好"), PLAIN)
    assert reply.status == 403 and "plaintext" in reply.response.text
    assert tracker.user_texts(openid) == []


def test_a_nonce_is_not_accepted_for_another_message(sim, tracker):
    """Within the 300-second window a signed nonce belongs to one message; its retries still get the reply."""
    victim, intruder = sim.new_openid(), sim.new_openid()
    captured = {"nonce": f"n{time.time_ns()}", "timestamp": int(time.time())}
    message = sim.text(victim, "你好")
    first = sim.post(message, **captured)
    assert_whole_turn(first)
    assert sim.post(message, **captured).content == first.content, "a retry with the same nonce: same reply"
    replay = sim.post(sim.text(intruder, "生成摘要"), **captured)
    assert replay.status == 403 and "nonce" in replay.response.text
    assert tracker.user_texts(victim) == ["你好"] and tracker.user_texts(intruder) == []


def test_bad_signatures_are_refused_without_a_turn(sim, tracker):
    openid = sim.new_openid()
    assert sim.post(sim.text(openid, "你好"), COMPATIBLE, token="wrong").status == 403
    assert sim.post(sim.text(openid, "你好"), SAFE, token="wrong").status == 403

    body, query = sim.envelope(sim.text(openid, "你好"), SAFE, sim.query())
    assert sim.post_raw(body.encode(), {**query, "msg_signature": "0" * 40}, encrypted=True).status == 403
    tampered = body.replace("<Encrypt>", "<Encrypt>AAAA")
    assert sim.post_raw(tampered.encode(), query, encrypted=True).status == 403

    other_app = WeChatSimulator(sim.base_url, ENV["WECHAT_TOKEN"], "wxsomeoneelse0000", ENV["WECHAT_ENCODING_AES_KEY"])
    assert other_app.post(other_app.text(openid, "你好"), SAFE).status == 403
    assert tracker.user_texts(openid) == []


# ---------------------------------------------------------------------------------------------- message types


def test_voice_with_recognition_is_text(sim, tracker):
    openid = sim.new_openid()
    reply = sim.post(sim.message(openid, "voice", MediaId="m1", Format="amr", Recognition="你好",
                                 MsgId=sim.new_msg_id()))
    assert_whole_turn(reply)
    assert tracker.user_texts(openid) == ["你好"]


@pytest.mark.parametrize("msg_type,fields", [
    ("image", {"PicUrl": "http://example.com/p.jpg", "MediaId": "m"}),
    ("voice", {"MediaId": "m", "Format": "amr"}),
    ("video", {"MediaId": "m", "ThumbMediaId": "t"}),
    ("shortvideo", {"MediaId": "m", "ThumbMediaId": "t"}),
    ("location", {"Location_X": "23.13", "Location_Y": "113.26", "Scale": "15", "Label": "广州"}),
    ("link", {"Title": "t", "Description": "d", "Url": "http://example.com"}),
])
def test_unreadable_messages_get_the_polite_request_to_type(sim, tracker, msg_type, fields):
    openid = sim.new_openid()
    reply = sim.post(sim.message(openid, msg_type, MsgId=sim.new_msg_id(), **fields), SAFE)
    assert_whole_turn(reply)
    assert reply.content.startswith(UNSUPPORTED)
    assert tracker.user_texts(openid) == [], "no bot turn"


def test_subscribe_welcomes_with_numbered_options_that_answer_by_number(sim, tracker):
    openid = sim.new_openid()
    welcome = sim.post(sim.message(openid, "event", Event="subscribe"))
    assert_whole_turn(welcome)
    assert "\n1. " in welcome.content and "\n2. " in welcome.content
    chosen = sim.post(sim.text(openid, "１"))
    assert_whole_turn(chosen)
    texts = tracker.user_texts(openid)
    assert texts[0] == protocol.WELCOME_TEXT
    assert texts[1].startswith("/"), "the number went to Rasa as the first button's payload"


def test_unsubscribe_and_other_events_get_success(sim, tracker):
    openid = sim.new_openid()
    assert sim.post(sim.message(openid, "event", Event="unsubscribe")).is_success
    assert sim.post(sim.message(openid, "event", Event="CLICK", EventKey="menu")).is_success
    assert tracker.user_texts(openid) == []


# -------------------------------------------------------------------------------------------------- bad input


def _raw(sim, body: bytes, **query_args):
    """The body as the callback's message: sealed in a valid safe-mode envelope when it is text, so that the
    checks after decryption are reached; bytes that are not UTF-8 (or too many of them) go as they are."""
    query = sim.query(**query_args)
    try:
        if len(body) < 60 * 1024:
            outer, query = sim.seal(body.decode("utf-8"), query)
            return sim.post_raw(outer.encode("utf-8"), query, encrypted=True)
    except UnicodeDecodeError:
        pass
    return sim.post_raw(body, query)


@pytest.mark.parametrize("body,status", [
    (b"<xml><ToUserName>a</ToUserName>", 400),
    (b"\xff\xfe\x00<", 400),
    ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh'
     "</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
     "<Content>&x;</Content></xml>".encode(), 400),
    (b"<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType><Content>hi</Content></xml>", 400),
    (b"<xml>" + b"<Content>" + b"a" * (70 * 1024) + b"</Content></xml>", 413),
])
def test_malformed_hostile_or_oversized_bodies_are_refused(sim, body, status):
    assert _raw(sim, body).status == status
    assert sim.verify("still-up").text == "still-up"


def test_unknown_types_and_stale_messages_get_success_without_a_turn(sim, tracker):
    openid = sim.new_openid()
    assert sim.post(sim.message(openid, "hologram", MsgId=sim.new_msg_id())).is_success
    assert sim.post(sim.text(openid, "你好", create_time=int(time.time()) - 3600)).is_success
    assert sim.post(sim.text(openid, "你好"), timestamp=int(time.time()) - 3600).status == 403
    assert tracker.user_texts(openid) == []


# -------------------------------------------------------------------------------- retries and the deadline


def test_retries_get_the_same_reply_from_one_turn(sim, tracker, relay):
    relay.delay = 0.8
    openid = sim.new_openid()
    message = sim.text(openid, ACTION_QUESTION)

    def send(pause):
        time.sleep(pause)
        return sim.post(message, SAFE)

    with ThreadPoolExecutor(3) as pool:
        replies = list(pool.map(send, [0, 0.2, 0.4]))
    relay.delay = 0.0
    late = sim.post(message, SAFE)
    for reply in [*replies, late]:
        assert_whole_turn(reply)
    assert len({r.content for r in [*replies, late]}) == 1
    assert tracker.user_texts(openid) == [ACTION_QUESTION], "one bot turn"


def test_a_slow_turn_answers_success_in_time_and_arrives_through_customer_service(sim, tracker, relay, wechat_api):
    relay.delay = BUDGET + 1.0
    openid = sim.new_openid()
    message = sim.text(openid, ACTION_QUESTION)
    results = {}

    def first():
        started = time.time()
        results["first"] = (sim.post(message), time.time() - started)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.5)
    retry = sim.post(message)
    thread.join()
    reply, elapsed = results["first"]
    assert reply.is_success and retry.is_success
    assert elapsed < BUDGET + 1.0 < 5, "answered before WeChat's 5-second deadline"

    sent = wechat_api.sent_to(openid, timeout=20)
    assert sent, "the turn arrived through the customer-service API"
    time.sleep(0.5)
    sent = wechat_api.sent_to(openid)
    assert all(m["msgtype"] == "text" for m in sent)
    assert sent[-1]["text"]["content"].endswith(DISCLAIMER)
    assert all(len(m["text"]["content"].encode()) <= render.PASSIVE_MAX_BYTES for m in sent)
    assert tracker.user_texts(openid) == [ACTION_QUESTION], "one bot turn despite the retry"
    assert len(wechat_api.token_requests) >= 1


def test_a_long_result_is_split_and_the_rest_sent_through_customer_service(sim, wechat_api):
    """The interview, answered by numbers, ends in a result longer than one passive reply."""
    openid = sim.new_openid()
    reply = sim.post(sim.text(openid, "我最近两条腿没劲,上楼很费劲"))
    # Adult onset, over weeks, then the first option: a path that reaches a long, uncertain result.
    for answer in ["3", "2", "1", "1", "1", "1", "1", "1"]:
        assert reply.status == 200 and reply.content
        if not reply.content.endswith(DISCLAIMER):  # only the last part of a split turn carries it
            break
        assert "\n1. " in reply.content, f"each interview question offers numbered answers: {reply.content}"
        reply = sim.post(sim.text(openid, answer))
    rest = [m["text"]["content"] for m in wechat_api.sent_to(openid, timeout=10)]
    time.sleep(0.5)
    rest = [m["text"]["content"] for m in wechat_api.sent_to(openid)]
    assert rest, "the result was not split"
    parts = [reply.content, *rest]
    assert all(len(p.encode("utf-8")) <= render.PASSIVE_MAX_BYTES for p in parts)
    assert parts[-1].endswith(DISCLAIMER) and sum(p.count(DISCLAIMER) for p in parts) == 1
    assert knowledge.load()["channel_texts"]["triage_title"] in "\n".join(parts), "the triage_result payload, as text"


# ----------------------------------------------------------------------------------------------------- WeCom


def test_wecom_verification_and_an_encrypted_text_turn(wecom, tracker):
    response = wecom.verify("wecom-echo-42")
    assert response.status_code == 200 and response.text == "wecom-echo-42"
    impostor = WeComSimulator(wecom.base_url, "not-the-token", ENV["WECOM_CORP_ID"], ENV["WECOM_ENCODING_AES_KEY"],
                              ENV["WECOM_AGENT_ID"])
    assert impostor.verify("wecom-echo-42").status_code == 403

    user = f"user{time.time_ns()}"
    reply = wecom.post(wecom.text(user, "你好"))
    assert_whole_turn(reply)
    assert reply.fields["AgentID"] == ENV["WECOM_AGENT_ID"] and reply.fields["ToUserName"] == user
    assert impostor.post(impostor.text(user, "你好")).status == 403
    assert tracker.user_texts(user, channel="wecom") == ["你好"]
    assert tracker.mentions(user) == 0, "the raw UserID is never stored"
