"""Scale-out: two Rasa servers share PostgreSQL and a Redis lock store behind nginx; two action servers.

One conversation's messages go to either server, directly or through nginx, and nothing is lost or reordered.
"""
import concurrent.futures
import time
from typing import Any, Dict, List

import pytest

from tests import cluster as cluster_module
from tests.cluster import question, rest_id

pytestmark = pytest.mark.e2e

INTERVIEW = [
    ("我最近两条腿没劲上楼费劲", "onset_age"),
    ("成年后", "onset_speed"),
    ("几个月到几年慢慢加重", "immobilisation"),
    ("都没有", "nutrition"),
    ("都没有", "associated"),
    ("都没有", "family_history"),
]


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


def _asked_in_store(events: List[Dict[str, Any]]) -> List[str]:
    """The interview questions as stored, in store order."""
    return [q for q in (question([{"text": e.get("text")}]) for e in events if e["event"] == "bot") if q]


def _assert_turns_contiguous(events: List[Dict[str, Any]]) -> None:
    """Each user message is followed by its own turn, ending in action_listen, before the next one."""
    turns: List[List[Dict[str, Any]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    for i, turn in enumerate(turns):
        actions = [e["name"] for e in turn if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", f"turn {i} does not end listening: {actions}"
        assert actions.count("action_listen") == 1, f"turn {i} holds more than one turn: {actions}"
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps), "stored events are out of time order"


def test_alternating_servers_keep_one_interview(cluster):
    sender = f"test-scale-{time.time_ns()}"
    routes = [cluster.a.rest, cluster.b.rest, cluster.rest]
    started = len(cluster.nginx.upstreams_used("/webhooks/rest/webhook"))
    for i, (text, expected) in enumerate(INTERVIEW):
        turn = routes[i % len(routes)].send(text, sender)
        assert question(turn) == expected, f"turn {i} via {routes[i % len(routes)].base_url}: {turn}"

    events = cluster.events(rest_id(sender))
    assert [e["text"] for e in events if e["event"] == "user"] == [t for t, _ in INTERVIEW]
    assert _asked_in_store(events) == [q for _, q in INTERVIEW]
    _assert_turns_contiguous(events)
    # nginx sent its share to both Rasa servers, and the action calls went to both action servers.
    via_nginx = cluster.nginx.upstreams_used("/webhooks/rest/webhook")[started:]
    assert {u.rsplit(":", 1)[1] for u in via_nginx} == {str(cluster.a.port), str(cluster.b.port)}
    action_upstreams = {u.rsplit(":", 1)[1] for u in cluster.nginx.upstreams_used("/webhook") if u}
    assert {str(r.port) for r in cluster.action_relays} <= action_upstreams


def test_concurrent_messages_to_both_servers_are_serialized(cluster):
    """Four answers at once, two per server: the Redis lock runs them one after another."""
    # The questions four 不知道 get, one after another, on one server.
    reference = f"test-race-ref-{time.time_ns()}"
    assert question(cluster.a.send(reference, "我最近两条腿没劲上楼费劲")) == "onset_age"
    expected = [question(cluster.a.send(reference, "不知道")) for _ in range(4)]
    assert all(expected) and len(set(expected)) == 4, expected

    sender = f"test-race-{time.time_ns()}"
    assert question(cluster.a.send(sender, "我最近两条腿没劲上楼费劲")) == "onset_age"
    instances = [cluster.a, cluster.b, cluster.a, cluster.b]
    with concurrent.futures.ThreadPoolExecutor(len(instances)) as pool:
        turns = list(pool.map(lambda instance: instance.send(sender, "不知道"), instances))
    asked = [question(t) for t in turns]
    # Same text each time, so whatever the order, each next question is asked exactly once.
    assert sorted(a for a in asked if a) == sorted(expected), asked

    events = cluster.events(rest_id(sender))
    assert [e["text"] for e in events if e["event"] == "user"] == ["我最近两条腿没劲上楼费劲"] + ["不知道"] * 4
    assert _asked_in_store(events) == ["onset_age", *expected]
    _assert_turns_contiguous(events)
