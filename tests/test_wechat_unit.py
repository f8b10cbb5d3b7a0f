"""Unit tests of channels/wechat/ without Rasa: rendering, splitting, numbering, parsing, dedupe, the
deadline, and the API client against the fake WeChat API."""
import asyncio
import time

import pytest
from wechatpy.exceptions import WeChatClientException

from triage import knowledge
from channels import turn
from channels.wechat import api, channel as wechat_channel, protocol, render, state
from tests import servers
from tests.inprocess import FakeRasa
from tests.wechat_sim import WeChatSimulator

DISCLAIMER = knowledge.disclaimer()
ENV = servers.WECHAT_TEST_ENV
SIM = WeChatSimulator("http://unused", ENV["WECHAT_TOKEN"], ENV["WECHAT_APP_ID"], ENV["WECHAT_ENCODING_AES_KEY"])


def parse(fields):
    return protocol.parse_xml(SIM.to_xml(fields))


# -------------------------------------------------------------------------------------------------- sender ids


def test_sender_id_is_a_stable_keyed_hash_that_hides_the_openid():
    openid = SIM.new_openid()
    first = protocol.sender_id(openid, "key-a", "wechat")
    assert first == protocol.sender_id(openid, "key-a", "wechat")
    assert first.startswith("wechat-") and openid not in first
    assert first != protocol.sender_id(openid, "key-b", "wechat")
    assert first != protocol.sender_id(SIM.new_openid(), "key-a", "wechat")


# --------------------------------------------------------------------------------------------------- rendering


def test_render_turn_numbers_buttons_across_messages_and_ends_with_the_disclaimer():
    messages = turn.finalize([
        {"text": "第一条", "buttons": [{"title": "甲", "payload": "/a"}, {"title": "乙", "payload": "/b"}]},
        {"text": "第二条", "buttons": [{"title": "丙", "payload": "/c"}]},
    ])
    text, payloads = render.render_turn(messages)
    assert payloads == ["/a", "/b", "/c"]
    lines = text.split("\n")
    assert "1. 甲" in lines and "2. 乙" in lines and "3. 丙" in lines
    assert lines.index("第一条") < lines.index("1. 甲") < lines.index("第二条") < lines.index("3. 丙")
    assert text.endswith(DISCLAIMER) and text.count(DISCLAIMER) == 1


def test_render_triage_result_payload_as_readable_text():
    payload = {
        "type": "triage_result", "urgency": "urgent", "department": "神经内科",
        "causes": [
            {"id": "neurogenic", "name": "神经损伤", "score": 0.62, "reasons": ["肌肉跳动", "麻木"]},
            {"id": "myopathic", "name": "肌肉疾病", "score": 0.2, "reasons": []},
            {"id": "genetic", "name": "基因突变", "score": 0.0, "reasons": []},
        ],
        "red_flags": ["breathing"], "red_flag_reasons": ["呼吸困难"],
    }
    text, _ = render.render_turn(turn.finalize([{"custom": payload}]))
    assert knowledge.load()["urgency"]["urgent"] in text
    assert "神经内科" in text and "神经损伤" in text and "62%" in text and "肌肉跳动" in text
    assert "呼吸困难" in text
    assert "基因突变" not in text, "a cause with score 0 is not listed"
    assert "{" not in text and "triage_result" not in text
    assert text.endswith(DISCLAIMER)


def test_render_turn_keeps_reply_text_valid_inside_cdata():
    text, _ = render.render_turn(turn.finalize([{"text": "a]]>b\x00c\x07d"}]))
    assert "]]>" not in text and "\x00" not in text and "\x07" not in text


# --------------------------------------------------------------------------------------------------- splitting


def test_short_text_is_one_part():
    assert render.split_text(f"你好\n{DISCLAIMER}") == [f"你好\n{DISCLAIMER}"]


@pytest.mark.parametrize("line_chars", [80, 200, 900, 3000])
def test_long_text_splits_at_lines_within_the_byte_limit_and_ends_with_the_disclaimer(line_chars):
    lines = [f"{i}:" + "肌" * line_chars for i in range(12)]
    text = "\n".join([*lines, DISCLAIMER])
    parts = render.split_text(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= render.PASSIVE_MAX_BYTES for p in parts)
    assert parts[-1].endswith(DISCLAIMER)
    assert sum(p.count(DISCLAIMER) for p in parts) == 1
    assert "".join(parts).replace("\n", "") == text.replace("\n", ""), "nothing lost or repeated"
    if line_chars < 600:  # lines that fit in a part are never cut
        assert set(lines) <= set("\n".join(parts).split("\n"))


def test_split_respects_a_small_limit_and_multibyte_characters():
    parts = render.split_text("肌肉萎缩" * 10, limit=10)
    assert parts[:2] == ["肌肉萎", "缩肌肉"], "3-byte characters are never cut in half"
    assert all(len(p.encode()) <= 10 for p in parts) and "".join(parts) == "肌肉萎缩" * 10


# --------------------------------------------------------------------------------------------------- numbering


@pytest.mark.parametrize("reply,expected", [
    ("1", "/a"), ("２", "/b"), (" 3 ", "/c"), ("3.", "/c"), ("１、", "/a"),
    ("4", None), ("0", None), ("12", None), ("1个", None), ("腿没劲", None), ("", None),
])
def test_button_choice_maps_numbers_to_payloads(reply, expected):
    assert render.button_choice(reply, ["/a", "/b", "/c"]) == expected


def test_button_choice_without_buttons_passes_numbers_through():
    assert render.button_choice("1", []) is None


# ---------------------------------------------------------------------------------------------------- parsing


def test_parse_a_text_message():
    message = parse(SIM.text("oUser", "腿没劲", msg_id="123"))
    assert protocol.classify(message) == (protocol.TEXT, "腿没劲")
    assert protocol.dedupe_key(message, "s") == "msg:123"


@pytest.mark.parametrize("xml,reason", [
    ("<xml><ToUserName>a</ToUserName>", "malformed"),
    ("not xml at all", "malformed"),
    ("<root><MsgType>text</MsgType></root>", "malformed"),
    ("<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime></xml>", "malformed"),
    ("<xml><ToUserName>a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", "FromUserName"),
    ("<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>soon</CreateTime>"
     "<MsgType>text</MsgType></xml>", "CreateTime"),
    ("<xml><ToUserName>a</ToUserName><FromUserName><x>1</x></FromUserName><CreateTime>1</CreateTime>"
     "<MsgType>text</MsgType></xml>", "FromUserName"),
    ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><ToUserName>&e;'
     "</ToUserName></xml>", "DOCTYPE"),
    ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
     "DOCTYPE"),
    ('<xml><!ENTITY x "y"><Content>a</Content></xml>', "DOCTYPE"),
])
def test_bad_xml_is_refused_with_400(xml, reason):
    with pytest.raises(protocol.Refused) as refused:
        protocol.parse_xml(xml)
    assert refused.value.status == 400 and reason in refused.value.reason


def test_cdata_and_comments_are_fine():
    fields = SIM.text("oUser", "x")
    xml = SIM.to_xml(fields).replace("<Content>x</Content>", "<!-- c --><Content><![CDATA[x]]></Content>")
    assert protocol.classify(protocol.parse_xml(xml)) == (protocol.TEXT, "x")


@pytest.mark.parametrize("fields,expected", [
    (SIM.message("o", "voice", MediaId="m", Format="amr", Recognition="腿没劲", MsgId="1"),
     (protocol.TEXT, "腿没劲")),
    (SIM.message("o", "voice", MediaId="m", Format="amr", MsgId="1"), (protocol.UNREADABLE, None)),
    (SIM.message("o", "image", PicUrl="http://p", MediaId="m", MsgId="1"), (protocol.UNREADABLE, None)),
    (SIM.message("o", "video", MediaId="m", ThumbMediaId="t", MsgId="1"), (protocol.UNREADABLE, None)),
    (SIM.message("o", "shortvideo", MediaId="m", ThumbMediaId="t", MsgId="1"), (protocol.UNREADABLE, None)),
    (SIM.message("o", "location", Location_X="23.1", Location_Y="113.3", Scale="15", Label="广州", MsgId="1"),
     (protocol.UNREADABLE, None)),
    (SIM.message("o", "link", Title="t", Description="d", Url="http://u", MsgId="1"), (protocol.UNREADABLE, None)),
    (SIM.message("o", "event", Event="subscribe"), (protocol.WELCOME, None)),
    (SIM.message("o", "event", Event="subscribe", EventKey="qrscene_42"), (protocol.WELCOME, None)),
    (SIM.message("o", "event", Event="unsubscribe"), (protocol.IGNORE, None)),
    (SIM.message("o", "event", Event="CLICK", EventKey="k"), (protocol.IGNORE, None)),
    (SIM.message("o", "hologram", MsgId="1"), (protocol.IGNORE, None)),
    (SIM.message("o", "text", Content="   ", MsgId="1"), (protocol.IGNORE, None)),
])
def test_classify_each_message_type(fields, expected):
    assert protocol.classify(parse(fields)) == expected


def test_events_dedupe_by_sender_and_create_time():
    message = parse(SIM.message("oUser", "event", Event="subscribe", create_time=1700000000))
    assert protocol.dedupe_key(message, "wechat-abc") == "evt:wechat-abc:1700000000"


def test_check_fresh():
    protocol.check_fresh("1000", 300, now=1200)
    for timestamp, status in (("600", 403), ("1400", 403), ("", 400), ("12a", 400), (None, 400)):
        with pytest.raises(protocol.Refused) as refused:
            protocol.check_fresh(timestamp, 300, now=1000)
        assert refused.value.status == status


def test_decode_body_limits_size_and_encoding():
    assert protocol.decode_body("<xml/>".encode(), 100) == "<xml/>"
    with pytest.raises(protocol.Refused) as too_big:
        protocol.decode_body(b"x" * 101, 100)
    assert too_big.value.status == 413
    with pytest.raises(protocol.Refused):
        protocol.decode_body(b"\xff\xfe<", 100)


# ------------------------------------------------------------------------------------------------------ caches


def test_ttl_cache_expires_and_stays_bounded():
    now = [0.0]
    cache = state.TtlCache(max_items=3, ttl=60, clock=lambda: now[0])
    for key in "abcd":
        cache.set(key, key.upper())
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == "D"
    now[0] = 59
    assert cache.get("b") == "B"
    now[0] = 61
    assert cache.get("b") is None and len(cache) == 0


# ------------------------------------------------------------------- the channel's machinery with a fake Rasa


def make_channel(budget: float = 1.0):
    channel = wechat_channel.WeChatChannel.from_credentials({
        "token": ENV["WECHAT_TOKEN"], "app_id": ENV["WECHAT_APP_ID"], "app_secret": ENV["WECHAT_APP_SECRET"],
        "encoding_aes_key": ENV["WECHAT_ENCODING_AES_KEY"], "sender_key": "k", "reply_budget": str(budget),
    })
    channel.sent = []
    channel._send_text = lambda user, content, message: channel.sent.append((user, content))
    return channel


async def test_retries_share_one_turn_and_get_the_same_reply():
    channel, rasa = make_channel(), FakeRasa(delay=0.3)
    message = parse(SIM.text("oUser", "腿没劲"))
    replies = await asyncio.gather(*(channel.handle(message, rasa) for _ in range(3)))
    assert rasa.texts == ["腿没劲"]
    assert replies[0] == replies[1] == replies[2] and replies[0].startswith("echo:腿没劲")
    assert await channel.handle(message, rasa) == replies[0], "a late retry gets the cached reply"
    assert rasa.texts == ["腿没劲"]


async def test_a_slow_turn_answers_success_then_goes_through_the_api():
    channel, rasa = make_channel(budget=0.2), FakeRasa(delay=0.6)
    message = parse(SIM.text("oUser", "腿没劲"))
    first = asyncio.ensure_future(channel.handle(message, rasa))
    await asyncio.sleep(0.1)
    assert await channel.handle(message, rasa) is None, "a retry past the budget gets 'success'"
    assert await first is None
    await asyncio.sleep(0.8)
    assert rasa.texts == ["腿没劲"]
    assert len(channel.sent) == 1 and channel.sent[0][0] == "oUser" and channel.sent[0][1].endswith(DISCLAIMER)


async def test_a_long_turn_replies_with_the_first_part_and_sends_the_rest():
    long_reply = [{"text": "\n".join("第%d行" % i + "肌" * 300 for i in range(8))}]
    channel, rasa = make_channel(), FakeRasa(reply=lambda text: long_reply)
    first = await channel.handle(parse(SIM.text("oUser", "护理")), rasa)
    await asyncio.sleep(0.2)
    parts = [first, *(content for _, content in channel.sent)]
    assert len(parts) > 1 and all(len(p.encode()) <= 2048 for p in parts)
    assert parts[-1].endswith(DISCLAIMER) and not first.endswith(DISCLAIMER)


async def test_a_number_reply_sends_the_remembered_button_payload():
    buttons = [{"text": "选哪个", "buttons": [{"title": "甲", "payload": "/ask_causes"},
                                            {"title": "乙", "payload": "/ask_care"}]}]
    channel, rasa = make_channel(), FakeRasa(reply=lambda text: buttons)
    await channel.handle(parse(SIM.text("oUser", "你好")), rasa)
    await channel.handle(parse(SIM.text("oUser", "２")), rasa)
    await channel.handle(parse(SIM.text("oOther", "2")), rasa)
    assert rasa.texts == ["你好", "/ask_care", "2"], "numbers map per user, to that user's last buttons"


async def test_subscribe_sends_greet_unsubscribe_and_images_do_not_reach_rasa():
    channel, rasa = make_channel(), FakeRasa()
    assert await channel.handle(parse(SIM.message("oUser", "event", Event="subscribe")), rasa) is not None
    assert await channel.handle(parse(SIM.message("oUser", "event", Event="unsubscribe")), rasa) is None
    unreadable = await channel.handle(parse(SIM.message("oUser", "image", PicUrl="p", MediaId="m", MsgId="7")), rasa)
    assert unreadable.startswith(knowledge.load()["channel_texts"]["wechat_unsupported"])
    assert unreadable.endswith(DISCLAIMER)
    assert rasa.texts == [protocol.WELCOME_TEXT]


async def test_a_failing_turn_still_answers_with_the_apology():
    async def broken(message):
        raise RuntimeError("rasa exploded")

    reply = await make_channel().handle(parse(SIM.text("oUser", "你好")), broken)
    assert reply.startswith(turn.APOLOGY) and reply.endswith(DISCLAIMER)


def test_an_encoding_aes_key_of_the_wrong_length_stops_the_server_at_start():
    with pytest.raises(ValueError):
        wechat_channel.WeChatChannel.from_credentials({"token": "t", "encoding_aes_key": "short"})


def test_without_a_token_the_channel_is_off():
    channel = wechat_channel.WeChatChannel.from_credentials({"token": "", "app_id": ""})
    with pytest.raises(protocol.Refused) as refused:
        channel._check_configured()
    assert refused.value.status == 503


async def test_stale_create_time_is_ignored():
    channel, rasa = make_channel(), FakeRasa()
    assert await channel.handle(parse(SIM.text("oUser", "你好", create_time=1_000_000_000)), rasa) is None
    assert rasa.texts == []


# ------------------------------------------------------------------------------ API client against the fake API


@pytest.fixture
def fake_api():
    api = servers.FakeWeChatAPI()
    yield api
    api.close()


def test_api_client_caches_the_token_and_refreshes_it_when_rejected(fake_api):
    client = api.WeChatApiClient(ENV["WECHAT_APP_ID"], ENV["WECHAT_APP_SECRET"],
                                    fake_api.env["WECHAT_API_BASE_URL"], timeout=2)
    for i in range(3):
        client.message.send_text("oUser", f"第{i}条")
    assert len(fake_api.token_requests) == 1
    fake_api.expire_tokens()
    client.message.send_text("oUser", "第3条")
    assert len(fake_api.token_requests) == 2
    assert [m["text"]["content"] for m in fake_api.sent_to("oUser")] == ["第0条", "第1条", "第2条", "第3条"]


def test_api_client_with_a_wrong_secret_raises(fake_api):
    client = api.WeChatApiClient(ENV["WECHAT_APP_ID"], "wrong", fake_api.env["WECHAT_API_BASE_URL"], timeout=2)
    with pytest.raises(WeChatClientException):
        client.message.send_text("oUser", "x")
    assert fake_api.sent == []


def test_wecom_api_client_sends_through_the_configured_host(fake_api):
    client = api.WeComApiClient(ENV["WECOM_CORP_ID"], ENV["WECOM_SECRET"], fake_api.env["WECOM_API_BASE_URL"])
    client.message.send_text(ENV["WECOM_AGENT_ID"], "zhangsan", "你好")
    assert fake_api.sent_to("zhangsan")[0]["text"]["content"] == "你好"


# ----------------------------------------------------------------------------------------- safe mode, replays


def test_with_an_aes_key_a_correctly_signed_plaintext_callback_is_refused():
    xml = SIM.to_xml(SIM.text("oUser", "你好"))
    query = SIM.query()
    with_key = protocol.OfficialAccountProtocol(ENV["WECHAT_TOKEN"], ENV["WECHAT_ENCODING_AES_KEY"], ENV["WECHAT_APP_ID"])
    with pytest.raises(protocol.Refused) as refused:
        with_key.open(query, xml)
    assert refused.value.status == 403 and "plaintext" in refused.value.reason
    without_key = protocol.OfficialAccountProtocol(ENV["WECHAT_TOKEN"], "", ENV["WECHAT_APP_ID"])
    assert without_key.open(query, xml) == (xml, False)
    body, safe_query = SIM.envelope(SIM.text("oUser", "你好"), "safe", SIM.query())
    opened, encrypted = with_key.open(safe_query, body)
    assert encrypted and protocol.parse_xml(opened).content == "你好"


def test_a_captured_plaintext_url_cannot_be_replayed_with_another_sender():
    """Plaintext mode (no AES key): the signature covers token, timestamp and nonce only. The captured URL
    carries one message; with another FromUserName it is refused, the message's own retry is answered."""
    from tests.inprocess import ChannelServer

    plain = wechat_channel.WeChatChannel.from_credentials({"token": ENV["WECHAT_TOKEN"], "sender_key": "k"})
    server = ChannelServer(plain, FakeRasa())
    try:
        sim = WeChatSimulator(server.url, ENV["WECHAT_TOKEN"])
        captured = {"nonce": "n-captured", "timestamp": int(time.time())}
        original = sim.text("oPatient", "你好")
        first = sim.post(original, **captured)
        assert first.status == 200 and first.content.startswith("echo:你好")
        assert sim.post(original, **captured).content == first.content, "WeChat's retry: same reply"
        intruder = sim.post(sim.text("oIntruder", "生成摘要"), **captured)
        assert intruder.status == 403 and "nonce" in intruder.response.text
        assert server.rasa.texts == ["你好"]
        assert sim.post(sim.text("oIntruder", "你好")).status == 200, "a fresh nonce is fine"
    finally:
        server.stop()
