"""The staff console's plain functions: reading conversations, labels, reviewed NLU examples, stories,
login throttling, check jobs. No server, no browser."""
import time
from pathlib import Path

import pytest
import yaml

from actions.feedback import helpful_value
from staff import auth, jobs, labels, nludata, stories, tracker
from staff.config import Config, tracker_db_url
from staff.db import StaffDB
from tests import staff_events as ev


def test_a_conversation_becomes_turns_with_nlu_actions_question_and_result():
    found = tracker.turns(ev.interview())
    users = [t for t in found if t.user]
    assert [t.user["intent"] for t in users] == ["describe_symptoms", "dont_know", "feedback"]
    first = users[0]
    assert first.user["entities"] == [{"entity": "symptom_term", "value": "没劲", "text": "没劲"}]
    assert first.actions == ["action_begin_interview", "interview_form"] and first.asked == "onset_age"
    assert first.bot[1]["buttons"][0]["title"] == "成年后"
    second = users[1]
    assert second.triage_result["urgency"] == "routine"
    assert second.result_slots == {"onset_age": ["unknown"], "interview_done": True} or "onset_age" in second.result_slots
    assert users[2].user["payload"] is True


@pytest.mark.parametrize("events, outcome, urgency", [
    (ev.interview(), "result", "routine"),
    (ev.emergency(), "emergency", "emergency"),
    (ev.fallback(), "fallback", None),
    ([ev.user("肌肉萎缩会遗传吗", "faq", 0.9), ev.action("action_answer_faq"), ev.bot("会不会遗传要看原因")], "answer", None),
    ([ev.user("我腿没劲", "describe_symptoms"), ev.user("不问了", "stop_interview"), ev.action("action_stop_interview")], "stopped", None),
])
def test_outcome_of_a_conversation(events, outcome, urgency):
    summary = tracker.summarize("s", events)
    assert (summary.outcome, summary.urgency) == (outcome, urgency)


def test_summary_counts_turns_fallbacks_lowest_confidence_feedback_and_channel():
    s = tracker.summarize("abc", ev.interview() + ev.fallback(ev.T0 + 10))
    assert (s.turns, s.fallbacks, s.feedback, s.channel) == (4, 1, "yes", "rest")
    assert s.min_confidence == pytest.approx(0.3)  # the payload's 1.0 does not count, the fallback's 0.3 does
    assert tracker.summarize("rest:console-1", ev.fallback()).channel == "console"
    assert tracker.summarize("rest:patient-1", ev.fallback()).channel == "wechat"
    assert tracker.summarize("x", [ev.action("action_listen")]) is None


def test_filters():
    items = tracker.summaries({"a": ev.interview(), "b": ev.emergency(ev.T0 + 86400 * 3), "c": ev.fallback(ev.T0 + 5)})
    assert [s.sender for s in items] == ["b", "c", "a"]  # newest first

    def shown(**query):
        return [s.sender for s in items if tracker.matches(s, tracker.Filters.from_query(query), 0.6)]

    assert shown(emergency="1") == ["b"]
    assert shown(fallback="1") == ["c"]
    assert shown(low="1") == ["c"]
    assert shown(channel="socketio") == ["b"]
    assert shown(q="股票") == ["c"]
    assert shown(q="没太理解") == ["c"]  # bot text too
    day = time.strftime("%Y-%m-%d", time.localtime(ev.T0 + 86400 * 3))
    assert shown(**{"from": day}) == ["b"] and "b" not in shown(**{"to": time.strftime("%Y-%m-%d", time.localtime(ev.T0))})


def test_inbox_holds_typed_unsure_messages_with_a_suggestion():
    by_sender = {"a": ev.interview(), "c": ev.fallback(), "d": [ev.user("腿有点软", "inform", 0.5, ev.T0 + 9)]}
    items = tracker.inbox_candidates(by_sender, 0.6)
    assert [(i.text, i.suggested) for i in items] == [("腿有点软", "inform"), ("今天股票会涨吗", "out_of_scope")]
    assert items[1].key.startswith("c:")


def test_overview_figures():
    by_sender = {"a": ev.interview(), "b": ev.emergency(), "c": ev.fallback(), "d": ev.fallback(text="今天股票会涨吗")}
    figures = tracker.overview(tracker.summaries(by_sender), by_sender, 0.6, days=3, now=ev.T0 + 3600)
    assert figures["total"] == 4 and figures["per_day"][-1][1] == 4
    assert figures["outcomes"] == {"result": 1, "emergency": 1, "fallback": 2}
    assert figures["urgency"] == {"routine": 1, "emergency": 1}
    assert figures["fallbacks"] == 2 and figures["user_turns"] == 5
    assert figures["misunderstood"][0] == ("今天股票会涨吗", 2)
    assert figures["feedback"] == {"yes": 1}


def test_tracker_reader_reads_the_events_table(tmp_path):
    url = ev.write_store(tmp_path / "tracker.db", {"a": ev.interview(), "b": ev.emergency(ev.T0 + 100)})
    reader = tracker.TrackerReader(url)
    assert set(reader.events()) == {"a", "b"}
    assert set(reader.events(since=ev.T0 + 50)) == {"b"}
    assert [e["event"] for e in reader.conversation("b")][:2] == ["user", "action"]
    assert tracker.TrackerReader(f"sqlite:///{tmp_path / 'empty.db'}").events() == {}


@pytest.mark.parametrize("kwargs", [
    {"dialect": "sqlite", "db": "/x/tracker.db"},
    {"dialect": "postgresql", "host": "db.internal:5433", "db": "rasa", "username": "u", "password": "p@ss"},
    {"dialect": "postgresql", "host": "db.internal", "db": "rasa", "username": "u", "password": "p"},
])
def test_tracker_url_is_built_as_rasa_builds_it(kwargs):
    from rasa.core.tracker_store import SQLTrackerStore

    assert str(tracker_db_url(**kwargs)) == str(SQLTrackerStore.get_db_url(**kwargs))


def test_every_intent_and_action_has_a_chinese_label():
    assert labels.missing_labels() == []
    assert labels.intent_label("faq/hereditary") == "常见问题:会不会遗传"
    assert labels.action_label("validate_interview_form").startswith("问诊")
    assert labels.action_label("utter_ask_family_history") == "问「家族史」"
    assert labels.slot_label("onset_speed") == "起病快慢"
    assert "faq/als" in labels.trainable_intents() and "faq" not in labels.trainable_intents()


def test_story_report_words_come_from_the_domain():
    from scripts import story_report

    assert not hasattr(story_report, "INTENT_WORDS") and not hasattr(story_report, "ACTION_WORDS")
    d = story_report.Divergence(1, "好的", "action", "validate_interview_form", "utter_greet", "live")
    assert "问诊:检查回答" in story_report.explain(d)


ENTITIES = ["cause_term", "care_topic", "symptom_term", "helpful"]


def test_reviewed_example_is_valid_rasa_nlu_yaml(tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = tmp_path / "data"
    data.mkdir()
    (data / "care.yml").write_text('version: "3.1"\nnlu:\n  - intent: ask_care\n    examples: |\n      - 怎么护理\n', encoding="utf-8")
    reviewed = tmp_path / "reviewed"
    intents = labels.trainable_intents()
    path, written = nludata.add_example(reviewed, [data], "faq/hereditary", "我妈有这个病我会不会也得", intents, ENTITIES)
    assert written and path.name == "faq_hereditary.yml"
    nludata.add_example(reviewed, [data], "describe_symptoms", "最近[腿没劲](symptom_term)", intents, ENTITIES)
    assert nludata.add_example(reviewed, [data], "faq/hereditary", "我妈有这个病我会不会也得", intents, ENTITIES)[1] is False
    parsed = RasaYAMLReader().reads(path.read_text(encoding="utf-8"))
    assert [(m.get("intent"), m.get("intent_response_key"), m.get("text")) for m in parsed.intent_examples] == [
        ("faq", "faq/hereditary", "我妈有这个病我会不会也得")]
    other = RasaYAMLReader().reads((reviewed / "describe_symptoms.yml").read_text(encoding="utf-8"))
    assert other.entity_examples[0].get("entities")[0]["value"] == "腿没劲"


@pytest.mark.parametrize("intent, example, error", [
    ("ask_care", "怎么护理", "已经标成了 ask_care"),  # training data already: refused under another intent
    ("no_such", "随便", "没有这个意图"),
    ("inform", "[腿](nope)没劲", "没有这个实体"),
    ("inform", "   ", "不能为空"),
])
def test_reviewed_example_refusals(tmp_path, intent, example, error):
    data = tmp_path / "data"
    data.mkdir()
    (data / "care.yml").write_text('version: "3.1"\nnlu:\n  - intent: ask_care\n    examples: |\n      - 怎么护理\n', encoding="utf-8")
    if intent == "ask_care":  # the same words under another intent are refused, under the same one skipped
        with pytest.raises(nludata.ExampleError, match=error):
            nludata.add_example(tmp_path / "r", [data], "faq/als", example, labels.trainable_intents(), ENTITIES)
        assert nludata.add_example(tmp_path / "r", [data], "ask_care", example, labels.trainable_intents(), ENTITIES)[1] is False
        return
    with pytest.raises(nludata.ExampleError, match=error):
        nludata.add_example(tmp_path / "r", [data], intent, example, labels.trainable_intents(), ENTITIES)


def test_pending_until_a_newer_model(tmp_path):
    model = tmp_path / "model.tar.gz"
    assert nludata.pending(time.time(), model)
    model.write_text("x")
    assert not nludata.pending(time.time() - 60, model) and nludata.pending(time.time() + 60, model)


STORY = 'version: "3.1"\nstories:\n  - story: 腿没劲\n    steps:\n      - user: |\n          我腿没劲\n        intent: describe_symptoms\n'


def test_story_saved_as_a_test_file_with_a_new_name(tmp_path):
    path = stories.save(tmp_path, "Leg_weakness", STORY, taken=["别的"])
    assert path.name == "test_leg_weakness.yml" and yaml.safe_load(path.read_text(encoding="utf-8"))["stories"][0]["story"] == "腿没劲"
    with pytest.raises(stories.StoryError, match="已经存在"):
        stories.save(tmp_path, "leg_weakness", STORY.replace("腿没劲\n    steps", "另一个\n    steps"), taken=[])
    assert stories.story_names([path]) == ["腿没劲"]


@pytest.mark.parametrize("name, text, error", [
    ("ok", STORY, "已经用过"),
    ("../x", STORY, "文件名"),
    ("ok2", "stories: [", "YAML"),
    ("ok3", 'version: "3.1"\nstories:\n  - story: 空\n    steps:\n      - action: utter_greet\n', "没有用户说的话"),
])
def test_story_refusals(tmp_path, name, text, error):
    with pytest.raises(stories.StoryError, match=error):
        stories.save(tmp_path, name, text, taken=["腿没劲"])


def test_login_throttle_per_account_and_per_address(tmp_path):
    database = StaffDB(f"sqlite:///{tmp_path / 'staff.db'}")
    now = time.time()
    for _ in range(3):
        auth.record_failure(database, "bob", "10.0.0.1")
    assert auth.login_blocked(database, "bob", "10.0.0.2", 3, 900, 60, now=now) >= 59
    assert auth.login_blocked(database, "bob", "10.0.0.2", 3, 900, 60, now=now + 61) == 0
    auth.record_failure(database, "bob", "10.0.0.1")  # one more beyond the limit doubles the wait
    assert auth.login_blocked(database, "bob", "10.0.0.2", 3, 900, 60, now=time.time()) >= 119
    assert auth.login_blocked(database, "carol", "10.0.0.1", 3, 900, 60, max_per_address=4) >= 59  # the address
    assert auth.login_blocked(database, "carol", "10.0.0.9", 3, 900, 60, max_per_address=4) == 0
    auth.clear_failures(database, "bob")
    assert auth.login_blocked(database, "bob", "10.0.0.2", 3, 900, 60) == 0


def test_accounts_are_hashed_with_argon2_and_reset_ends_sessions(tmp_path):
    database = StaffDB(f"sqlite:///{tmp_path / 'staff.db'}")
    assert auth.set_user(database, "amy", "correct horse", "viewer") == "created"
    row = database.rows(auth.sa.select(auth.db.users))[0]
    assert row["password_hash"].startswith("$argon2") and "correct horse" not in row["password_hash"]
    user = auth.check_password(database, "amy", "correct horse")
    assert user and user.role == "viewer" and not user.can_edit
    assert auth.check_password(database, "amy", "wrong") is None and auth.check_password(database, "nobody", "x") is None
    token = auth.start_session(database, user, 1)
    assert auth.session_user(database, token).name == "amy"
    assert auth.set_user(database, "amy", "new password", "editor") == "reset"
    assert auth.session_user(database, token) is None
    with pytest.raises(ValueError):
        auth.set_user(database, "amy", "short")


def test_make_staff_user_asks_the_password_twice(tmp_path, monkeypatch, capsys):
    from staff import cli

    monkeypatch.setenv("STAFF_DB_URL", f"sqlite:///{tmp_path / 'staff.db'}")
    answers = iter(["long enough", "long enough"])
    assert cli.main(["dora", "--role", "viewer"], read_password=lambda prompt: next(answers)) == 0
    assert "已创建" in capsys.readouterr().out
    answers = iter(["long enough", "different!"])
    assert cli.main(["dora"], read_password=lambda prompt: next(answers)) == 1
    assert auth.check_password(StaffDB(f"sqlite:///{tmp_path / 'staff.db'}"), "dora", "long enough").role == "viewer"


def test_check_commands_and_summaries(tmp_path):
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "test_a.yml").write_text(STORY, encoding="utf-8")
    (tmp_path / "stories" / "notes.yml").write_text(STORY, encoding="utf-8")
    config = Config.from_env({"STAFF_CHECK_STORIES": f"{tmp_path / 'main.yml'} {tmp_path / 'stories'} {tmp_path / 'none'}"})
    (tmp_path / "main.yml").write_text(STORY, encoding="utf-8")
    args = jobs.command("stories", config, tmp_path / "out")
    files = args[args.index("--stories") + 1: args.index("--model")]
    assert files == [str(tmp_path / "main.yml"), str(tmp_path / "stories" / "test_a.yml")]
    assert "--skip-cv" in jobs.command("nlu", config, tmp_path) and "--skip-cv" not in jobs.command("nlu", config, tmp_path, True)
    (tmp_path / "stories.json").write_text('[{"name": "a", "passed": true}, {"name": "b", "passed": false}]', encoding="utf-8")
    assert jobs.summarize("stories", tmp_path, 1) == {"status": "failed", "summary": "共 2 个故事:通过 1 个,失败 1 个"}
    (tmp_path / "nlu.md").write_text("- 意图 macro F1:**0.950**(下限 0.90,达标)", encoding="utf-8")
    assert jobs.summarize("nlu", tmp_path, 0) == {"status": "passed", "summary": "意图 macro F1:0.950"}
    (tmp_path / "job.log").write_text("进度: 真实对话 3/9:甲\nsome noise\n", encoding="utf-8")
    assert jobs.progress_line(tmp_path / "job.log") == "真实对话 3/9:甲"


@pytest.mark.parametrize("entities, text, value", [
    ([{"entity": "helpful", "value": "yes"}], '/feedback{"helpful": "yes"}', "yes"),
    ([{"entity": "helpful", "value": "no"}], None, "no"),
    ([], "没帮助", "no"),
    ([], "很有帮助", "yes"),
])
def test_feedback_value(entities, text, value):
    assert helpful_value(entities, text) == value
