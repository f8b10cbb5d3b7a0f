"""Unit tests for the story tools: export from tracker events, Rasa's failure file, the live comparison, the
report wording, and the NLU figures. No servers, no model."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import export_story  # noqa: E402
import nlu_report  # noqa: E402
import run_stories  # noqa: E402
import story_report  # noqa: E402
from story_report import Divergence, Step  # noqa: E402


def user(text, intent, entities=(), selector=None):
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}
    if selector:
        parse["response_selector"] = selector
    return {"event": "user", "text": text, "parse_data": parse}


def action(name):
    return {"event": "action", "name": name}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def loop(name):
    return {"event": "active_loop", "name": name}


INTERVIEW_EVENTS = [
    action("action_session_start"),
    {"event": "session_started"},
    action("action_listen"),
    user("我最近腿没劲", "describe_symptoms"),
    {"event": "user_featurization"},
    action("action_begin_interview"),
    loop(None),  # closing a loop that is not open: no change, not written
    slot("requested_slot", None),  # same as before: not written
    slot("onset_age", None),  # a slot the dialogue does not depend on: not written
    action("interview_form"),
    loop("interview_form"),
    slot("requested_slot", "onset_age"),
    action("action_listen"),
    user("肌肉萎缩会遗传吗", "faq", selector={
        "all_retrieval_intents": ["faq"],
        "faq": {"response": {"intent_response_key": "faq/hereditary"}},
    }),
    {"event": "action_execution_rejected", "name": "interview_form"},
    action("action_answer_faq"),
    action("interview_form"),
    slot("requested_slot", "onset_age"),  # asked again: same value, not written
    action("action_listen"),
]


def test_events_become_story_steps():
    assert export_story.events_to_steps(INTERVIEW_EVENTS) == [
        {"user": "我最近腿没劲", "intent": "describe_symptoms"},
        {"action": "action_begin_interview"},
        {"action": "interview_form"},
        {"active_loop": "interview_form"},
        {"slot_was_set": [{"requested_slot": "onset_age"}]},
        {"user": "肌肉萎缩会遗传吗", "intent": "faq/hereditary"},
        {"action": "action_answer_faq"},
        {"action": "interview_form"},
    ]


def test_featurized_slots_are_kept_when_asked_for():
    steps = export_story.events_to_steps([user("你好", "greet"), slot("mood", "good")], kept_slots=["mood"])
    assert {"slot_was_set": [{"mood": "good"}]} in steps


def test_button_payload_is_written_as_intent_only():
    assert export_story.events_to_steps([user("/greet", "greet")]) == [{"intent": "greet"}]


def test_sessions_split_into_separate_stories():
    events = [{"event": "session_started"}, user("你好", "greet"), action("utter_greet"),
              {"event": "session_started"}, user("再见", "goodbye"), action("utter_goodbye"),
              {"event": "session_started"}]
    sessions = export_story.split_sessions(events)
    assert [export_story.events_to_steps(s)[0]["intent"] for s in sessions] == ["greet", "goodbye"]


@pytest.mark.parametrize("text, entities, expected", [
    ("我腿没劲", [{"entity": "symptom_term", "value": "肌无力", "start": 1, "end": 4}],
     '我[腿没劲]{"entity": "symptom_term", "value": "肌无力"}'),
    ("渐冻症是什么", [{"entity": "cause_term", "value": "渐冻症", "start": 0, "end": 3}], "[渐冻症](cause_term)是什么"),
    ("没有实体", [], "没有实体"),
])
def test_entities_are_annotated_and_stripped_again(text, entities, expected):
    annotated = export_story.annotate(text, entities)
    assert annotated == expected
    assert story_report.plain_text(annotated) == text


def test_rendered_story_is_valid_yaml_with_question_comments():
    import yaml

    text = export_story.render_file(
        [("名字:带冒号", export_story.events_to_steps(INTERVIEW_EVENTS), "注释")], {"onset_age": "从什么年龄开始的?"}
    )
    assert "# 问:从什么年龄开始的?" in text
    story = yaml.safe_load(text)["stories"][0]
    assert story["story"] == "名字:带冒号"
    assert story["steps"][0] == {"user": "我最近腿没劲\n", "intent": "describe_symptoms"}


FAILED = """version: "3.1"
stories:
- story: 问诊中途问常见问题 (/tmp/x/test_stories.yml)
  steps:
  - intent: describe_symptoms
  - action: action_begin_interview
  - action: interview_form
  - active_loop: interview_form
  - slot_was_set:
    - requested_slot: onset_age
  - intent: dont_know
  - action: interview_form
  - intent: faq  # predicted: ask_care: 肌肉萎缩会遗传吗
  - action: action_care_advice  # predicted: action_answer_faq
  - action: action_listen  # predicted: interview_form
- story: 打招呼 (tests/test_stories.yml)
  steps:
  - intent: greet
  - action: utter_greet  # predicted: action_default_fallback
"""


def test_failed_stories_give_story_turn_expected_and_predicted():
    found = story_report.parse_failed_stories(FAILED)
    assert set(found) == {"问诊中途问常见问题", "打招呼"}
    first = found["问诊中途问常见问题"][0]
    assert (first.turn, first.kind, first.expected, first.actual, first.user_text) == (
        3, "intent", "faq", "ask_care", "肌肉萎缩会遗传吗")
    assert found["打招呼"][0] == Divergence(1, None, "action", "utter_greet", "action_default_fallback", "rasa")


def test_no_failures_file_means_no_failures():
    assert story_report.parse_failed_stories("# None of the test stories failed - all good!") == {}


EXPECTED = [
    Step("user", "describe_symptoms", "我最近腿没劲"), Step("action", "action_begin_interview"),
    Step("action", "interview_form"), Step("active_loop", "interview_form"), Step("slot", ("requested_slot", "onset_age")),
    Step("user", "dont_know", "不知道"), Step("action", "interview_form"),
    Step("slot", ("requested_slot", None)), Step("active_loop", None), Step("action", "action_triage_result"),
]


def test_same_conversation_compares_equal_whatever_the_order_inside_a_block():
    actual = list(EXPECTED)
    actual[7], actual[8] = actual[8], actual[7]  # loop closed before requested_slot cleared
    assert story_report.compare(EXPECTED, actual) is None


def test_another_question_is_found_at_its_turn():
    actual = [*EXPECTED[:7], Step("slot", ("requested_slot", "onset_speed"))]  # asked on instead of concluding
    d = story_report.compare(EXPECTED, actual)
    assert (d.turn, d.kind, d.expected, d.actual) == (2, "slot", "requested_slot=None", "requested_slot=onset_speed")
    assert "不再提问" in story_report.explain(d) and "起病快慢" in story_report.explain(d)


def test_another_intent_and_a_missing_action_are_found():
    actual = [Step("user", "greet", "我最近腿没劲"), *EXPECTED[1:]]
    assert story_report.compare(EXPECTED, actual).kind == "intent"
    d = story_report.compare(EXPECTED, EXPECTED[:9])
    assert (d.kind, d.expected, d.actual) == ("action", "action_triage_result", story_report.NOTHING)


def test_extra_actions_after_the_story_are_a_divergence():
    d = story_report.compare(EXPECTED, [*EXPECTED, Step("action", "utter_greet")])
    assert d.actual == "utter_greet"


def test_explanations_are_plain_chinese():
    d = Divergence(3, "肌肉萎缩会遗传吗", "action", "action_answer_faq", "action_care_advice", "rasa")
    text = story_report.explain(d)
    assert "第 3 轮" in text and "肌肉萎缩会遗传吗" in text and "回答常见问题" in text and "护理" in text


def test_results_take_the_user_text_from_the_story_and_render(tmp_path):
    stories = {"甲": EXPECTED, "乙<b>": EXPECTED[:1]}
    results = story_report.build_results(
        stories, {"甲": [Divergence(2, None, "action", "interview_form", "utter_dont_know_idle", "rasa")]}, {"乙<b>": None}
    )
    assert [r.passed for r in results] == [False, True]
    assert results[0].first.user_text == "不知道"
    paths = story_report.write_reports(results, tmp_path)
    md, page = paths[0].read_text(encoding="utf-8"), paths[1].read_text(encoding="utf-8")
    assert "共 2 个故事:通过 1 个,失败 1 个" in md and "### ❌ 甲" in md and "第 2 轮" in md
    assert "乙&lt;b&gt;" in page and "乙<b>" not in page


def test_stories_load_from_a_file(tmp_path):
    (tmp_path / "test_x.yml").write_text(
        'version: "3.1"\nstories:\n- story: s\n  steps:\n  - user: |\n      我[腿没劲](symptom_term)\n    intent: describe_symptoms\n'
        "  - action: action_begin_interview\n  - slot_was_set:\n    - requested_slot: onset_age\n",
        encoding="utf-8",
    )
    steps = story_report.load_stories(tmp_path / "test_x.yml")["s"]
    assert steps == [Step("user", "describe_symptoms", "我腿没劲"), Step("action", "action_begin_interview"),
                     Step("slot", ("requested_slot", "onset_age"))]
    assert run_stories.message_for(steps[0]) == "我腿没劲"
    assert run_stories.message_for(Step("user", "faq/hereditary")) == "/faq"


def test_a_file_without_the_test_prefix_is_copied_so_rasa_reads_it(tmp_path):
    plain = tmp_path / "exported.yml"
    plain.write_text("x", encoding="utf-8")
    copy, tmp = run_stories.as_test_file(plain)
    assert copy.name == "test_exported.yml" and tmp is not None
    assert run_stories.as_test_file(tmp_path / "test_a.yml") == (tmp_path / "test_a.yml", None)


def test_story_files_from_files_and_folders_for_one_rasa_run(tmp_path):
    story = 'version: "3.1"\nstories:\n- story: {}\n  steps:\n  - intent: greet\n'
    main = tmp_path / "test_stories.yml"
    main.write_text(story.format("甲"), encoding="utf-8")
    saved = tmp_path / "stories"
    saved.mkdir()
    (saved / "test_b.yml").write_text(story.format("乙"), encoding="utf-8")
    (saved / "README.md").write_text("not a story", encoding="utf-8")
    files = run_stories.story_files([main, saved, tmp_path / "missing_folder"])
    assert files == [main, saved / "test_b.yml"]
    assert list(run_stories.load_all(files)) == ["甲", "乙"]
    folder, tmp = run_stories.as_test_input(files)
    assert tmp == folder and sorted(p.name for p in folder.iterdir()) == ["test_000_test_stories.yml", "test_001_test_b.yml"]
    (saved / "test_c.yml").write_text(story.format("甲"), encoding="utf-8")
    with pytest.raises(RuntimeError, match="甲"):
        run_stories.load_all(run_stories.story_files([main, saved]))


def test_macro_f1_ignores_labels_that_were_only_predicted():
    report = {"a": {"f1-score": 1.0, "support": 3}, "b": {"f1-score": 0.5, "support": 2},
              "nlu_fallback": {"f1-score": 0.0, "support": 0}, "macro avg": {"f1-score": 0.5, "support": 5}}
    assert nlu_report.macro_f1(report) == pytest.approx(0.75)


def test_most_confused_pairs_come_first_with_examples():
    errors = [{"text": t, "intent": "affirm", "intent_prediction": {"name": "deny"}} for t in ("嗯", "对", "是", "好")]
    errors.append({"text": "拜", "intent": "goodbye", "intent_prediction": {"name": "greet"}})
    (pair, n, examples), _ = nlu_report.confused_pairs(errors)
    assert (pair, n, examples) == (("affirm", "deny"), 4, ["嗯", "对", "是"])
