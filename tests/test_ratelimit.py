"""Rate limits (channels/ratelimit.py): the token bucket, and each channel over HTTP / socket.io with a fake Rasa:
over the limit the patient gets the wait message with the disclaimer, the bot is not called, the log says so
without the message text."""
import asyncio
import logging
import time
import uuid

import pytest
import requests

from channels import ratelimit
from channels.ratelimit import Limit, MemoryBuckets, RateLimiter
from channels.rest import RestChannel
from channels.socketio import SocketChannel
from channels.wechat import WeChatChannel
from channels.wechat.state import MemoryState
from tests import servers
from tests.inprocess import ChannelServer, FakeRasa
from tests.wechat_sim import WeChatSimulator
from triage import knowledge

DISCLAIMER = knowledge.disclaimer()
WAIT = knowledge.load()["channel_texts"]["rate_limited"]
GENEROUS = Limit(6000, 1000)
SECRET_TEXT = "限流测试的秘密内容"


def limiter(channel: str, sender: Limit = GENEROUS, address: Limit = GENEROUS, exempt: str = "") -> RateLimiter:
    return RateLimiter(channel, sender, address, ratelimit.parse_networks(exempt), MemoryBuckets())


# ------------------------------------------------------------------------------------------------ the bucket


async def test_bucket_allows_the_burst_then_refills_at_the_rate():
    now = [0.0]
    buckets, limit = MemoryBuckets(clock=lambda: now[0]), Limit(per_minute=60, burst=3)
    assert [await buckets.take([("k", limit)]) for _ in range(3)] == [(-1, 0)] * 3
    denied, wait = await buckets.take([("k", limit)])
    assert denied == 0 and wait == pytest.approx(1.0), "empty: one token a second"
    now[0] = 1.0
    assert await buckets.take([("k", limit)]) == (-1, 0)
    assert await buckets.take([("other", limit)]) == (-1, 0), "buckets are per key"
    now[0] = 100.0
    assert [(await buckets.take([("k", limit)]))[0] for _ in range(4)] == [-1, -1, -1, 0], "refills to the burst"


async def test_a_message_over_one_limit_takes_no_token_from_the_other():
    buckets, roomy, tight = MemoryBuckets(clock=lambda: 0.0), Limit(60, 2), Limit(60, 1)
    assert await buckets.take([("addr", roomy), ("sender", tight)]) == (-1, 0)
    assert (await buckets.take([("addr", roomy), ("sender", tight)]))[0] == 1, "the sender's bucket is empty"
    assert await buckets.take([("addr", roomy), ("other", tight)]) == (-1, 0), "the address kept its token"
    assert (await buckets.take([("addr", roomy), ("third", tight)]))[0] == 0


def test_bucket_memory_is_bounded():
    buckets = MemoryBuckets(max_keys=10)
    for i in range(50):
        asyncio.run(buckets.take([(f"k{i}", Limit(60, 1))]))
    assert len(buckets._buckets) == 10


async def test_limiter_checks_address_then_sender_and_honours_exemptions():
    strict = Limit(per_minute=1, burst=1)
    by_address = limiter("rest", address=strict)
    assert await by_address.check("a", "203.0.113.9") is None
    denial = await by_address.check("b", "203.0.113.9")
    assert denial.limit == "address" and denial.retry_after > 0
    assert await by_address.check("c", "203.0.113.10") is None
    exempt = limiter("rest", address=strict, exempt="127.0.0.0/8 ::1")
    assert all([await exempt.check(f"s{i}", "127.0.0.1") is None for i in range(5)])
    by_sender = limiter("rest", sender=strict)
    assert await by_sender.check("a", "203.0.113.9") is None
    assert (await by_sender.check("a", "203.0.113.11")).limit == "sender"
    off = limiter("rest", sender=Limit(0, 0), address=Limit(0, 0))
    assert all([await off.check("a", "203.0.113.9") is None for _ in range(5)])


def test_the_defaults_let_the_load_test_and_the_benchmarks_through():
    """bench/load.py: 50 conversations x 20 messages from 127.0.0.1 as fast as the server answers;
    bench/wechat_bench.py: 40 messages per user at once."""
    import settings

    assert settings.RATE_LIMIT_SENDER_BURST >= 40
    assert settings.RATE_LIMIT_ADDRESS_BURST >= 50 * 20
    assert settings.RATE_LIMIT_ADDRESS_PER_MINUTE / 60 >= 60, "above what one Rasa process serves"


# ------------------------------------------------------------------------------------------------------ REST


@pytest.fixture
def rest_server():
    channel = RestChannel(limiter("rest", sender=Limit(per_minute=1, burst=2), address=Limit(per_minute=1, burst=4)))
    server = ChannelServer(channel)
    yield server
    server.stop()


def _rest(server, sender, text=SECRET_TEXT):
    return requests.post(f"{server.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=10)


def assert_wait_turn(messages, recipient=None):
    assert [m["text"] for m in messages] == [WAIT, DISCLAIMER]
    assert messages[-1].get("disclaimer") is True
    if recipient:
        assert all(m.get("recipient_id") == recipient for m in messages)


def test_rest_over_the_sender_limit_gets_the_wait_message_and_the_bot_is_not_called(rest_server, caplog):
    caplog.set_level(logging.INFO)
    sender = f"test-{uuid.uuid4().hex}"
    assert [_rest(rest_server, sender).status_code for _ in range(2)] == [200, 200]
    over = _rest(rest_server, sender)
    assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 1
    assert_wait_turn(over.json(), sender)
    assert rest_server.rasa.texts == [SECRET_TEXT] * 2, "the third message never reached the bot"
    logged = [r.getMessage() for r in caplog.records if r.name == "channels.ratelimit"]
    assert any("per-sender limit" in line for line in logged)
    assert SECRET_TEXT not in caplog.text and sender not in caplog.text


def test_rest_over_the_address_limit(rest_server):
    codes = [_rest(rest_server, f"test-{uuid.uuid4().hex}").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert len(rest_server.rasa.texts) == 4


def test_rest_client_address_comes_from_the_proxy_header_only_when_configured(rest_server):
    # Without SANIC_REAL_IP_HEADER / SANIC_PROXIES_COUNT a forged X-Forwarded-For changes nothing.
    codes = [requests.post(f"{rest_server.url}/webhooks/rest/webhook", timeout=10,
                           headers={"X-Forwarded-For": f"198.51.100.{i}"},
                           json={"sender": f"test-{uuid.uuid4().hex}", "message": "x"}).status_code for i in range(5)]
    assert codes[-1] == 429


# --------------------------------------------------------------------------------------------------- socket.io


ORIGIN = "http://chat.test"


@pytest.fixture
def socket_server():
    channel = SocketChannel.from_credentials({"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
                                              "session_persistence": True, "cors_allowed_origins": ORIGIN})
    channel.limiter = limiter("socketio", sender=Limit(per_minute=1, burst=2))
    server = ChannelServer(channel)
    yield server
    server.stop()


def test_socketio_over_the_sender_limit_gets_the_wait_message(socket_server, caplog):
    import socketio

    caplog.set_level(logging.INFO)
    received, session = [], uuid.uuid4().hex

    async def talk() -> None:
        client = socketio.AsyncClient(reconnection=False)
        client.on("bot_uttered", lambda data: received.append(data))
        await client.connect(socket_server.url, headers={"Origin": ORIGIN}, transports=["polling"],
                             wait_timeout=10)
        try:
            await client.emit("session_request", {"session_id": session})
            for i in range(3):
                before = len(received)
                await client.emit("user_uttered", {"message": f"{SECRET_TEXT}{i}", "session_id": session})
                deadline = time.time() + 10
                while len(received) < before + 2 and time.time() < deadline:
                    await asyncio.sleep(0.05)
        finally:
            # abort: a polite disconnect waits for the pending long-poll (up to 25 s)
            await client.eio.disconnect(abort=True)
            if client.eio.http is not None:
                await client.eio.http.close()

    asyncio.run(talk())
    texts = [m.get("text") for m in received]
    assert texts[:2] == [f"echo:{SECRET_TEXT}0", DISCLAIMER]
    assert texts[2:4] == [f"echo:{SECRET_TEXT}1", DISCLAIMER]
    assert texts[4:] == [WAIT, DISCLAIMER] and received[-1].get("disclaimer") is True
    assert socket_server.rasa.texts == [f"{SECRET_TEXT}0", f"{SECRET_TEXT}1"]
    assert SECRET_TEXT not in caplog.text and "per-sender limit" in caplog.text


# ------------------------------------------------------------------------------------------------------ WeChat


ENV = servers.WECHAT_TEST_ENV


@pytest.fixture
def wechat_server():
    channel = WeChatChannel.from_credentials({
        "token": ENV["WECHAT_TOKEN"], "app_id": ENV["WECHAT_APP_ID"], "app_secret": ENV["WECHAT_APP_SECRET"],
        "encoding_aes_key": ENV["WECHAT_ENCODING_AES_KEY"], "sender_key": "k", "reply_budget": "2",
    })
    channel.limiter = limiter("wechat", sender=Limit(per_minute=1, burst=2))
    # A fresh reply each time: Rasa's send_response pops keys from the message it is given.
    server = ChannelServer(channel, FakeRasa(reply=lambda text: [
        {"text": "选哪个", "buttons": [{"title": "甲", "payload": "/ask_causes"}]}]))
    yield server
    server.stop()


def test_wechat_over_the_sender_limit_gets_the_wait_message_and_keeps_its_buttons(wechat_server, caplog):
    caplog.set_level(logging.INFO)
    sim = WeChatSimulator(wechat_server.url, ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])
    openid = sim.new_openid()
    for text in ("你好", SECRET_TEXT):
        assert "1. 甲" in sim.post(sim.text(openid, text)).content
    over = sim.text(openid, "1")
    replies = [sim.post(over), sim.post(over)]  # the message, then WeChat's retry of it
    for reply in replies:
        assert reply.status == 200 and reply.content == f"{WAIT}\n\n{DISCLAIMER}"
    assert wechat_server.rasa.texts == ["你好", SECRET_TEXT]
    channel = wechat_server.channel
    sender = wechat_server.rasa.senders[0]
    assert wechat_server.call(channel.state.buttons(sender)) == ["/ask_causes"], "button memory untouched"
    assert SECRET_TEXT not in caplog.text and openid not in caplog.text
    assert "a wechat message over the per-sender limit" in caplog.text


def test_wechat_address_limit_is_separate_and_higher_by_default():
    import settings

    channel = WeChatChannel(WeChatChannel.from_credentials({"token": "t"}).config, state=MemoryState("wechat", 60))
    assert channel.limiter.address.per_minute == settings.RATE_LIMIT_WECHAT_ADDRESS_PER_MINUTE
    assert settings.RATE_LIMIT_WECHAT_ADDRESS_PER_MINUTE >= settings.RATE_LIMIT_ADDRESS_PER_MINUTE
