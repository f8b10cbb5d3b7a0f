"""WeChat on two Rasa processes (tests/cluster.py: shared PostgreSQL, Redis lock store, nginx in front).

WeChat retries a callback it got no answer to within 5 s, and behind a load balancer each retry may land on
another process: one message must still be one turn with one reply, and the processes must share one access
token (a second token fetch invalidates the first).
"""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from channels.wechat import protocol
from tests import cluster as cluster_module
from tests import servers
from tests.wechat_sim import WeChatSimulator
from triage import knowledge

pytestmark = pytest.mark.e2e

ENV = servers.WECHAT_TEST_ENV
DISCLAIMER = knowledge.disclaimer()
BUDGET = float(ENV["WECHAT_REPLY_BUDGET"])
ACTION_QUESTION = "肌肉萎缩是什么原因"  # answered by a custom action, so a slow action server slows the turn


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


def simulator(url: str) -> WeChatSimulator:
    return WeChatSimulator(url, ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])


def user_texts(cluster, openid: str):
    sender = protocol.sender_id(openid, ENV["WECHAT_SENDER_KEY"], "wechat")
    return [e["text"] for e in cluster.events(sender) if e["event"] == "user"]


def test_one_message_sent_to_both_servers_and_retried_on_either_is_one_turn(cluster):
    a, b, proxy = simulator(cluster.a.url), simulator(cluster.b.url), simulator(cluster.web_url)
    openid = a.new_openid()
    message = a.text(openid, "我最近两条腿没劲上楼费劲")
    with ThreadPoolExecutor(2) as pool:
        at_once = list(pool.map(lambda sim: sim.post(message), [a, b]))
    retries = [sim.post(message) for sim in (b, a, proxy, proxy)]
    replies = [*at_once, *retries]
    for reply in replies:
        assert reply.status == 200 and reply.content and reply.content.endswith(DISCLAIMER), reply.response.text
    assert len({r.content for r in replies}) == 1, "identical replies"
    assert user_texts(cluster, openid) == ["我最近两条腿没劲上楼费劲"], "exactly one user turn stored"
    # The numbered answer goes to the other server: it knows the buttons the first one showed.
    answer = b.post(b.text(openid, "1"))
    assert answer.status == 200 and answer.content.endswith(DISCLAIMER)
    chosen = user_texts(cluster, openid)[1]
    # The interview's buttons carry the answer as payload (or an intent): either way not the bare number.
    assert chosen != "1" and (chosen.startswith("/") or f"1. {chosen}" in replies[0].content), chosen


def test_late_turns_on_both_servers_share_one_access_token(cluster):
    api = cluster.wechat_api
    fetched_before = len(api.token_requests)
    users = [simulator(cluster.a.url).new_openid() for _ in range(2)]
    cluster.set_action_delay(BUDGET + 0.8)  # below nginx's 4 s action timeout: late, not failed
    try:
        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(lambda pair: simulator(pair[0]).post(simulator(pair[0]).text(pair[1], ACTION_QUESTION)),
                                    [(cluster.a.url, users[0]), (cluster.b.url, users[1])]))
        assert all(r.is_success for r in replies), "over the budget: 'success' now, the turn follows"
        sent = [api.sent_to(user, timeout=40) for user in users]
    finally:
        cluster.set_action_delay(0)
    time.sleep(0.5)
    for user, messages in zip(users, sent):
        assert messages, f"the late turn reached {user} through the customer-service API"
        assert api.sent_to(user)[-1]["text"]["content"].endswith(DISCLAIMER)
    assert fetched_before == 0 and len(api.token_requests) == 1, "both servers used one token"
