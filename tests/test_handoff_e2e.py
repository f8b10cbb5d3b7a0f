"""Human handoff end to end without a browser: over the simulated WeChat server with the customer-service API
(staff working through the console's HTTP routes); and on two Rasa processes sharing PostgreSQL and Redis, as
in production: a web patient connected to one, the console's replies and the wait-limit timer on the other,
and the nobody-there rules."""
import asyncio
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List

import pytest
import requests

from channels.wechat import protocol as wechat_protocol
from staff import auth, handoff
from staff.db import StaffDB
from tests import infra, servers
from tests.conftest import MODEL, STAFF_PASSWORD
from tests.wechat_sim import WeChatSimulator
from triage import knowledge

pytestmark = pytest.mark.e2e

ENV = servers.WECHAT_TEST_ENV
DISCLAIMER = knowledge.disclaimer()


class StaffClient:
    """A staff member using the console over HTTP: logs in, then posts with the session's CSRF token."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.http = requests.Session()
        login = self.http.get(f"{url}/login", timeout=10)
        token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
        reply = self.http.post(f"{url}/login", data={"csrf": token, "next": "/handoff", "name": name,
                                                     "password": STAFF_PASSWORD}, timeout=10)
        assert reply.ok and "人工客服" in reply.text, reply.text[:300]
        self.csrf = re.search(r'data-csrf="([^"]+)"', reply.text).group(1)

    def claim(self, handoff_id: int) -> requests.Response:
        return self.http.post(f"{self.url}/handoff/{handoff_id}/claim", data={"csrf": self.csrf}, timeout=20)

    def reply(self, handoff_id: int, text: str) -> dict:
        reply = self.http.post(f"{self.url}/handoff/{handoff_id}/reply", json={"text": text},
                               headers={"X-CSRF-Token": self.csrf}, timeout=20)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def end(self, handoff_id: int) -> requests.Response:
        return self.http.post(f"{self.url}/handoff/{handoff_id}/end", data={"csrf": self.csrf}, timeout=20)

    def lines(self, handoff_id: int) -> list:
        return self.http.get(f"{self.url}/handoff/{handoff_id}/lines.json", timeout=10).json()["lines"]


def texts_to(api: servers.FakeWeChatAPI, openid: str, count: int, timeout: float = 15) -> list:
    """The customer-service texts sent to a user, waiting until there are at least `count`."""
    deadline = time.time() + timeout
    while True:
        sent = [m["text"]["content"] for m in api.sent_to(openid) if m.get("msgtype") == "text"]
        if len(sent) >= count or time.time() > deadline:
            return sent
        time.sleep(0.1)


def test_wechat_handoff_through_the_customer_service_api(rasa_server, staff_console, wechat_api):
    sim = WeChatSimulator(rasa_server, ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])
    openid = sim.new_openid()
    database = StaffDB(staff_console["db_url"])
    try:
        reply = sim.post(sim.text(openid, "能帮我转人工吗"))
        assert "已为您转接人工客服" in reply.content and reply.content.endswith(DISCLAIMER)
        sender = wechat_protocol.sender_id(openid, ENV["WECHAT_SENDER_KEY"], "wechat")
        row = handoff.open_for(database, sender)
        assert row["channel"] == "wechat" and row["reply_to"] == openid

        staff = StaffClient(staff_console["url"], "editor1")
        assert staff.claim(row["id"]).ok
        joined = texts_to(wechat_api, openid, 1)
        assert "工作人员已接入" in joined[0] and joined[0].endswith(DISCLAIMER)

        # The patient's message is held for the person: no bot reply ("success"), but stored and shown.
        held = sim.post(sim.text(openid, "我妈妈两条腿没劲半年了"))
        assert held.is_success, held.response.text[:200]
        assert any(l["who"] == "patient" and "两条腿没劲" in l["text"] for l in staff.lines(row["id"]))

        answer = staff.reply(row["id"], "您好,我是客服,请问妈妈多大年纪?")
        assert answer == {"delivered": True, "note": ""}
        sent = texts_to(wechat_api, openid, 2)
        assert "我是客服" in sent[1] and sent[1].endswith(DISCLAIMER)

        # WeChat refuses (48 hours without a message from the patient): the console says so clearly.
        wechat_api.refuse[openid] = 45015
        refused = staff.reply(row["id"], "还在吗?")
        assert refused["delivered"] is False and "45015" in refused["note"] and "48" in refused["note"]
        del wechat_api.refuse[openid]

        assert staff.end(row["id"]).ok
        back = texts_to(wechat_api, openid, 3)
        assert "人工客服已结束" in back[2] and back[2].endswith(DISCLAIMER)
        closed = handoff.get(database, row["id"])
        assert closed["status"] == handoff.ENDED and closed["reply_to"] is None  # the OpenID is not kept
        again = sim.post(sim.text(openid, "肌肉萎缩是什么原因"))
        assert "想了解哪一类" in again.content and again.content.endswith(DISCLAIMER)
    finally:
        database.engine.dispose()


def test_the_internal_endpoint_needs_the_token(rasa_server):
    url = f"{rasa_server}/webhooks/handoff/send"
    assert requests.post(url, json={"sender": "x", "text": "hi"}, timeout=10).status_code == 401
    wrong = requests.post(url, json={"sender": "x", "text": "hi"}, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
    right = requests.post(url, json={"sender": "nobody", "text": "hi"},
                          headers={"Authorization": f"Bearer {servers.base_env(servers.ROOT)['HANDOFF_TOKEN']}"}, timeout=10)
    assert right.status_code == 404  # authorised, but no open handoff for that conversation


# ---- two Rasa processes: the web patient on A, staff through B, the wait-limit timer on either

# B alone has the short limits, so B's timer claims every expiry of these tests (A's runs too, and finds none
# due): the patient on A then sees B's wait-limit message only if it crossed over through Redis.
SHORT = {"HANDOFF_WAIT_SECONDS": "5", "HANDOFF_MESSAGE_SECONDS": "3"}
LONG = {"HANDOFF_WAIT_SECONDS": "120", "HANDOFF_MESSAGE_SECONDS": "120"}


@dataclass
class TwoProcesses:
    a: servers.Service
    a_url: str
    b: servers.Service
    b_url: str
    console_url: str
    database: StaffDB
    tracker: Any  # infra.Postgres of the tracker store

    @property
    def url(self) -> str:  # the REST tests below talk to A
        return self.a_url


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """Rasa A and Rasa B as in production (docs/deploy.md): one model, one PostgreSQL tracker store and staff
    database, the Redis lock store (so the channels' shared state and pub/sub too), one action server; and the
    staff console, which reaches Rasa through B. Started once for this module (~1 GB more than one Rasa)."""
    workdir = tmp_path_factory.mktemp("handoff-two")
    stoppers: List[Callable[[], None]] = []
    try:
        pg_server = infra.postgres()
        stoppers.append(pg_server.stop)
        suffix = uuid.uuid4().hex[:10]
        tracker = pg_server.create_database(f"triage_handoff_{suffix}")
        staff = pg_server.create_database(f"staff_handoff_{suffix}")
        stoppers += [lambda: pg_server.drop_database(tracker.db), lambda: pg_server.drop_database(staff.db)]
        redis = infra.redis_server(workdir)
        stoppers.append(redis.stop)
        database = StaffDB(staff.url())  # the tables exist before four processes open the database
        stoppers.append(database.engine.dispose)
        for name in ("editor1", "editor2"):
            auth.set_user(database, name, STAFF_PASSWORD, "editor")
        shared = {"STAFF_DB_URL": staff.url(), **tracker.tracker_env(), **redis.lock_env(4),
                  # pub/sub channels ignore the database number: a prefix of this run keeps CI's Redis apart
                  "REDIS_STATE_PREFIX": f"test-{suffix}:"}
        actions, action_port = servers.start_action_server(workdir, extra_env=shared)
        stoppers.append(actions.stop)
        started: Dict[str, Any] = {}

        def start(name: str, limits: Dict[str, str]) -> None:
            try:
                started[name] = servers.start_rasa_server(workdir, action_port, servers.ROOT / "credentials.yml",
                                                          MODEL, extra_env={**shared, **limits})
            except BaseException as error:  # noqa: B902 - raised below
                started[name] = error

        threads = [threading.Thread(target=start, args=args) for args in (("a", LONG), ("b", SHORT))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for name in ("a", "b"):
            if not isinstance(started[name], BaseException):
                stoppers.append(started[name][0].stop)
        for name in ("a", "b"):
            if isinstance(started[name], BaseException):
                raise started[name]
        (a, a_port), (b, b_port) = started["a"], started["b"]
        console, console_port = servers.start_staff_console(workdir, f"http://127.0.0.1:{b_port}", shared)
        stoppers.append(console.stop)
        yield TwoProcesses(a, f"http://127.0.0.1:{a_port}", b, f"http://127.0.0.1:{b_port}",
                           f"http://127.0.0.1:{console_port}", database, tracker)
    finally:
        for stop in reversed(stoppers):
            try:
                stop()
            except Exception:
                pass


def _send(url: str, sender: str, text: str) -> list:
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
    reply.raise_for_status()
    return reply.json()


def _texts(turn: list) -> str:
    return "\n".join(m.get("text") or "" for m in turn)


def _wait_status(database: StaffDB, handoff_id: int, status: str, timeout: float = 15) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        row = handoff.get(database, handoff_id)
        if row["status"] == status:
            return row
        time.sleep(0.2)
    raise AssertionError(f"handoff {handoff_id} not {status}: {handoff.get(database, handoff_id)}")


def test_nobody_claims_in_time_the_patient_leaves_a_message_and_the_bot_resumes(two_processes):
    url, database = two_processes.url, two_processes.database
    sender = f"test-{time.time_ns()}"
    assert "已为您转接人工客服" in _texts(_send(url, sender, "转人工"))
    row = handoff.open_for(database, "rest:" + sender)  # the REST channel's conversation id
    _wait_status(database, row["id"], handoff.MESSAGE)
    reply = _send(url, sender, "请给我回电话,电话13800000000,想问康复训练")
    assert "留言已收到" in _texts(reply) and reply[-1].get("disclaimer") is True
    left = handoff.get(database, row["id"])
    assert left["status"] == handoff.ENDED and left["end_reason"] == "message" and "13800000000" in left["callback"]
    assert any(c["id"] == row["id"] for c in handoff.callbacks(database))
    assert "想了解哪一类" in _texts(_send(url, sender, "肌肉萎缩是什么原因引起的"))


def test_no_message_wanted_and_a_silent_patient_both_get_the_bot_back(two_processes):
    url, database = two_processes.url, two_processes.database
    declines, silent = f"test-{time.time_ns()}", f"test-{time.time_ns() + 1}"
    _send(url, declines, "我要人工客服")
    _send(url, silent, "我要人工客服")
    first = handoff.open_for(database, "rest:" + declines)
    _wait_status(database, first["id"], handoff.MESSAGE)
    assert "人工客服已结束" in _texts(_send(url, declines, "不用了"))
    assert handoff.get(database, first["id"])["end_reason"] == "cancelled"
    second = handoff.open_for(database, "rest:" + silent)
    assert _wait_status(database, second["id"], handoff.ENDED)["end_reason"] == "no_message"
    assert "想了解哪一类" in _texts(_send(url, silent, "肌肉萎缩是什么原因引起的"))


class Patient:
    """The web chat's protocol (socket.io, as the widget) on one Rasa process; every bot_uttered is kept."""

    def __init__(self, url: str) -> None:
        import socketio

        self.url, self.session_id = url, uuid.uuid4().hex
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: List[Dict[str, Any]] = []
        self.held = 0
        self.sio.on("bot_uttered", self.received.append)
        self.sio.on("handoff_held", lambda data: setattr(self, "held", self.held + 1))

    async def connect(self) -> "Patient":
        confirmed = asyncio.Event()
        self.sio.on("session_confirm", lambda data: confirmed.set())
        servers.socketio_client_over_websocket()
        # The widget's transports: long-polling, then the upgrade to a WebSocket.
        await self.sio.connect(self.url, headers={"Origin": self.url}, transports=["polling", "websocket"],
                               wait_timeout=20)
        await self.sio.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(confirmed.wait(), 20)
        return self

    async def say(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def wait_for(self, words: str, timeout: float = 30) -> List[Dict[str, Any]]:
        """The messages from the first one containing `words` to its disclaimer (the turn that carried it)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, message in enumerate(self.received):
                if words in (message.get("text") or ""):
                    rest = self.received[i:]
                    ends = [j for j, m in enumerate(rest) if m.get("disclaimer")]
                    if ends:
                        return rest[: ends[0] + 1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {words!r} reached the patient: {[m.get('text') for m in self.received]}")

    def count(self, words: str) -> int:
        return sum(words in (m.get("text") or "") for m in self.received)

    async def close(self) -> None:
        await self.sio.disconnect()


def _open_row(database: StaffDB, sender: str, timeout: float = 20) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        row = handoff.open_for(database, sender)
        if row:
            return row
        time.sleep(0.05)
    raise AssertionError(f"no handoff opened for {sender}")


def _bot_texts(tracker, sender: str) -> List[str]:
    import json

    conn = tracker.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'bot' ORDER BY id", (sender,))
            return [json.loads(row[0]).get("text") or "" for row in cur.fetchall()]
    finally:
        conn.close()


async def test_staff_reply_through_process_b_reaches_the_patient_on_process_a_live_and_once(two_processes):
    procs = two_processes
    patient = await Patient(procs.a_url).connect()
    try:
        await patient.say("我要人工客服")
        # Claimed at once through the console (B has a 5-second wait limit); the console asks B to say so.
        row = await asyncio.to_thread(_open_row, procs.database, patient.session_id)
        staff = await asyncio.to_thread(StaffClient, procs.console_url, "editor1")
        assert (await asyncio.to_thread(staff.claim, row["id"])).ok
        queued = await patient.wait_for("已为您转接人工客服")
        assert queued[-1]["text"] == DISCLAIMER
        joined = await patient.wait_for("工作人员已接入")  # pushed by B, the socket is on A
        assert joined[-1]["text"] == DISCLAIMER

        text = f"您好,我是客服小王,请问哪里不舒服?{uuid.uuid4().hex[:6]}"
        answer = await asyncio.to_thread(staff.reply, row["id"], text)
        assert answer == {"delivered": True, "note": ""}
        live = await patient.wait_for(text, timeout=10)
        assert live[0]["handoff_staff"] is True and live[-1]["text"] == DISCLAIMER and len(live) == 2
        await asyncio.sleep(1.5)  # a second copy (from A and B both) would be here by now
        assert patient.count(text) == 1, [m.get("text") for m in patient.received]

        await patient.say("两条腿没劲半年了")
        deadline = time.time() + 20
        while patient.held == 0 and time.time() < deadline:
            await asyncio.sleep(0.05)
        assert patient.held == 1  # A held it for a person: no bot reply
        lines = await asyncio.to_thread(staff.lines, row["id"])
        assert any(l["who"] == "patient" and "两条腿没劲" in l["text"] for l in lines)

        assert (await asyncio.to_thread(staff.end, row["id"])).ok
        back = await patient.wait_for("人工客服已结束")
        assert back[-1]["text"] == DISCLAIMER
        await patient.say("肌肉萎缩是什么原因")
        assert (await patient.wait_for("想了解哪一类"))[-1]["text"] == DISCLAIMER
        stored = await asyncio.to_thread(_bot_texts, procs.tracker, patient.session_id)
        assert stored.count(text) == 1 and sum("工作人员已接入" in t for t in stored) == 1
    finally:
        await patient.close()


async def test_the_wait_limit_message_from_process_b_reaches_the_patient_on_a_once(two_processes):
    procs = two_processes
    timeout_text = _domain_text("utter_handoff_timeout")
    patient = await Patient(procs.a_url).connect()
    try:
        await patient.say("转人工")
        await patient.wait_for("已为您转接人工客服")
        row = await asyncio.to_thread(_open_row, procs.database, patient.session_id)
        told = await patient.wait_for(timeout_text, timeout=30)
        assert told[-1]["text"] == DISCLAIMER and len(told) == 2
        await asyncio.sleep(3)  # both timers keep running: a second copy would be here by now
        assert patient.count(timeout_text) == 1
        stored = await asyncio.to_thread(_bot_texts, procs.tracker, patient.session_id)
        assert stored.count(timeout_text) == 1
        # Sent by B: A's own limit is two minutes away.
        assert time.time() - row["created"] < float(LONG["HANDOFF_WAIT_SECONDS"]) / 2

        # No message left: the offer lapses (B's 3 s) and the bot answers again, on A.
        assert (await asyncio.to_thread(_wait_status, procs.database, row["id"], handoff.ENDED))["end_reason"] == "no_message"
        await patient.say("肌肉萎缩是什么原因")
        assert (await patient.wait_for("想了解哪一类"))[-1]["text"] == DISCLAIMER
    finally:
        await patient.close()


def _domain_text(name: str) -> str:
    import yaml

    domain = yaml.safe_load((servers.ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"][name][0]["text"]

