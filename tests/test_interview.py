"""The interview's plan: what it takes from each message, what it asks next, when it stops."""
import pytest

from triage import interview
from triage.interview import plan_turn


def facts(**known):
    return {**interview.empty_facts(), **known}


def test_long_description_fills_what_it_can_and_asks_only_what_is_missing():
    plan = plan_turn(facts(), [], None, "骨折打了六周石膏,拆了以后这条腿比另一条细了一圈", "describe_symptoms", True, True)
    assert plan.updates["immobilisation"] == ["cast", "fracture"]
    assert plan.updates["location"] == ["one_side"]
    assert plan.updates["duration"] == "六周"
    # The leader is clear, so only the safety question about numbness or twitching is asked.
    assert plan.next_fact == "associated"


def test_first_question_for_a_vague_description():
    plan = plan_turn(facts(), [], None, "我最近两条腿没劲", "describe_symptoms", True, True)
    assert plan.next_fact == "onset_age"
    assert plan.updates["asked"] == ["onset_age"]
    assert plan.updates["complaint"] == "我最近两条腿没劲"


def test_early_onset_brings_the_family_question_forward():
    plan = plan_turn(facts(), ["onset_age"], "onset_age", "小时候就这样", "describe_symptoms", True, False)
    assert plan.updates["onset_age"] == ["onset_child"]
    assert plan.next_fact == "family_history"


def test_dont_know_is_an_answer_and_the_question_is_never_asked_again():
    plan = plan_turn(facts(), ["onset_age"], "onset_age", "不知道", "dont_know", True, False)
    assert plan.updates["onset_age"] == ["unknown"]
    assert plan.next_fact != "onset_age"
    assert "onset_age" not in plan.updates["asked"][1:]


def test_free_text_that_says_nothing_is_kept_as_a_note_and_not_asked_again():
    plan = plan_turn(facts(), ["location"], "location", "反正就是不得劲", "nlu_fallback", True, False)
    assert plan.updates["location"] == ["unclear"]
    assert plan.updates["answer_notes"] == {"location": "反正就是不得劲"}
    assert plan.next_fact not in (None, "location")


def test_an_interruption_is_rejected_so_the_rules_can_answer_it():
    assert plan_turn(facts(), ["onset_age"], "onset_age", "肌肉萎缩会遗传吗", "faq", True, False).reject


def test_after_the_interruption_the_same_question_comes_back_unanswered():
    plan = plan_turn(facts(), ["onset_age"], "onset_age", "肌肉萎缩会遗传吗", "faq", True, True)
    assert not plan.reject
    assert plan.next_fact == "onset_age"
    assert "onset_age" not in plan.updates


def test_restart_reads_nothing_from_the_restart_message():
    plan = plan_turn(facts(), [], None, "重新开始", "restart_interview", True, True)
    assert plan.next_fact == "onset_age"
    assert "complaint" not in plan.updates


def test_a_button_payload_is_not_a_complaint():
    plan = plan_turn(facts(), [], None, "/describe_symptoms", "describe_symptoms", True, True)
    assert "complaint" not in plan.updates


def test_at_most_six_questions():
    asked = ["onset_age", "onset_speed", "location", "immobilisation", "nutrition", "associated"]
    answered = facts(**{f: ["unknown"] for f in asked})
    assert interview.choose_next(answered, asked) is None


def test_new_signals_replace_an_earlier_dont_know_and_join_earlier_signals():
    assert interview.merge(["unknown"], ["numbness"]) == ["numbness"]
    assert interview.merge(["numbness"], ["twitching", "numbness"]) == ["numbness", "twitching"]


def test_resumed_sees_an_action_after_the_user_message():
    events = [{"event": "user"}, {"event": "action", "name": "action_answer_faq"}]
    assert interview.resumed(events)
    assert not interview.resumed([{"event": "action", "name": "action_listen"}, {"event": "user"}])


def test_an_unsure_interruption_is_read_as_an_answer():
    plan = plan_turn(facts(), ["onset_speed"], "onset_speed", "慢慢加重", "restart_interview", True, False, confidence=0.54)
    assert not plan.reject
    assert plan.updates["onset_speed"] == ["progressive"]


def test_a_red_flag_always_interrupts():
    assert plan_turn(facts(), ["onset_age"], "onset_age", "喘不上气", "red_flag", True, False, confidence=0.5).reject


def test_decisive_early_onset_case_does_not_crash():
    known = facts(onset_age=["onset_birth"], family_history=["family_history"], onset_speed=["progressive"])
    assert interview.choose_next(known, ["onset_age", "family_history", "onset_speed"]) in (None, "associated")


@pytest.mark.parametrize("reply, intent, fact, signal", [
    ("30多岁", "goodbye", "onset_age", "onset_adult"),  # read as 再见 by the classifier: an age all the same
    ("二十几岁吧", "stop_interview", "onset_age", "onset_adult"),
    ("右边那条腿", "restart_interview", "location", "one_side"),
    ("以前打过石膏", "faq", "immobilisation", "cast"),
])
def test_a_reply_that_answers_the_pending_question_is_no_interruption(reply, intent, fact, signal):
    plan = plan_turn(facts(), [fact], fact, reply, intent, True, False, confidence=0.9)
    assert not plan.reject
    assert signal in plan.updates[fact]


def test_a_question_during_the_interview_still_interrupts_it():
    assert plan_turn(facts(), ["location"], "location", "肌肉萎缩能治好吗", "faq", True, False, confidence=0.9).reject


@pytest.mark.parametrize("complaint, parts", [
    ("我妈最近胳膊没劲,梳头都费劲了", "胳膊"),
    ("做了手术以后小腿和脚都没力气", "小腿、脚"),  # 手 of 手术 is no hand
    ("最近总觉得没劲", None),
    (None, None),
])
def test_the_location_question_names_the_limb_the_story_told(complaint, parts):
    assert interview.location_parts(complaint) == parts


@pytest.mark.parametrize("text, complaint", [
    # a title pasted again as the question: the doctor reads it once
    ("孩子走路老摔跤是怎么回事,孩子走路老摔跤是怎么回事,三岁了,腿好像没劲", "孩子走路老摔跤是怎么回事,三岁了,腿好像没劲"),
    ("腿没劲,腿没劲", "腿没劲,腿没劲"),  # too short to be a pasted passage
    ("我妈妈胳膊越来越细", "我妈妈胳膊越来越细"),
])
def test_the_complaint_keeps_a_repeated_passage_once(text, complaint):
    plan = plan_turn(facts(), [], None, text, "describe_symptoms", True, True)
    assert plan.updates["complaint"] == complaint
