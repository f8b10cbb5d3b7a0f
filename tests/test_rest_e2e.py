"""End to end through POST /webhooks/rest/webhook with the real Rasa and action servers."""
import pytest

from tests.test_turn import DISCLAIMER

pytestmark = pytest.mark.e2e


def texts(turn):
    return [m.get("text") or "" for m in turn]


def assert_safe_turn(turn):
    assert turn, "silence"
    assert turn[-1]["text"] == DISCLAIMER
    assert sum(DISCLAIMER in t for t in texts(turn)) == 1


@pytest.mark.parametrize(
    "message,expect",
    [
        ("你好", "科普助手"),
        ("肌肉萎缩是什么原因引起的", "基因突变、神经损伤、肌肉疾病、废用性萎缩以及营养不良"),
        ("渐冻症是怎么回事", "运动神经元"),
        ("皮肌炎为什么会让肌肉萎缩", "炎症性肌病"),
        ("恶病质是什么", "营养不良"),
        ("卧床的老人家属该怎么护理", "翻身、拍背"),
        ("肌肉萎缩吃什么好", "鱼肉、鸡蛋、牛奶及豆制品"),
        ("肌肉萎缩会传染吗", "不会传染"),
        ("肌肉萎缩症会遗传给孩子吗", "遗传"),
        ("今天股票涨了吗", "超出了我能回答的范围"),
    ],
)
def test_questions_get_answers_from_the_article_with_the_disclaimer(rest, message, expect):
    turn = rest.send(message, rest.new_sender())
    assert_safe_turn(turn)
    assert any(expect in t for t in texts(turn)), texts(turn)


@pytest.mark.parametrize(
    "message",
    ["", "   ", "😀😀😀", "hello, what is this?", "<img src=x onerror=alert(1)>", "肌" * 5000, "%$#@!", "1", "\u200b"],
)
def test_odd_input_gets_a_polite_reply_never_silence(rest, message):
    assert_safe_turn(rest.send(message, rest.new_sender()))


def test_a_whole_interview_every_turn_ends_with_the_disclaimer(rest):
    sender = rest.new_sender()
    turn = rest.send("我最近两条腿没劲,上楼梯很费劲", sender)
    for _ in range(8):
        assert_safe_turn(turn)
        if any((m.get("custom") or {}).get("type") == "triage_result" for m in turn):
            break
        turn = rest.send("不知道", sender)
    else:
        pytest.fail("the interview did not end in 8 answers")
    assert any("病情摘要" in t for t in texts(turn))


def test_the_interview_names_the_limb_the_patient_told_and_keeps_it_in_the_summary(rest):
    sender = rest.new_sender()
    rest.send("最近胳膊没劲", sender)
    rest.send("成年后", sender)
    turn = rest.send("几周内出现", sender)
    assert_safe_turn(turn)
    asked = next(m for m in turn if m.get("buttons") and "两侧" in (m.get("text") or ""))
    assert "您说的胳膊" in asked["text"]  # not "主要是哪里没劲": the patient said where
    for _ in range(6):
        if any((m.get("custom") or {}).get("type") == "triage_result" for m in turn):
            break
        turn = rest.send("不知道", sender)
    summary = next(t for t in texts(turn) if "病情摘要" in t)
    assert "部位:提到:胳膊" in summary


def test_emergency_first_even_mid_interview(rest):
    sender = rest.new_sender()
    rest.send("我最近两条腿没劲", sender)
    turn = rest.send("刚才突然说话不清楚,嘴也歪了", sender)
    assert_safe_turn(turn)
    payload = next(m["custom"] for m in turn if "custom" in m)
    assert payload["urgency"] == "emergency" and "stroke" in payload["red_flags"]
    assert any("120" in t for t in texts(turn))
    # The interview stopped: a plain answer now is not taken as the next question's answer.
    after = rest.send("成年后", sender)
    assert not any("triage_result" == (m.get("custom") or {}).get("type") for m in after)


def test_common_question_mid_interview_then_back(rest):
    sender = rest.new_sender()
    first = rest.send("我最近两条腿没劲", sender)
    question = next(t for t in texts(first) if t.endswith("?"))
    turn = rest.send("肌肉萎缩会传染吗", sender)
    assert any("不会传染" in t for t in texts(turn))
    assert question in texts(turn)


def test_action_server_unreachable_gives_an_apology_with_the_disclaimer(rest, relay):
    relay.cut = True
    turn = rest.send("渐冻症是怎么回事", rest.new_sender())
    assert_safe_turn(turn)
    assert "抱歉" in turn[0]["text"]


def test_bad_request_is_refused_clearly(rasa_server):
    import requests

    reply = requests.post(f"{rasa_server}/webhooks/rest/webhook", data=b"{not json", timeout=10)
    assert reply.status_code == 400
    assert "JSON" in reply.json()["error"]
