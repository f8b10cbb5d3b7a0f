"""Faults: the action server down or slow, the database or Redis down, a Rasa server killed mid-turn.

The patient always gets a turn (an apology with the disclaimer at worst), the server logs what happened, and
what was stored before the fault is still there afterwards.
"""
import threading
import time

import pytest
import requests

from tests import cluster as cluster_module
from tests.cluster import is_apology, question, rest_id

DESCRIPTION = "我最近两条腿没劲上楼费劲"


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


def _log(workdir, base_url: str) -> str:
    return (workdir / f"rasa-{base_url.rsplit(':', 1)[1]}.log").read_text(errors="replace")


@pytest.mark.e2e
def test_action_server_down_gives_apology_then_recovers(rest, relay, rasa_server, workdir):
    sender = rest.new_sender()
    relay.cut = True
    turn = rest.send(DESCRIPTION, sender)
    assert is_apology(turn), turn
    log = _log(workdir, rasa_server)
    assert "Encountered an exception while running action" in log or "turn failed" in log
    relay.cut = False
    # The patient sends the description again, as the apology asks, and the interview starts.
    assert question(rest.send(DESCRIPTION, sender)) == "onset_age"


@pytest.mark.e2e
def test_slow_action_server_still_answers(rest, relay):
    sender = rest.new_sender()
    relay.delay = 3.0
    began = time.time()
    turn = rest.send(DESCRIPTION, sender)
    assert time.time() - began >= 3.0
    assert question(turn) == "onset_age"


@pytest.mark.e2e
def test_one_slow_turn_does_not_stall_other_conversations(rest, relay):
    """The action server takes 6 s for one conversation's calls; another conversation meanwhile runs normally."""
    slow, fast = rest.new_sender(), rest.new_sender()
    relay.slow_marker, relay.slow_seconds = slow.encode(), 6.0
    outcome = {}

    def slow_turn() -> None:
        began = time.time()
        outcome["turn"] = rest.send(DESCRIPTION, slow)
        outcome["seconds"] = time.time() - began

    thread = threading.Thread(target=slow_turn)
    thread.start()
    time.sleep(1.0)  # the slow turn is now waiting for its first action call
    began = time.time()
    for text, expected in [(DESCRIPTION, "onset_age"), ("成年后", "onset_speed"), ("几个月到几年慢慢加重", "immobilisation")]:
        assert question(rest.send(text, fast)) == expected
    fast_seconds = time.time() - began
    assert thread.is_alive(), "the slow turn finished first: the test did not test anything"
    thread.join(timeout=60)
    assert question(outcome["turn"]) == "onset_age" and outcome["seconds"] >= 6.0
    print(f"3 turns of another conversation during one slow turn: {fast_seconds:.2f}s")
    assert fast_seconds < 5.0


@pytest.mark.e2e
def test_redis_down_gives_apology_and_recovers(cluster):
    """Rasa B reaches the Redis lock store through a relay; cutting it is Redis going away."""
    sender = f"test-redisdown-{time.time_ns()}"
    b = cluster.b
    assert question(b.send(sender, DESCRIPTION)) == "onset_age"
    cluster.redis_relay.cut = True
    cluster.redis_relay.drop()
    try:
        began = time.time()
        turn = b.send(sender, "成年后")
        assert is_apology(turn), turn
        assert time.time() - began < 10
        assert "lock store unavailable" in b.log.read_text(errors="replace")
    finally:
        cluster.redis_relay.cut = False
    # Back: the answer is taken as the answer to the pending question; nothing of the failed turn was stored.
    assert question(b.send(sender, "成年后")) == "onset_speed"
    users = [e["text"] for e in cluster.events(rest_id(sender)) if e["event"] == "user"]
    assert users == [DESCRIPTION, "成年后"]


@pytest.mark.e2e
def test_too_slow_action_server_gives_apology_in_bounded_time(cluster):
    """Rasa waits 300 s for an action server (hard-coded); nginx's proxy_read_timeout is what bounds it."""
    sender = f"test-slow-{time.time_ns()}"
    cluster.set_action_delay(cluster_module.ACTION_READ_TIMEOUT + 4)
    try:
        began = time.time()
        turn = cluster.a.send(sender, DESCRIPTION)
        elapsed = time.time() - began
    finally:
        cluster.set_action_delay(0)
    assert is_apology(turn), turn
    # After a failed action Rasa goes on predicting (here the form and the result action), and each call waits
    # for the timeout again: a few timeouts, far below Rasa's 300 s each.
    assert elapsed < 4 * (cluster_module.ACTION_READ_TIMEOUT + 2)
    assert "504" in cluster.a.log.read_text(errors="replace")
    assert question(cluster.a.send(sender, DESCRIPTION)) == "onset_age"


@pytest.mark.e2e
def test_database_down_gives_apology_and_conversation_resumes(cluster):
    """Rasa B reaches PostgreSQL through a relay; cutting it is the database going away."""
    sender = f"test-dbdown-{time.time_ns()}"
    b = cluster.b
    assert question(b.send(sender, DESCRIPTION)) == "onset_age"
    cluster.pg_relay.cut = True
    cluster.pg_relay.drop()
    try:
        turn = b.send(sender, "成年后")
        assert is_apology(turn), turn
        assert "tracker store unavailable" in b.log.read_text(errors="replace")
    finally:
        cluster.pg_relay.cut = False
    # Back: the answer is taken as the answer to the pending question, not as the start of a new conversation.
    assert question(b.send(sender, "成年后")) == "onset_speed"
    users = [e["text"] for e in cluster.events(rest_id(sender)) if e["event"] == "user"]
    assert users == [DESCRIPTION, "成年后"]


@pytest.mark.e2e
def test_crash_mid_turn_keeps_what_was_stored(cluster):
    sender = f"test-crash-{time.time_ns()}"
    b = cluster.b
    assert question(b.send(sender, DESCRIPTION)) == "onset_age"
    assert question(b.send(sender, "成年后")) == "onset_speed"
    stored = cluster.events(rest_id(sender))
    assert [e["text"] for e in stored if e["event"] == "user"] == [DESCRIPTION, "成年后"]

    # A turn in flight (waiting for the slowed action servers) when the process is killed.
    cluster.set_action_delay(2.5)
    outcome = {}

    def in_flight() -> None:
        try:
            outcome["reply"] = b.send(sender, "几个月到几年慢慢加重", timeout=30)
        except requests.RequestException as error:
            outcome["error"] = error

    thread = threading.Thread(target=in_flight)
    thread.start()
    time.sleep(1.0)
    b.crash()
    thread.join(timeout=30)
    cluster.set_action_delay(0)
    assert "error" in outcome, "the killed server answered"

    seconds = b.start()
    print(f"rasa restart after kill -9: {seconds:.1f}s")
    after = cluster.events(rest_id(sender))
    assert after[: len(stored)] == stored
    # The killed turn was never saved (Rasa saves a turn at its end), so the answer is simply given again.
    assert question(b.send(sender, "几个月到几年慢慢加重")) == "immobilisation"


def test_store_answers_outage_with_paused_conversation(tmp_path):
    """Unit: a store that cannot be read gives a paused stand-in tracker, which is never written."""
    import asyncio

    from rasa.shared.core.domain import Domain

    from persistence.tracker_store import StrictSQLTrackerStore

    store = StrictSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    (tmp_path / "t.db").unlink()
    (tmp_path / "t.db").mkdir()  # now unreadable as a database
    store.engine.dispose()
    tracker = asyncio.run(store.retrieve("someone"))
    assert tracker is not None and tracker.is_paused()
    asyncio.run(store.save(tracker))  # skipped, no error
