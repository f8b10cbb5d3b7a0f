"""Bad input at the HTTP edge: a 4xx with a clear message, and nothing stored for the sender."""
import sqlite3
import uuid

import pytest

from tests.cluster import rest_id

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:8]


def _sender(case: str) -> str:
    return f"edge-{case}-{RUN}"


# (case, body, expected status, words in the error)
CASES = [
    ("invalid_json", f'{{"sender": "{_sender("invalid_json")}", "message": "腿没劲"'.encode(), 400, "not valid JSON"),
    ("invalid_utf8", f'{{"sender": "{_sender("invalid_utf8")}", "message": "'.encode() + b"\xff\xfe\xfa" + b'"}',
     400, "not valid UTF-8"),
    ("missing_message", f'{{"sender": "{_sender("missing_message")}"}}'.encode(), 400, "'message'"),
    ("missing_sender", '{"message": "腿没劲"}'.encode(), 400, "'sender'"),
    ("message_not_string", f'{{"sender": "{_sender("message_not_string")}", "message": 42}}'.encode(), 400,
     "'message'"),
    ("metadata_not_object",
     f'{{"sender": "{_sender("metadata_not_object")}", "message": "腿没劲", "metadata": [1]}}'.encode(), 400,
     "'metadata'"),
    ("not_an_object", f'["{_sender("not_an_object")}", "腿没劲"]'.encode(), 400, "JSON object"),
    ("empty_body", b"", 400, "not valid JSON"),
    ("too_large", f'{{"sender": "{_sender("too_large")}", "message": "{"腿" * 400_000}"}}'.encode(), 400,
     "too large"),
]


def _stored(workdir, sender: str) -> int:
    with sqlite3.connect(workdir / "tracker.db") as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (rest_id(sender),)).fetchone()[0]


@pytest.mark.parametrize("case,body,status,words", CASES, ids=[c[0] for c in CASES])
def test_bad_request_is_refused_clearly(rest, workdir, case, body, status, words):
    reply = rest.post(body)
    assert reply.status_code == status, reply.text[:300]
    assert words in reply.json()["error"]
    assert _stored(workdir, _sender(case)) == 0


def test_a_good_request_is_stored(rest, workdir):
    """The control: the same store query sees a conversation that was accepted."""
    sender = _sender("control")
    rest.send("我最近两条腿没劲上楼费劲", sender)
    assert _stored(workdir, sender) > 0


def test_body_over_a_megabyte_through_nginx_is_413_json(request):
    """nginx in front (client_max_body_size 1m, deploy/nginx.conf's REST server) refuses it before Rasa reads it."""
    from tests import cluster as cluster_module

    cluster = cluster_module.get(request)
    sender = _sender("nginx_large")
    body = f'{{"sender": "{sender}", "message": "{"a" * 1_100_000}"}}'.encode()
    reply = cluster.rest.post(body)
    assert reply.status_code == 413
    assert "too large" in reply.json()["error"]
    assert not cluster.events(rest_id(sender))
