"""The actions around the interview, run without Rasa: answer first, the opening line, the update after the
result, tiredness, worries, examinations, department and prognosis (which response, with which knowledge)."""
import asyncio

import pytest

from rasa_sdk.events import SlotSet

from actions import answers, conversation, triage
from tests.conftest import make_tracker


def run(action, tracker, dispatcher, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


def responses(dispatcher):
    return [m.get("response") for m in dispatcher.messages]


def test_a_story_that_asks_is_answered_first_then_the_interview_starts(dispatcher, domain):
    text = "我老公腰椎手术后在家躺了两个月,腿软站不住,这是废用性萎缩吗?"
    run(triage.ActionBeginInterview(), make_tracker(text, "describe_symptoms"), dispatcher, domain)
    assert responses(dispatcher) == ["utter_story_term", "utter_interview_intro", "utter_red_flag_warning"]
    assert dispatcher.messages[0]["term"] == "废用性萎缩" and dispatcher.messages[0]["name"] == "废用性萎缩"


def test_no_promise_of_questions_when_the_result_comes_at_once(dispatcher, domain):
    text = "骨折打了六周石膏拆了以后这条腿细了一圈,膝盖疼不敢动,按着还有点酸痛"
    run(triage.ActionBeginInterview(), make_tracker(text, "describe_symptoms"), dispatcher, domain)
    assert responses(dispatcher) == ["utter_interview_intro_direct", "utter_red_flag_warning"]


def test_a_detail_after_the_result_updates_it_and_keeps_the_answers(dispatcher, domain):
    slots = {"immobilisation": ["cast"], "associated": ["unknown"], "asked": ["associated"], "complaint": "腿细了",
             "result_shown": True, "interview_done": True}
    events = run(triage.ActionBeginInterview(), make_tracker("对了,我还有点手麻", "inform", slots=slots), dispatcher, domain)
    assert SlotSet("associated", ["numbness"]) in events
    assert SlotSet("updating", True) in events
    assert SlotSet("complaint", "腿细了；对了,我还有点手麻") in events
    assert not any(e.get("name") == "immobilisation" for e in events)  # earlier answers kept
    dispatcher.messages.clear()
    slots.update(associated=["numbness"], updating=True)
    events = run(triage.ActionTriageResult(), make_tracker("对了,我还有点手麻", "inform", slots=slots), dispatcher, domain)
    assert responses(dispatcher)[0] == "utter_updated_result"
    assert any(m.get("custom", {}).get("type") == "triage_result" for m in dispatcher.messages)
    assert SlotSet("updating", None) in events and SlotSet("result_shown", True) in events


@pytest.mark.parametrize("text, intent, first, updated", [
    # a chronic disease alone reads as off-topic to the reader; after a result it is a detail
    ("对了,我还有糖尿病", "out_of_scope", "utter_updated_result", {"nutrition": ["diabetes"]}),
    ("另外我这半年瘦了十几斤", "nlu_fallback", "utter_updated_result", {"nutrition": ["weight_loss"]}),
    ("你们周末上班吗", "out_of_scope", "utter_out_of_scope", {}),  # no finding: the reply it would have had
    ("嗯嗯那个", "nlu_fallback", "utter_fallback", {}),
])
def test_a_detail_read_as_off_topic_after_the_result_still_updates_it(dispatcher, domain, text, intent, first, updated):
    slots = {"immobilisation": ["cast"], "associated": ["unknown"], "complaint": "腿细了", "result_shown": True}
    events = run(triage.ActionDetailAfterResult(), make_tracker(text, intent, slots=slots), dispatcher, domain)
    assert responses(dispatcher)[0] == first
    for fact, value in updated.items():
        assert SlotSet(fact, value) in events
    result = [m["custom"] for m in dispatcher.messages if m.get("custom", {}).get("type") == "triage_result"]
    assert bool(result) == bool(updated)
    assert not any(e.get("name") == "immobilisation" for e in events)  # earlier answers kept


def test_a_detail_after_a_stopped_interview_is_noted_without_a_result(dispatcher, domain):
    slots = {"associated": ["unknown"], "complaint": "我左腿没劲三个月了"}  # 不问了: no result shown
    events = run(triage.ActionDetailAfterResult(), make_tracker("对了,我还有糖尿病十年了", "out_of_scope", slots=slots),
                 dispatcher, domain)
    assert responses(dispatcher) == ["utter_detail_noted"]
    assert SlotSet("nutrition", ["diabetes"]) in events
    assert SlotSet("complaint", "我左腿没劲三个月了；对了,我还有糖尿病十年了") in events


def test_only_restart_starts_again_after_the_result(dispatcher, domain):
    slots = {"immobilisation": ["cast"], "complaint": "腿细了", "result_shown": True}
    events = run(triage.ActionBeginInterview(), make_tracker("重新开始", "restart_interview", slots=slots), dispatcher, domain)
    assert SlotSet("immobilisation", None) in events and SlotSet("result_shown", None) in events


@pytest.mark.parametrize("reply, complaint", [
    ("/describe_symptoms", "我爸卧床三个月,腿细了"),  # the button pressed
    # the button's meaning typed: the story it answers is not lost, nor is what the reply adds
    ("是肌肉没劲,两条腿都这样", "我爸卧床三个月,腿细了；是肌肉没劲,两条腿都这样"),
    ("说不清", "我爸卧床三个月,腿细了"),  # unsure which: the interview sorts it out, the reply adds nothing
])
def test_tiredness_is_clarified_and_the_message_kept_for_the_interview(dispatcher, domain, reply, complaint):
    text = "我有乙肝好几年了,这阵子老觉得累,浑身没劲"
    events = run(conversation.ActionClarifyFatigue(), make_tracker(text, "describe_fatigue"), dispatcher, domain)
    assert responses(dispatcher) == ["utter_clarify_fatigue"]
    assert events == [SlotSet("pending_story", text)]
    button = make_tracker(reply, "describe_symptoms", slots={"pending_story": "我爸卧床三个月,腿细了"})
    dispatcher.messages.clear()
    events = run(triage.ActionBeginInterview(), button, dispatcher, domain)
    assert SlotSet("immobilisation", ["bed_rest"]) in events and SlotSet("pending_story", None) in events
    assert SlotSet("complaint", complaint) in events
    assert "utter_story_answer" not in responses(dispatcher)  # the offer already answered what the story asked


ASKED = [{"event": "user", "text": "浑身没劲"}, {"event": "action", "name": "action_clarify_fatigue"},
         {"event": "bot", "text": "..."}, {"event": "action", "name": "action_listen"}]


@pytest.mark.parametrize("history, asked_again", [
    ([], True),  # the first time: the question
    (ASKED, False),  # the reply to it is still tiredness: it is the answer, not a reason to ask again
    ([*ASKED, {"event": "user", "text": "不知道"}, {"event": "action", "name": "action_default_fallback"},
      {"event": "action", "name": "action_listen"}], True),  # something else came between: ask afresh
])
def test_the_tiredness_question_is_asked_once(dispatcher, domain, history, asked_again):
    text = "累,也说不上哪儿没力气"
    events = [*history, {"event": "user", "text": text}, {"event": "action", "name": "action_extract_slots"}]
    tracker = make_tracker(text, "describe_fatigue", slots={"pending_story": "浑身没劲"} if history else None,
                           events=events)
    result = run(conversation.ActionClarifyFatigue(), tracker, dispatcher, domain)
    if asked_again:
        assert responses(dispatcher) == ["utter_clarify_fatigue"] and result == [SlotSet("pending_story", text)]
    else:
        assert responses(dispatcher) == ["utter_fatigue_advice"] and result == [SlotSet("pending_story", None)]


def test_mostly_tiredness_gets_general_advice_with_the_red_flags(dispatcher, domain):
    run(conversation.ActionFatigueAdvice(), make_tracker("/fatigue_tiredness", "fatigue_tiredness"), dispatcher, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fatigue_advice" and "120" in message["red_flags"] and "内科" in message["department"]


def test_a_worry_gets_a_calm_answer_and_the_offer(dispatcher, domain):
    text = "我腿没劲会不会是渐冻症"
    events = run(conversation.ActionAnswerWorry(), make_tracker(text, "ask_worry"), dispatcher, domain)
    assert responses(dispatcher) == ["utter_worry"] and "渐冻症" in dispatcher.messages[0]["answer"]
    assert events == [SlotSet("pending_story", text)]
    assert [b["payload"] for b in domain["responses"]["utter_worry"][0]["buttons"]][0] == "/describe_symptoms"


def test_department_and_prognosis_answers_offer_the_interview(dispatcher, domain):
    for key in ("department", "prognosis"):
        dispatcher.messages.clear()
        latest = {"text": "要看什么科", "intent": {"name": "faq", "confidence": 1.0}, "entities": [],
                  "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{key}"}}}}
        run(answers.ActionAnswerFaq(), make_tracker(latest_message=latest), dispatcher, domain)
        assert responses(dispatcher) == ["utter_faq_answer", "utter_offer_interview"]


def test_a_named_examination_is_explained(dispatcher, domain):
    run(conversation.ActionExplainExam(), make_tracker("肌酶高是什么意思", "ask_exam"), dispatcher, domain)
    assert "肌酶" in dispatcher.messages[0]["answer"] and "肌电图" not in dispatcher.messages[0]["answer"]
