"""The REST channel's own namespace and bearer token, and what the production nginx exposes and logs.

REST callers choose their sender id, so it is namespaced on the server ("rest:<sender>"): it can never be a
web chat session (random hex) or a WeChat conversation. In production REST is not routed publicly and, on
the internal port, needs REST_AUTH_TOKEN (docs/deploy.md).
"""
import sqlite3
import uuid

import pytest
import requests

from channels import rest as rest_channel
from channels.socketio import SESSION_ID
from tests import cluster as cluster_module
from tests import servers
from tests.cluster import question, rest_id


@pytest.mark.parametrize(
    "header,token,ok",
    [
        (None, "", True),  # no token configured: open (make run, on 127.0.0.1)
        (None, "s3cret-token", False),
        ("Bearer wrong", "s3cret-token", False),
        ("Bearer s3cret-token-and-more", "s3cret-token", False),
        ("Basic s3cret-token", "s3cret-token", False),
        ("Bearer s3cret-token", "s3cret-token", True),
        ("bearer  s3cret-token", "s3cret-token", True),
    ],
)
def test_bearer_token_check(header, token, ok):
    assert rest_channel.authorized(header, token) is ok


def test_rest_ids_cannot_be_web_or_wechat_ids():
    web_session = uuid.uuid4().hex
    assert SESSION_ID.match(web_session)
    for sender in (web_session, "wechat-abc", "wecom-abc", "rest:x"):
        conversation = rest_channel.sender_id(sender)
        assert conversation.startswith("rest:") and conversation != sender
        assert not SESSION_ID.match(conversation)


@pytest.mark.e2e
def test_a_rest_sender_named_like_a_web_session_gets_its_own_conversation(rest, workdir):
    session = uuid.uuid4().hex  # what a browser tab would use as its session id
    turn = rest.send("我最近两条腿没劲上楼费劲", session)
    assert question(turn) == "onset_age"
    assert {m.get("recipient_id") for m in turn} == {session}  # the caller sees its own id
    with sqlite3.connect(workdir / "tracker.db") as db:
        count = lambda sender_id: db.execute(  # noqa: E731
            "SELECT count(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]
        assert count(session) == 0
        assert count(rest_id(session)) > 0


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


@pytest.mark.e2e
def test_rest_needs_the_bearer_token_when_configured(cluster):
    sender = f"test-auth-{uuid.uuid4().hex}"
    body = {"sender": sender, "message": "我最近两条腿没劲上楼费劲"}
    # RestClient without a token; the cluster's Rasa servers run with REST_AUTH_TOKEN.
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": f"Basic {cluster.rest_token}"}):
        reply = servers.RestClient(cluster.a.url).post(body, headers=headers)
        assert reply.status_code == 401, reply.text
        assert reply.headers.get("WWW-Authenticate") == "Bearer"
    assert not cluster.events(rest_id(sender))
    # Through nginx's internal server as well; with the token the turn runs.
    assert servers.RestClient(cluster.rest_url).post(body).status_code == 401
    assert question(cluster.rest.send(body["message"], sender)) == "onset_age"
    assert cluster.events(rest_id(sender))


@pytest.mark.e2e
def test_public_nginx_routes_only_the_page_socket_and_wechat(cluster):
    web = cluster.web_url
    assert requests.get(f"{web}/chat/", timeout=10).status_code == 200
    assert requests.get(f"{web}/", timeout=10, allow_redirects=False).headers.get("Location", "").endswith("/chat/")
    for path in ("/webhooks/rest/webhook", "/webhooks/handoff/send", "/conversations/x/tracker", "/status", "/model",
                 "/health"):
        assert requests.post(f"{web}{path}", json={"sender": "x", "message": "hi"}, timeout=10).status_code == 404, path
    # The WeChat callback is routed (the channel itself refuses an unsigned request).
    assert requests.get(f"{web}/webhooks/wechat/webhook", timeout=10).status_code not in (404, 502)
    assert requests.get(f"{cluster.rest_url}/health", timeout=10).status_code == 200
    # The staff console's handoff calls are on the internal server only, and need HANDOFF_TOKEN there.
    handoff_call = requests.post(f"{cluster.rest_url}/webhooks/handoff/send", json={"sender": "x", "text": "hi"}, timeout=10)
    assert handoff_call.status_code == 401, handoff_call.text


@pytest.mark.e2e
def test_nginx_log_has_no_query_string(cluster):
    secret = uuid.uuid4().hex
    query = {"signature": secret, "timestamp": "1", "nonce": secret, "openid": f"o{secret}", "echostr": secret}
    requests.get(f"{cluster.web_url}/webhooks/wechat/webhook", params=query, timeout=10)
    requests.get(f"{cluster.web_url}/chat/", params={"ref": secret}, timeout=10)
    text = cluster.nginx.access_log.read_text()
    assert "/webhooks/wechat/webhook" in text
    assert secret not in text
    assert all(entry["uri"].count("?") == 0 for entry in cluster.nginx.requests_logged())
