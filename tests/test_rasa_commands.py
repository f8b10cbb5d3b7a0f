"""Rasa's own commands work from the checkout with nothing configured: endpoints.yml and credentials.yml hold
working local defaults (action server on localhost:5055, .rasa/tracker.db, in-memory locks), no ${VAR}.

`rasa run` gets `--port` only, because the default 5005 may be taken by `make run` on this machine; the
action server is `rasa run actions` with no flags, on 5055, as endpoints.yml names it.
"""
import os
import socket
import subprocess
import uuid

import pytest
import requests
import yaml

from tests import servers
from tests.cluster import question, rest_id

pytestmark = pytest.mark.e2e

ACTION_PORT = 5055  # endpoints.yml's action server


def _env() -> dict:
    # Only the machine's environment, plus quiet logs: nothing the project reads.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTION_", "TRACKER_", "LOCK_", "REDIS_",
                                                                    "WECHAT_", "WECOM_", "REST_", "WEB_"))}
    return {**env, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_configuration_files_need_no_environment():
    for name in ("endpoints.yml", "credentials.yml"):
        assert "${" not in (servers.ROOT / name).read_text(), f"{name} reads the environment"
    endpoints = yaml.safe_load((servers.ROOT / "endpoints.yml").read_text())
    assert endpoints["action_endpoint"]["url"] == f"http://localhost:{ACTION_PORT}/webhook"
    assert endpoints["lock_store"]["type"] == "in_memory"


def test_rasa_data_validate_with_no_flags():
    done = subprocess.run([str(servers.BIN / "rasa"), "data", "validate"], cwd=servers.ROOT, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "does not exist" not in done.stdout + done.stderr


@pytest.fixture(scope="module")
def stock_servers(tmp_path_factory):
    """`rasa run actions` and `rasa run --port N` from the checkout, nothing else set."""
    workdir = tmp_path_factory.mktemp("stock")
    started = []
    try:
        if _port_taken(ACTION_PORT):
            # `make run` (or another checkout's) already serves actions here; it must be one, though.
            if requests.get(f"http://127.0.0.1:{ACTION_PORT}/health", timeout=5).status_code != 200:
                pytest.fail(f"port {ACTION_PORT} is taken by something that is not an action server")
        else:
            actions = servers.Service("actions-noflags", [str(servers.BIN / "rasa"), "run", "actions"],
                                      workdir / "actions.log", _env())
            started.append(actions)
            actions.wait_ready(servers.http_ok(f"http://127.0.0.1:{ACTION_PORT}/health"), 120)
        port = servers.free_port()
        rasa = servers.Service("rasa-noflags", [str(servers.BIN / "rasa"), "run", "--port", str(port)],
                               workdir / "rasa.log", _env())
        started.append(rasa)
        rasa.wait_ready(servers.http_ok(f"http://127.0.0.1:{port}/health"), 240)
        yield f"http://127.0.0.1:{port}"
    finally:
        for service in reversed(started):
            service.stop()


def test_rasa_run_with_no_flags_answers_health_and_a_rest_turn(stock_servers):
    health = requests.get(f"{stock_servers}/health", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    rest = servers.RestClient(stock_servers)
    sender = f"test-noflags-{uuid.uuid4().hex}"
    turn = rest.send("我最近两条腿没劲上楼费劲", sender)
    # The interview's first question comes from the action server that endpoints.yml names.
    assert question(turn) == "onset_age", turn
    assert turn[-1]["disclaimer"] is True and turn[-1]["text"].startswith("温馨提示")
    assert all(m.get("recipient_id") == sender for m in turn)
    # Stored in the checkout's SQLite file (endpoints.yml), under the REST namespace.
    import sqlite3

    with sqlite3.connect(servers.ROOT / ".rasa" / "tracker.db") as db:
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (rest_id(sender),)).fetchone()[0]
    assert stored > 0
