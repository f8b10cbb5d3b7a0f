"""Privacy and security at the edge: the HTTP API off by default and behind JWT when on, explicit CORS,
no message text in the logs at INFO, no secret in the repository's configuration."""
import re
import subprocess
import time
import uuid

import pytest
import requests
import yaml

from tests import cluster as cluster_module
from tests import servers


@pytest.fixture(scope="module")
def cluster(request):
    return cluster_module.get(request)


@pytest.mark.e2e
def test_http_api_is_off_by_default(rasa_server):
    """The session server is started as `make run` starts it: no --enable-api."""
    assert requests.get(f"{rasa_server}/conversations/someone/tracker", timeout=10).status_code == 404
    assert requests.get(f"{rasa_server}/status", timeout=10).status_code == 404


@pytest.mark.e2e
def test_http_api_needs_a_valid_jwt(cluster):
    sender = f"test-jwt-{time.time_ns()}"
    cluster.a.send(sender, "你好")
    url = f"{cluster.a.url}/conversations/{cluster_module.rest_id(sender)}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    forged = cluster.token(secret="not-the-secret-" + uuid.uuid4().hex)
    assert requests.get(url, headers={"Authorization": f"Bearer {forged}"}, timeout=10).status_code == 401
    other_user = cluster.token(username="someone-else", role="user")
    assert requests.get(url, headers={"Authorization": f"Bearer {other_user}"}, timeout=10).status_code == 403
    reply = requests.get(url, headers={"Authorization": f"Bearer {cluster.token()}"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["sender_id"] == cluster_module.rest_id(sender)


@pytest.mark.e2e
def test_cors_allows_only_the_configured_origin(cluster, rasa_server):
    def preflight(base: str, origin: str) -> requests.Response:
        return requests.options(
            f"{base}/webhooks/rest/webhook", timeout=10,
            headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "content-type"},
        )

    allowed = preflight(cluster.a.url, cluster.ORIGIN)
    assert allowed.headers.get("Access-Control-Allow-Origin") == cluster.ORIGIN
    assert "Access-Control-Allow-Origin" not in preflight(cluster.a.url, "https://evil.example").headers
    # Without --cors (the session server), no origin is allowed.
    assert "Access-Control-Allow-Origin" not in preflight(rasa_server, "https://evil.example").headers


@pytest.mark.e2e
def test_logs_carry_no_message_text(rest, rasa_server, workdir, action_server, cluster):
    marker = f"我最近两条腿没劲上楼费劲{uuid.uuid4().hex[:8]}"
    sender = rest.new_sender()
    rest.send(marker, sender)
    rest.send("成年后" + marker[-8:], sender)
    cluster.a.send(f"test-log-{time.time_ns()}", marker)
    logs = [
        workdir / f"rasa-{rasa_server.rsplit(':', 1)[1]}.log",
        workdir / f"actions-{action_server}.log",
        cluster.a.log,
        cluster.second_action_server.log,
    ]
    for log in logs:
        text = log.read_text(errors="replace")
        assert "INFO" in text, f"{log} has no INFO lines: is it the right log?"
        assert marker[-8:] not in text, f"message text in {log}"
        assert marker not in text, f"message text in {log}"


def test_no_secret_in_the_configuration():
    """Passwords, secrets, tokens and keys in the YAML configuration come from ${VARIABLES}."""
    files = [servers.ROOT / "endpoints.yml", servers.ROOT / "credentials.yml",
             *sorted((servers.ROOT / "deploy").glob("*.yml"))]
    secretish = re.compile(r"(password|secret|token|_key$|^key$)", re.IGNORECASE)

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
                if secretish.search(str(key)) and isinstance(value, (str, int)) and value:
                    yield f"{path}.{key}", value
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}[{i}]")

    for file in files:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        for where, value in walk(raw, file.name):
            assert re.fullmatch(r"\$\{[A-Z0-9_]+\}", str(value)), f"{where} holds a literal value"
    tracked = subprocess.run(["git", "ls-files"], cwd=servers.ROOT, capture_output=True, text=True).stdout.split()
    for name in tracked:
        path = servers.ROOT / name
        if path.is_file() and path.stat().st_size < 1_000_000:
            assert "PRIVATE " + "KEY-----" not in path.read_text(errors="ignore"), f"a private key in {name}"
