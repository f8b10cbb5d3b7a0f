"""The red-flag check: a safety net under the gate that opens the interview with the warning signs and a 120 button."""
import asyncio
import uuid

import pytest

from actions import answers, handoff, safety, triage
from actions import conversation as conversation_actions
from scripts import eval_real
from tests.conftest import make_tracker
from triage import red_flags


@pytest.mark.parametrize("text", [
    "最近老是胸闷气短,浑身没劲,腿也软",            # breathing words: asked, though years of it are not an emergency
    "我妈今天早上起来腿就没劲了",                   # something acute tied to a deficit
    "孩子发烧以后一直很蔫,胳膊腿都软",              # a child gone quiet
    "我爸这阵子吃饭咽东西有点费劲,胳膊也细了",
    "老伴右边身子有点不得劲,脚也抬不太起来",
    "最近胸口隐隐有点疼,腿也没劲",
    # uncertain cases the gate leaves to the check rather than to 120
    "早上醒来右手发麻,使劲甩也没用",                 # one hand numb on waking: mostly a slept-on nerve
    "刚才突然左脚发麻",
    "这两天胸闷气短,浑身没劲",                       # tiredness with chest words, dated but not sudden
    "今天早上起来浑身没劲,头也晕",                   # tiredness come on today
    "我妈突然浑身没劲,坐在沙发上不想动",
    "我有贫血,一爬楼就喘,浑身没劲",                 # breathing words are asked even as a habit
    "我儿子吃花生米的时候呛了一下,现在一直咳,喘气有声音",  # no rule for a foreign body yet: at least asked
    "我的腿没劲从脚往上走",                           # climbing weakness, no time told
    "先是腿没劲后来手也没劲了",                       # legs then arms, no time told
    "我妈反复晕厥,想问挂什么科",                       # faints with no time told
    "我爸反应变慢了,走路也不稳",                       # slowed responses, no time told
    "心慌,眼前发黑,差点晕倒",                         # a near-faint
    "孩子三岁,今天一天没怎么尿,老是睡,还吐了",          # little urine with drowsiness or vomiting
    "宝宝尿很少,精神特别差",
])
def test_messages_that_could_hide_an_emergency_get_the_check(text):
    assert red_flags.needs_check(text)


@pytest.mark.parametrize("text", [
    "我腿没劲两年了,上楼费劲",                     # slow course, nothing acute
    "左腿打了石膏拆了以后比右腿细了一圈",
    "没有呼吸困难,也不呛,就是胳膊细了",            # negated signs do not count
    "如果喘不上气该怎么办",                         # a hypothetical
    "我妈脑梗六年了,右边手脚没劲,走路要拄拐",        # an old stroke's deficit
    "我有贫血好几年,最近容易累,没精神",
    "做过胃镜说是食管炎,吃东西有点咽不下去",          # a gullet disease
    "宝宝吃奶老是呛奶,吐奶",
    "最近感冒,鼻塞憋气,浑身没劲",                     # a blocked nose
    "早上醒来左手发麻,活动一下就好了",               # a slept-on hand that recovers
    "右手这两个月拿筷子越来越没劲",                   # worse over months: slow, not acute
    "肩周炎半年了,胳膊往上举没劲",                    # 往上 of a movement, not weakness that climbs
    "三年前先是腿没劲后来手也没劲了",                 # legs then arms over years
    "晕厥过一次,三年前,现在好了",                     # a faint years back
    "老人反应慢,腿脚没劲好几年了",                     # slowed for years
    "一氧化碳中毒后遗症,现在反应迟钝,手也不灵活",      # a poisoning's sequela
    "甲减,浑身乏力,怕冷,反应迟钝",                     # a slow head told as a state: the fatigue question's
    "阳了以后一直乏力,脑子转不动,记性差",
    "孩子吐了一次,精神还好,尿也正常",                  # vomiting with normal urine and a well child
    "",
])
def test_plain_chronic_stories_do_not(text):
    assert not red_flags.needs_check(text)


def test_a_rule_that_fires_sends_to_120_instead_of_asking():
    text = "我爸刚才突然左边胳膊抬不起来,嘴也歪了"
    assert red_flags.detect(text) and not red_flags.needs_check(text)


@pytest.mark.parametrize("text", ["孩子刚才突然走路一瘸一拐的", "我爸突然胳膊很疼,抬不起来"])
def test_a_confident_classifier_opens_the_check_on_an_abrupt_onset_no_concept_covers(text):
    assert not red_flags.needs_check(text, 0.1) and red_flags.needs_check(text, 0.9)


@pytest.mark.parametrize("text", ["我腿没劲两年了", "吃了降压药以后突然头晕", "浑身没劲是怎么回事", "浑身乏力好几个月了"])
def test_a_classifier_leaning_to_red_flag_alone_does_not(text):
    """On real dev messages the classifier gave red_flag >= 0.3 to 4 descriptions in 10: its lean alone is noise."""
    assert not red_flags.needs_check(text, 0.99)


def _message(text, red_flag_confidence):
    return {
        "text": text, "intent": {"name": "describe_symptoms", "confidence": 0.7}, "entities": [],
        "message_id": uuid.uuid4().hex,
        "intent_ranking": [{"name": "describe_symptoms", "confidence": 0.7}, {"name": "red_flag", "confidence": red_flag_confidence}],
    }


def test_the_interview_opens_with_the_check_before_the_first_question(dispatcher, domain):
    text = "我妈今天早上起来腿就没劲了,是怎么回事"
    tracker = make_tracker(text, latest_message=_message(text, 0.05))
    asyncio.run(triage.ActionBeginInterview().run(dispatcher, tracker, domain))
    names = [m.get("response") for m in dispatcher.messages]
    assert names[-1] == "utter_red_flag_check" and names[-2].startswith("utter_interview_intro")


def test_an_interview_on_a_plain_story_still_opens_with_the_warning_signs_and_the_120_button(dispatcher, domain):
    text = "我腿没劲两年了,越来越细"
    tracker = make_tracker(text, latest_message=_message(text, 0.0))
    asyncio.run(triage.ActionBeginInterview().run(dispatcher, tracker, domain))
    assert [m.get("response") for m in dispatcher.messages] == ["utter_interview_intro", "utter_red_flag_warning"]


def test_the_classifier_confidence_is_read_from_the_ranking():
    assert safety.red_flag_confidence(_message("x", 0.42)) == pytest.approx(0.42)
    assert safety.red_flag_confidence({"text": "x"}) == 0.0


def test_the_check_and_the_fatigue_question_carry_a_120_button(domain):
    for name in ("utter_red_flag_check", "utter_clarify_fatigue"):
        buttons = domain["responses"][name][0]["buttons"]
        assert any(b["payload"] == "/red_flag" for b in buttons), name
    assert "120" in domain["responses"]["utter_red_flag_check"][0]["text"]


def test_the_eval_counts_a_missed_emergency_that_was_shown_the_check():
    bot = lambda name: {"event": "bot", "text": "…", "metadata": {"utter_action": name}}  # noqa: E731
    assert eval_real.screened([bot("utter_interview_intro"), bot("utter_red_flag_check")])
    assert not eval_real.screened([bot("utter_interview_intro")])
    item = {"id": "e", "handling": "emergency"}
    outcomes = [eval_real.Outcome(item, "interview", screened=True), eval_real.Outcome(item, "interview"),
                eval_real.Outcome(item, "emergency")]
    f = eval_real.figures(outcomes)
    assert (f["emergencies_caught"], f["emergencies_missed"], f["emergencies_missed_unscreened"]) == (1, 2, 1)


@pytest.mark.parametrize("action, first", [
    (safety.ActionOutOfScope(), "utter_out_of_scope"), (handoff.ActionFallback(), "utter_fallback"),
    # answers too: an emergency the gate missed may be read as a question (issue 10, point 5)
    (answers.ActionExplainCauses(), "utter_causes_overview"), (answers.ActionCareAdvice(), "utter_care"),
    (answers.ActionAnswerFaq(), "utter_causes_overview"), (answers.ActionExplainCategory(), "utter_ask_which_category"),
    (conversation_actions.ActionAnswerWorry(), "utter_worry"), (conversation_actions.ActionExplainExam(), "utter_exam"),
])
def test_replies_that_do_not_interview_add_the_warning_only_when_it_could_be_urgent(action, first, dispatcher, domain):
    # needs_check fires on the first; only the wider net (a warning sign named, but long known) on the second
    for urgent in ("最近老是胸闷气短,浑身没劲", "我爸前年中风,现在说话还是不清楚"):
        asyncio.run(action.run(dispatcher, make_tracker(urgent, latest_message=_message(urgent, 0.0)), domain))
        sent = [m.get("response") for m in dispatcher.messages]
        assert (sent[0], sent[-1], sent.count("utter_red_flag_warning")) == (first, "utter_red_flag_warning", 1)
        dispatcher.messages.clear()
    plain = "明天北京天气怎么样"
    asyncio.run(action.run(dispatcher, make_tracker(plain, latest_message=_message(plain, 0.0)), domain))
    sent = [m.get("response") for m in dispatcher.messages]
    assert sent[0] == first and "utter_red_flag_warning" not in sent
    buttons = domain["responses"]["utter_red_flag_warning"][0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/red_flag"]
