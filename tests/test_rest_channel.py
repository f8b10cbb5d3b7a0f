"""The REST channel's plain parts: request parsing and the turn runner (deadline, failures)."""
import asyncio

import pytest

from channels import rest, turn


@pytest.mark.parametrize(
    "body,reason",
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid UTF-8"),
        (b"[1, 2]", "JSON object"),
        (b'{"message": "hi"}', "'sender'"),
        (b'{"sender": "a"}', "'message'"),
        (b'{"sender": "a", "message": "hi", "metadata": 3}', "'metadata'"),
        (b"x" * 2_000_000, "too large"),
    ],
)
def test_bad_bodies_are_refused_with_a_clear_reason(body, reason):
    with pytest.raises(rest.BadRequest, match=reason):
        rest.parse_body(body)


def test_a_long_message_is_cut_not_refused():
    parsed = rest.parse_body(('{"sender": "a", "message": "%s"}' % ("肌" * 5000)).encode())
    assert len(parsed["message"]) == rest.settings.MAX_MESSAGE_CHARS


def run(coro):
    return asyncio.run(coro)


def test_a_turn_past_its_deadline_becomes_an_apology():
    async def slow(message):
        await asyncio.sleep(5)

    messages = run(rest.run_turn(slow, "渐冻症是什么", "s", "rest", deadline=0.2))
    assert messages[0]["text"] == turn.APOLOGY
    assert messages[-1]["disclaimer"] is True


def test_a_failing_turn_becomes_an_apology():
    async def broken(message):
        raise RuntimeError("tracker store down")

    assert run(rest.run_turn(broken, "你好", "s", "rest"))[0]["text"] == turn.APOLOGY


def test_a_turn_in_time_is_returned_with_the_disclaimer():
    async def fine(message):
        await message.output_channel.send_text_message(message.sender_id, "您好")

    messages = run(rest.run_turn(fine, "你好", "s", "rest"))
    assert [m["text"] for m in messages][0] == "您好"
    assert messages[-1]["disclaimer"] is True
