"""State shared through Redis by several Rasa processes (persistence/shared_state.py): WeChat retry
deduplication, buttons, nonces, the access token, the rate-limit buckets, and the pub/sub relay of handoff
pushes to web chat sockets. Two channel objects stand for two processes; the end-to-end versions with two Rasa
servers are tests/test_scaleout_wechat.py and tests/test_handoff_e2e.py."""
import asyncio
import threading
import time
import uuid
from types import SimpleNamespace

import pytest

import settings
from channels.ratelimit import Limit, RateLimiter, RedisBuckets
from channels.socketio import PUSH_TOPIC, SocketChannel
from channels.wechat import WeChatChannel, api, protocol
from channels.wechat.state import RedisState
from persistence import shared_state
from tests import infra, servers
from tests.inprocess import FakeRasa
from tests.wechat_sim import WeChatSimulator

ENV = servers.WECHAT_TEST_ENV
SIM = WeChatSimulator("http://unused", ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])
NAMES = ("SHARED_STATE_IN_REDIS", "REDIS_STATE_PREFIX", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = infra.redis_server(tmp_path_factory.mktemp("redis"))
    saved = {name: getattr(settings, name) for name in NAMES}
    settings.SHARED_STATE_IN_REDIS = True
    settings.REDIS_STATE_PREFIX = f"test-{uuid.uuid4().hex[:8]}:"  # CI's Redis outlives a run
    shared_state.configure(host=server.host, port=server.port, password=server.password or None, db=3)
    yield server
    for name, value in saved.items():
        setattr(settings, name, value)
    shared_state.configure()
    server.stop()


def parse(fields):
    return protocol.parse_xml(SIM.to_xml(fields))


def channel(budget: float = 2.0) -> WeChatChannel:
    made = WeChatChannel.from_credentials({
        "token": ENV["WECHAT_TOKEN"], "app_id": ENV["WECHAT_APP_ID"], "app_secret": ENV["WECHAT_APP_SECRET"],
        "encoding_aes_key": ENV["WECHAT_ENCODING_AES_KEY"], "sender_key": "k", "reply_budget": str(budget),
    })
    assert isinstance(made.state, RedisState)
    return made


async def test_a_message_on_two_processes_is_one_turn_with_one_reply(redis_server):
    a, b, rasa = channel(), channel(), FakeRasa(delay=0.3)
    message = parse(SIM.text(SIM.new_openid(), "腿没劲"))
    replies = await asyncio.gather(a.handle(message, rasa), b.handle(message, rasa), a.handle(message, rasa))
    assert rasa.texts == ["腿没劲"]
    assert replies[0].startswith("echo:腿没劲") and len(set(replies)) == 1
    assert await b.handle(message, rasa) == replies[0], "a late retry on the other process: the same reply"
    assert rasa.texts == ["腿没劲"]


async def test_a_retry_waits_no_longer_than_the_budget_when_the_first_process_died(redis_server):
    a, b = RedisState("wechat", 60), RedisState("wechat", 60)
    key = f"msg:{uuid.uuid4().int % 10**18}"
    assert await a.claim(key) is True  # ... and a dies before publishing
    assert await b.claim(key) is False
    assert await b.wait(key, timeout=0.3) is None, "'success'; WeChat shows nothing"


async def test_buttons_and_nonces_are_shared(redis_server):
    a, b = RedisState("wechat", 60), RedisState("wechat", 60)
    sender = f"wechat-{uuid.uuid4().hex}"
    await a.set_buttons(sender, ["/a", "/b"])
    assert await b.buttons(sender) == ["/a", "/b"]
    await b.set_buttons(sender, [])
    assert await a.buttons(sender) == []
    nonce = f"{uuid.uuid4().hex}"
    assert await a.first_use_of_nonce(nonce, "message-1", 600) is True
    assert await b.first_use_of_nonce(nonce, "message-1", 600) is True, "a retry of the same message"
    assert await b.first_use_of_nonce(nonce, "message-2", 600) is False, "a replay with another message"


async def test_a_number_answers_the_buttons_another_process_showed(redis_server):
    a, b = channel(), channel()
    rasa = FakeRasa(reply=lambda text: [{"text": "选", "buttons": [{"title": "甲", "payload": "/ask_causes"}]}])
    openid = SIM.new_openid()
    await a.handle(parse(SIM.text(openid, "你好")), rasa)
    await b.handle(parse(SIM.text(openid, "1")), rasa)
    assert rasa.texts == ["你好", "/ask_causes"]


@pytest.fixture
def fake_api():
    server = servers.FakeWeChatAPI()
    yield server
    server.close()


def test_two_processes_share_one_access_token_and_refresh_it_once(redis_server, fake_api):
    base = fake_api.env["WECHAT_API_BASE_URL"]
    clients = [api.WeChatApiClient(ENV["WECHAT_APP_ID"], ENV["WECHAT_APP_SECRET"], base, timeout=3) for _ in range(2)]
    assert all(isinstance(c.session, api.RedisStorage) for c in clients)
    clients[0].session.delete(clients[0].access_token_key)  # a previous test run's token
    errors = []

    def send(client, n):
        try:
            for i in range(n):
                client.message.send_text("oUser", f"{id(client)}-{i}")
        except Exception as error:  # reported below
            errors.append(error)

    def all_send(n):
        threads = [threading.Thread(target=send, args=(c, n)) for c in clients for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    all_send(2)
    assert errors == [] and len(fake_api.sent) == 12
    assert len(fake_api.token_requests) == 1, "six threads in two processes, one token"
    fake_api.expire_tokens()  # as when the token is refreshed elsewhere
    all_send(1)
    assert errors == [] and len(fake_api.sent) == 18
    assert len(fake_api.token_requests) == 2, "one refresh, not one per process or thread"


async def test_rate_limit_buckets_are_shared(redis_server):
    a, b = (RateLimiter("rest", Limit(1, 3), Limit(0, 0), buckets=RedisBuckets()) for _ in range(2))
    sender = f"test-{uuid.uuid4().hex}"
    assert [await a.check(sender, None), await b.check(sender, None), await a.check(sender, None)] == [None] * 3
    denial = await b.check(sender, None)
    assert denial is not None and denial.limit == "sender" and 0 < denial.retry_after <= 60
    # Both buckets in one script: over the sender limit, the address keeps its token.
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    c = RateLimiter("rest", Limit(1, 1), Limit(1, 2), buckets=RedisBuckets())
    first, second = f"test-{uuid.uuid4().hex}", f"test-{uuid.uuid4().hex}"
    assert await c.check(first, address) is None
    assert (await c.check(first, address)).limit == "sender"
    assert await c.check(second, address) is None, "the refused message took no address token"
    assert (await c.check(f"test-{uuid.uuid4().hex}", address)).limit == "address"


async def test_redis_down_lets_messages_through_and_dedupes_in_process(redis_server):
    saved = settings.REDIS_PORT
    shared_state.configure(port=servers.free_port())  # nothing listens there
    try:
        limiter = RateLimiter("rest", Limit(1, 1), Limit(0, 0), buckets=RedisBuckets())
        assert [await limiter.check("s", None) for _ in range(3)] == [None] * 3
        a, rasa = channel(), FakeRasa()
        message = parse(SIM.text(SIM.new_openid(), "你好"))
        replies = [await a.handle(message, rasa), await a.handle(message, rasa)]
        assert rasa.texts == ["你好"] and replies[0] == replies[1]
    finally:
        shared_state.configure(port=saved)


def test_state_follows_the_lock_store_rasa_loaded_whatever_the_environment_says(redis_server):
    """deploy/endpoints.prod.yml names the Redis lock store without LOCK_STORE_TYPE in the environment: at
    server start the channels adopt the lock store's own Redis."""
    from rasa.core.lock_store import InMemoryLockStore

    from persistence.lock_store import AtomicRedisLockStore

    saved = {name: getattr(settings, name) for name in NAMES}
    try:
        settings.SHARED_STATE_IN_REDIS = False
        assert shared_state.adopt_lock_store(InMemoryLockStore()) is False and not shared_state.enabled()
        store = AtomicRedisLockStore(host=redis_server.host, port=redis_server.port,
                                     password=redis_server.password or None, db=5)
        assert shared_state.adopt_lock_store(store) is True and shared_state.enabled()
        assert (settings.REDIS_HOST, settings.REDIS_PORT, settings.REDIS_DB) == (redis_server.host, redis_server.port, 5)
        assert shared_state.sync_client().ping()
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        shared_state.configure()


# ---- handoff pushes to web chat sockets held by another process (channels/socketio.py SocketChannel.push)


class FakeSocketServer:
    """What SocketChannel.push uses of python-socketio's server: the rooms of this process and emit."""

    def __init__(self, *rooms: str) -> None:
        self.manager = SimpleNamespace(rooms={"/": {room: {"sid-" + room: "eio"} for room in rooms}})
        self.emitted: list = []

    async def emit(self, event, data, room=None, namespace=None) -> None:
        self.emitted.append((event, data, room))


def socket_channel(*rooms: str) -> SocketChannel:
    made = SocketChannel(session_persistence=True)
    made.sio = FakeSocketServer(*rooms)
    return made


TURN = [{"text": "您好,我是客服", "handoff_staff": True}, {"text": "温馨提示", "disclaimer": True}]


async def until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.fixture
def two_process_ids(monkeypatch):
    """One module stands for two processes: each subscription keeps the id it was started under."""
    def become(name: str) -> None:
        monkeypatch.setattr(shared_state, "PROCESS_ID", name)
    return become


async def test_a_push_reaches_the_socket_another_process_holds_once(redis_server, two_process_ids):
    session = uuid.uuid4().hex
    a, b = socket_channel(), socket_channel(session)  # the patient's socket is on b
    ready_a, ready_b = asyncio.Event(), asyncio.Event()
    two_process_ids("process-a")
    listen_a = asyncio.create_task(shared_state.subscribe(PUSH_TOPIC, a._relayed, ready_a))
    listen_b = None
    try:
        await asyncio.wait_for(ready_a.wait(), 10)  # the id is taken when the subscription starts
        two_process_ids("process-b")
        listen_b = asyncio.create_task(shared_state.subscribe(PUSH_TOPIC, b._relayed, ready_b))
        await asyncio.wait_for(ready_b.wait(), 10)
        two_process_ids("process-a")
        assert await a.push(session, TURN) is None
        await until(lambda: len(b.sio.emitted) == 2)
        assert [(e, d["text"], r) for e, d, r in b.sio.emitted] == [("bot_uttered", m["text"], session) for m in TURN]
        assert b.sio.emitted[0][1]["handoff_staff"] is True and b.sio.emitted[1][1]["disclaimer"] is True
        # a emitted to its own (empty) room once and did not take its own publication for another's
        await asyncio.sleep(0.3)
        assert len(a.sio.emitted) == 2 and len(b.sio.emitted) == 2
    finally:
        tasks = [t for t in (listen_a, listen_b) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_without_redis_state_a_push_stays_in_the_process(redis_server):
    saved = settings.SHARED_STATE_IN_REDIS
    settings.SHARED_STATE_IN_REDIS = False
    try:
        here, elsewhere = socket_channel("s1" * 16), socket_channel()
        assert await here.push("s1" * 16, TURN) is None and len(here.sio.emitted) == 2
        assert await elsewhere.push("s1" * 16, TURN) is None  # one process: nobody else could hold it
    finally:
        settings.SHARED_STATE_IN_REDIS = saved


async def test_redis_down_a_push_still_reaches_the_sockets_here_and_says_when_it_reached_none(redis_server, caplog):
    saved = settings.REDIS_PORT
    shared_state.configure(port=servers.free_port())  # nothing listens there
    try:
        session = uuid.uuid4().hex
        here, elsewhere = socket_channel(session), socket_channel()
        assert await here.push(session, TURN) is None
        assert [d["text"] for _, d, _ in here.sio.emitted] == [m["text"] for m in TURN]
        assert await elsewhere.push(session, TURN) == {"code": "not_live"}
        assert "publishing on socketio_push failed" in caplog.text
    finally:
        shared_state.configure(port=saved)


async def test_a_lost_subscription_comes_back_by_itself(redis_server, two_process_ids):
    relay = servers.Relay(redis_server.port)
    saved = settings.REDIS_PORT
    heard: list = []

    async def handler(payload) -> None:
        heard.append(payload["n"])

    ready = asyncio.Event()
    shared_state.configure(port=relay.port)
    two_process_ids("listener")
    listening = asyncio.create_task(shared_state.subscribe("test_topic", handler, ready, retry_max=0.5))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        relay.cut = True
        relay.drop()  # Redis went away
        await until(lambda: not ready.is_set())
        relay.cut = False
        await asyncio.wait_for(ready.wait(), 10)
        two_process_ids("publisher")
        assert await shared_state.publish("test_topic", {"n": 1}) == 1
        await until(lambda: heard == [1])
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        relay.close()
        shared_state.configure(port=saved)
