"""The web chat on two Rasa servers behind the production nginx (deploy/nginx.conf, run by tests/infra.py).

A real socket.io client (python-socketio's AsyncClient, installed with Rasa) speaks the widget's protocol with
the widget's transports: HTTP long-polling first, then the upgrade to a WebSocket. Each connection must stay
on one server (the Engine.IO session lives in that process), and a conversation must go on when the patient's
next connection lands on the other server (a phone moving from Wi-Fi to 4G): the state is in PostgreSQL.
Clients bind different loopback addresses (127.0.0.x) to look like different patients' addresses.
"""
import asyncio
import time
import uuid
from typing import Any, Dict, List

import aiohttp
import pytest
import socketio

from tests import cluster as cluster_module
from tests import servers
from tests.cluster import question

pytestmark = pytest.mark.e2e

servers.socketio_client_over_websocket()

DESCRIPTION = "我最近两条腿没劲上楼费劲"


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


async def _chat(url: str, address: str, session_id: str, texts: List[str]) -> List[List[Dict[str, Any]]]:
    """Connect from `address`, open the session, send each text and collect its turn (up to the disclaimer)."""
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))
    sio = socketio.AsyncClient(http_session=http, reconnection=False)
    confirmed = asyncio.Event()
    received: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()

    @sio.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        confirmed.set()

    @sio.on("bot_uttered")
    async def on_bot(data: Dict[str, Any]) -> None:
        await received.put(data)

    turns = []
    try:
        await sio.connect(url, headers={"Origin": cluster_module.Cluster.ORIGIN},
                          transports=["polling", "websocket"], wait_timeout=20)
        await sio.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 20)
        for text in texts:
            await sio.emit("user_uttered", {"message": text, "session_id": session_id})
            turn: List[Dict[str, Any]] = []
            while not (turn and turn[-1].get("disclaimer")):
                turn.append(await asyncio.wait_for(received.get(), 60))
            turns.append(turn)
        assert sio.transport() == "websocket", "the client did not upgrade to a WebSocket"
    finally:
        await sio.disconnect()
        await http.close()
    return turns


def _requests_of(cluster, address: str) -> List[Dict[str, str]]:
    """nginx's log of `address`'s socket.io requests, once its WebSocket (status 101, logged at close) is there."""
    deadline = time.time() + 10
    while True:
        entries = [e for e in cluster.nginx.requests_logged() if e["addr"] == address and "/socket.io/" in e["uri"]]
        if any(e["status"] == "101" for e in entries) or time.time() > deadline:
            return entries


def _servers_of(cluster, address: str) -> set:
    """The Rasa servers (ports) nginx sent `address`'s socket.io requests to."""
    return {e["upstream"].split(",")[-1].strip().rsplit(":", 1)[1] for e in _requests_of(cluster, address)}


def test_socketio_conversation_across_two_servers_through_nginx(cluster):
    session_id = uuid.uuid4().hex
    first = asyncio.run(_chat(cluster.web_url, "127.0.0.1", session_id, [DESCRIPTION]))
    assert question(first[0]) == "onset_age", first
    assert first[0][-1]["text"].startswith("温馨提示")
    # Sticky: the polling handshake and the WebSocket upgrade of this client went to one server.
    requests_first = _requests_of(cluster, "127.0.0.1")
    assert {e["status"] for e in requests_first} >= {"200", "101"}, requests_first
    served_first = _servers_of(cluster, "127.0.0.1")
    assert len(served_first) == 1, requests_first

    # The next connection comes from an address that nginx's hash sends to the other server.
    other = None
    for i in range(2, 60):
        address = f"127.0.0.{i}"
        if address not in {e["addr"] for e in cluster.nginx.requests_logged()}:
            asyncio.run(_chat(cluster.web_url, address, uuid.uuid4().hex, []))
        if _servers_of(cluster, address) - served_first:
            other = address
            break
    assert other, "no loopback address hashed to the second Rasa server"
    second = asyncio.run(_chat(cluster.web_url, other, session_id, ["成年后"]))
    assert question(second[0]) == "onset_speed", second  # the interview went on, not started again
    served_second = _servers_of(cluster, other)
    assert len(served_second) == 1 and served_second != served_first
    assert served_first | served_second == {str(cluster.a.port), str(cluster.b.port)}

    users = [e["text"] for e in cluster.events(session_id) if e["event"] == "user"]
    assert users == [DESCRIPTION, "成年后"]
