"""Human handoff end to end without a browser: over the simulated WeChat server with the customer-service API
(staff working through the console's HTTP routes), and the nobody-there rules on servers with a short wait."""
import re
import time

import pytest
import requests

from channels.wechat import protocol as wechat_protocol
from staff import handoff
from staff.db import StaffDB
from tests import servers
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


# ---- nobody there: servers of their own with a 2-second wait (the timer would disturb the session's)

@pytest.fixture(scope="module")
def short_wait(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("handoff-wait")
    (workdir / "staff").mkdir()
    actions, action_port = servers.start_action_server(workdir)
    try:
        rasa, port = servers.start_rasa_server(workdir, action_port, servers.ROOT / "credentials.yml", MODEL,
                                               extra_env={"HANDOFF_WAIT_SECONDS": "2", "HANDOFF_MESSAGE_SECONDS": "3"})
    except Exception:
        actions.stop()
        raise
    database = StaffDB(f"sqlite:///{workdir / 'staff' / 'staff.db'}")
    yield f"http://127.0.0.1:{port}", database
    database.engine.dispose()
    rasa.stop()
    actions.stop()


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


def test_nobody_claims_in_time_the_patient_leaves_a_message_and_the_bot_resumes(short_wait):
    url, database = short_wait
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


def test_no_message_wanted_and_a_silent_patient_both_get_the_bot_back(short_wait):
    url, database = short_wait
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
