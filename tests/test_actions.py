"""Custom actions, run without Rasa: which response they choose and with which knowledge."""
import asyncio

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import answers, interview, triage
from triage import knowledge
from triage.interview import facts_order
from tests.conftest import make_tracker


def run(action, tracker, dispatcher, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


@pytest.mark.parametrize(
    "value,category",
    [
        ("杜氏肌营养不良", "genetic"), ("脊髓性肌萎缩症", "genetic"), ("吉兰-巴雷综合征", "neurogenic"),
        ("腕管综合征", "neurogenic"), ("肌萎缩侧索硬化", "neurogenic"), ("多发性肌炎", "myopathic"),
        ("皮肌炎", "myopathic"), ("线粒体肌病", "myopathic"), ("糖原累积病", "myopathic"),
        ("石膏固定", "disuse"), ("长期卧床", "disuse"), ("失重", "disuse"), ("恶病质", "nutritional"),
        ("神经性厌食", "nutritional"), ("渐冻症", "neurogenic"), ("基因突变", "genetic"),
    ],
)
def test_category_from_entity(value, category, dispatcher, domain):
    tracker = make_tracker(f"{value}是怎么回事", "ask_cause_category", entities=[{"entity": "cause_term", "value": value}])
    run(answers.ActionExplainCategory(), tracker, dispatcher, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_category_detail"
    assert message["name"] == knowledge.category(category)["name"]
    assert message["mechanism"] == knowledge.category(category)["mechanism"]


def test_category_from_text_when_the_entity_was_missed(dispatcher, domain):
    run(answers.ActionExplainCategory(), make_tracker("渐冻人为什么会肌肉萎缩", "ask_cause_category"), dispatcher, domain)
    assert dispatcher.messages[0]["name"] == "神经损伤"


def test_unknown_category_asks_which(dispatcher, domain):
    run(answers.ActionExplainCategory(), make_tracker("这个病是什么原因", "ask_cause_category"), dispatcher, domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_which_category"


def test_causes_overview_lists_all_five(dispatcher, domain):
    run(answers.ActionExplainCauses(), make_tracker("为什么会肌肉萎缩", "ask_causes"), dispatcher, domain)
    text = dispatcher.messages[0]["categories"]
    assert all(c["name"] in text for c in knowledge.categories())


@pytest.mark.parametrize("topic,paragraph", [("饮食", "diet"), ("翻身", "family"), ("锻炼", "general"), (None, "followup")])
def test_care_advice_by_topic(topic, paragraph, dispatcher, domain):
    entities = [{"entity": "care_topic", "value": topic}] if topic else []
    run(answers.ActionCareAdvice(), make_tracker("怎么护理", "ask_care", entities=entities), dispatcher, domain)
    assert knowledge.load()["care"][paragraph] in dispatcher.messages[0]["advice"]


def _faq_message(text, key):
    return {"text": text, "intent": {"name": "faq"}, "entities": [],
            "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{key}"}}}}


@pytest.mark.parametrize("key, text", [
    ("hereditary", "会遗传吗"), ("contagious", "会传染吗"), ("what_is", "肌肉萎缩是什么病"), ("symptoms", "有什么症状"),
    ("prevention", "怎么预防"), ("als", "渐冻症是什么"), ("progressive_treatment", "进行性的怎么治"),
])
def test_faq_answers_come_from_the_knowledge_file(key, text, dispatcher, domain):
    run(answers.ActionAnswerFaq(), make_tracker(latest_message=_faq_message(text, key)), dispatcher, domain)
    assert dispatcher.messages[0]["answer"] == knowledge.faq_answer(key)


@pytest.mark.parametrize("key, text", [
    ("als", "什么是肌张力异常"), ("als", "肌张力障碍是什么"), ("what_is", "什么是重症肌无力"), ("what_is", "帕金森是什么"),
])
def test_an_answer_about_a_named_thing_is_not_given_for_another_term(key, text, dispatcher, domain):
    run(answers.ActionAnswerFaq(), make_tracker(latest_message=_faq_message(text, key)), dispatcher, domain)
    assert [m.get("response") for m in dispatcher.messages][0] == "utter_faq_not_covered"


def test_emergency_sends_reason_payload_and_stops_the_interview(dispatcher, domain):
    events = run(triage.ActionEmergency(), make_tracker("我爸突然左边手脚没劲嘴也歪了", "red_flag"), dispatcher, domain)
    assert dispatcher.messages[0]["response"] == "utter_emergency"
    assert "脑卒中" in dispatcher.messages[0]["reasons"]
    payload = dispatcher.messages[1]["custom"]
    assert payload["urgency"] == "emergency" and payload["red_flags"] == ["stroke"]
    assert payload["department"] == knowledge.department("emergency")
    assert ActiveLoop(None) in events


@pytest.mark.parametrize(
    "text,top",
    [("我爸突然左边手脚没劲嘴也歪了", "neurogenic"), ("跑完步大腿疼得厉害,尿是酱油色的", "myopathic"),
     ("腿没劲从脚往上发展到腰了,就这三天的事", "neurogenic")],
)
def test_emergency_ranks_the_categories_from_what_was_said(text, top, dispatcher, domain):
    run(triage.ActionEmergency(), make_tracker(text, "red_flag"), dispatcher, domain)
    causes = dispatcher.messages[1]["custom"]["causes"]
    assert causes[0]["id"] == top and causes[0]["score"] > 0 and causes[0]["reasons"]
    assert len(causes) == 5


def test_result_turn_has_text_payload_and_summary(dispatcher, domain):
    slots = {"immobilisation": ["cast"], "location": ["one_side"], "associated": ["none"], "complaint": "打了石膏腿细了"}
    run(triage.ActionTriageResult(), make_tracker("没有", "deny", slots=slots), dispatcher, domain)
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses == ["utter_triage_result", None, "utter_summary", "utter_ask_feedback", "utter_offer_handoff"]
    assert dispatcher.messages[1]["custom"]["causes"][0]["id"] == "disuse"
    assert dispatcher.messages[2]["complaint"] == "打了石膏腿细了"


@pytest.mark.parametrize("known, response", [
    ({"location": ["one_side"]}, "utter_triage_uncertain"),  # weak evidence: the directions it has are listed
    ({}, "utter_triage_no_evidence"),  # none at all: said so, without an empty list of directions
])
def test_weak_evidence_result_says_so(dispatcher, domain, known, response):
    slots = {**{f: ["unknown"] for f in facts_order()}, **known}
    run(triage.ActionTriageResult(), make_tracker("不知道", "dont_know", slots=slots), dispatcher, domain)
    assert dispatcher.messages[0]["response"] == response


def test_close_scores_name_both_categories_in_the_result(dispatcher, domain):
    # A child's onset (genetic 3) and trouble on the stairs (myopathic 3): neither is picked over the other.
    slots = {"onset_age": ["onset_child"], "location": ["proximal"], "complaint": "孩子上楼梯费劲"}
    run(triage.ActionTriageResult(), make_tracker("不知道", "dont_know", slots=slots), dispatcher, domain)
    result = dispatcher.messages[0]
    assert result["response"] == "utter_triage_close"
    assert {result["category"], result["second_category"]} == {"基因突变", "肌肉疾病"}
    assert set(dispatcher.messages[1]["custom"]["close_call"]) == {"genetic", "myopathic"}


def test_summary_lists_dont_know_answers(dispatcher, domain):
    slots = {"onset_age": ["unknown"], "family_history": ["unknown"], "complaint": "腿没劲"}
    run(triage.ActionShowSummary(), make_tracker("给我摘要", "request_summary", slots=slots), dispatcher, domain)
    assert dispatcher.messages[0]["unknowns"] == "起病年龄、家族史"


def test_begin_resets_every_fact_that_is_set(dispatcher, domain):
    slots = {fact: ["unknown"] for fact in facts_order()}
    slots.update(asked=["onset_age"], requested_slot="location", complaint="腿没劲")
    events = run(triage.ActionBeginInterview(), make_tracker("重新开始", "restart_interview", slots=slots), dispatcher, domain)
    reset = {e["name"] for e in events if e.get("event") == "slot"}
    assert reset == set(slots)
    assert all(e["value"] is None for e in events if e.get("event") == "slot")


def test_validation_action_rejects_an_interruption_and_reads_an_answer(dispatcher, domain):
    action = interview.ValidateInterviewForm()
    pending = {"requested_slot": "onset_age", "asked": ["onset_age"]}
    assert run(action, make_tracker("肌肉萎缩会遗传吗", "faq", slots=pending), dispatcher, domain) == []
    events = run(action, make_tracker("小时候就这样", "describe_symptoms", slots=pending), dispatcher, domain)
    assert SlotSet("onset_age", ["onset_child"]) in events
    assert SlotSet("requested_slot", "family_history") in events


@pytest.mark.parametrize("complaint, response", [("最近右边胳膊没劲", "utter_ask_location_named"), ("最近总没劲", "utter_ask_location")])
def test_the_location_question_names_a_limb_that_was_told(dispatcher, domain, complaint, response):
    run(interview.ActionAskLocation(), make_tracker("", "inform", slots={"complaint": complaint}), dispatcher, domain)
    assert dispatcher.messages[0]["response"] == response
    assert domain["responses"][response][0]["buttons"] == domain["responses"]["utter_ask_location"][0]["buttons"]
