"""Rate limits on a real Rasa server started with a small per-sender burst: the message over the limit is not
stored, the conversation goes on where it was, and the server log names the limit but not the text."""
import json
import sqlite3
import time

import pytest
import requests

from channels.wechat import protocol
from tests import servers
from tests.wechat_sim import WeChatSimulator
from triage import knowledge

pytestmark = pytest.mark.e2e

BURST = 3
DISCLAIMER = knowledge.disclaimer()
WAIT = knowledge.load()["channel_texts"]["rate_limited"]
ENV = servers.WECHAT_TEST_ENV
MARKER = f"限流标记{time.time_ns()}"


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory, action_server):
    workdir = tmp_path_factory.mktemp("ratelimited")
    proc, port = servers.start_rasa_server(
        workdir, action_server, servers.ROOT / "credentials.yml", servers.ROOT / "models" / "triage.tar.gz",
        extra_env={"RATE_LIMIT_SENDER_BURST": str(BURST), "RATE_LIMIT_SENDER_PER_MINUTE": "1"},
    )
    yield f"http://127.0.0.1:{port}", workdir / "tracker.db", proc.log
    proc.stop()


def stored_user_texts(db, sender):
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select data from events where sender_id = ? and type_name = 'user' order by id",
                            (sender,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_rest_over_the_limit_is_not_stored_and_the_interview_goes_on(limited_server):
    url, db, log = limited_server
    sender = f"test-limit-{time.time_ns()}"

    def send(text):
        return requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)

    allowed = [send(text) for text in ("我最近两条腿没劲上楼费劲", "成年后", "几个月到几年慢慢加重")]
    assert all(r.status_code == 200 for r in allowed)
    over = send(MARKER)
    assert over.status_code == 429
    assert [m["text"] for m in over.json()] == [WAIT, DISCLAIMER]
    stored = stored_user_texts(db, servers.RestClient.conversation_id(sender))
    assert stored == ["我最近两条腿没劲上楼费劲", "成年后", "几个月到几年慢慢加重"]
    assert MARKER not in log.read_text(errors="replace")
    assert "per-sender limit" in log.read_text(errors="replace")


def test_wechat_over_the_limit_gets_the_wait_message_in_its_passive_reply(limited_server):
    url, db, _ = limited_server
    sim = WeChatSimulator(url, ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])
    openid = sim.new_openid()
    for _ in range(BURST):
        assert sim.post(sim.text(openid, "你好")).content.endswith(DISCLAIMER)
    over = sim.post(sim.text(openid, MARKER))
    assert over.status == 200 and over.content == f"{WAIT}\n\n{DISCLAIMER}"
    sender = protocol.sender_id(openid, ENV["WECHAT_SENDER_KEY"], "wechat")
    assert stored_user_texts(db, sender) == ["你好"] * BURST
