"""Conversations live in the SQL tracker store: an interview continues across a Rasa server restart."""
import os
import time

import pytest

from tests import cluster as cluster_module
from tests import servers
from tests.cluster import question, rest_id


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


@pytest.mark.e2e
def test_interview_continues_after_restart(cluster):
    sender = f"test-restart-{time.time_ns()}"
    a = cluster.a
    assert question(a.send(sender, "我最近两条腿没劲上楼费劲")) == "onset_age"
    assert question(a.send(sender, "成年后")) == "onset_speed"

    a.stop()
    seconds = a.start()
    print(f"rasa restart: {seconds:.1f}s")

    # The third question, not the introduction and the first question again.
    turn = a.send(sender, "几个月到几年慢慢加重")
    assert question(turn) == "immobilisation", turn
    users = [e["text"] for e in cluster.events(rest_id(sender)) if e["event"] == "user"]
    assert users == ["我最近两条腿没劲上楼费劲", "成年后", "几个月到几年慢慢加重"]


def test_production_endpoints_file(monkeypatch):
    """deploy/endpoints.prod.yml reads every setting from the environment and names PostgreSQL and Redis."""
    from rasa.core.utils import read_endpoints_from_path

    env = {
        "ACTION_ENDPOINT_URL": "http://actions:5055/webhook", "TRACKER_HOST": "db:5432", "TRACKER_DB": "triage",
        "TRACKER_USER": "triage", "TRACKER_PASSWORD": "from-a-secret", "REDIS_HOST": "redis", "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "from-a-secret", "REDIS_DB": "1", "TRACKER_SSLMODE": "require",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    endpoints = read_endpoints_from_path(str(servers.ROOT / "deploy" / "endpoints.prod.yml"))
    assert endpoints.tracker_store.type == "persistence.tracker_store.StrictSQLTrackerStore"
    assert endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert endpoints.tracker_store.kwargs["password"] == "from-a-secret"
    assert endpoints.tracker_store.kwargs["query"] == {"sslmode": "require"}
    assert endpoints.lock_store.type == "persistence.lock_store.AtomicRedisLockStore"
    from rasa.core.lock_store import LockStore

    from persistence.lock_store import AtomicRedisLockStore

    store = LockStore.create(endpoints.lock_store)  # redis-py connects lazily: nothing is contacted here
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix.startswith("triage")
    assert endpoints.action.url == env["ACTION_ENDPOINT_URL"]
    text = (servers.ROOT / "deploy" / "endpoints.prod.yml").read_text()
    assert "from-a-secret" not in text and os.environ.get("TEST_PG_PASSWORD", "\0") not in text
