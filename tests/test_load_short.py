"""A short load run (bench/load.py) in `make test`: concurrent conversations, none loses or crosses a reply."""
import asyncio
import importlib.util

import pytest

from tests import servers

pytestmark = pytest.mark.e2e


def _load_module():
    spec = importlib.util.spec_from_file_location("bench_load", servers.ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_concurrent_conversations_get_their_own_replies(rasa_server):
    report = asyncio.run(_load_module().run(rasa_server, conversations=5, messages=6))
    print(report)
    assert report["requests"] == 30
    assert report["errors"] == 0
    assert report["crossed"] == 0


def test_a_crossed_reply_is_detected():
    """The checker itself: another conversation's summary counts as crossed."""
    load = _load_module()
    own, other = "a" * 12, "b" * 12
    reference = [load.signature([{"text": "主诉:编号<marker>"}], "s", "x")]
    result = {"sender": "s", "marker": own, "turns": [[{"text": f"主诉:编号{other}", "recipient_id": "s"}]]}
    assert load.crossed(result, reference, None) == 1
    result["turns"] = [[{"text": f"主诉:编号{own}", "recipient_id": "s"}]]
    assert load.crossed(result, reference, None) == 0
