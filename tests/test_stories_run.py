"""The test stories, run through scripts/run_stories.py against the session's servers: Rasa's check
(rasa test core --e2e) and the live replay through the Rasa server and the session action server."""
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from tests import servers
from tests.conftest import MODEL

sys.path.insert(0, str(servers.ROOT / "scripts"))

import export_story  # noqa: E402
import run_stories  # noqa: E402
import story_report  # noqa: E402

pytestmark = pytest.mark.e2e

STORIES = servers.ROOT / "tests" / "test_stories.yml"
BROKEN_STORY = "问诊中途问常见问题,答完回到问诊"
BROKEN_NAME = "故障副本:" + BROKEN_STORY
# The live conversation that is exported and run back as a story.
EXPORTED_TURNS = ["我最近两条腿没劲", "不知道", "肌肉萎缩会遗传吗", "不知道", "不想回答了"]


def run(stories: Path, out: Path, rasa_server: str, workdir: Path, action_server: int):
    return run_stories.run(
        stories, MODEL, out / "reports", out / "results",
        rasa_url=rasa_server, db_url=f"sqlite:///{workdir / 'tracker.db'}", action_port=action_server,
    )


def test_every_story_passes(tmp_path, rasa_server, workdir, action_server):
    results = run(STORIES, tmp_path, rasa_server, workdir, action_server)
    assert len(results) >= 40
    report = (tmp_path / "reports" / "stories.md").read_text(encoding="utf-8")
    assert not story_report.failed(results), report


@pytest.fixture(scope="module")
def exported_and_broken(tmp_path_factory, rest, rasa_server, workdir, action_server):
    """One run over two stories: a live conversation exported from the tracker store, and a copy of a
    real story with a wrong expected action."""
    sender = f"export-{uuid.uuid4().hex}"
    for text in EXPORTED_TURNS:
        rest.send(text, sender)
    exported = export_story.export(f"sqlite:///{workdir / 'tracker.db'}", [rest.conversation_id(sender)],
                                  export_story.featurized_slots())
    assert len(exported) == 1

    stories = yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]
    broken = next(s for s in stories if s["story"] == BROKEN_STORY)
    broken["story"] = BROKEN_NAME
    wrong = next(step for step in broken["steps"] if step.get("action") == "action_answer_faq")
    wrong["action"] = "action_care_advice"

    tmp = tmp_path_factory.mktemp("stories")
    path = tmp / "test_exported_and_broken.yml"
    doc = yaml.safe_load(export_story.render_file([("导出的真实对话", exported[0][1], None)]))
    doc["stories"].append(broken)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    results = {r.name: r for r in run(path, tmp, rasa_server, workdir, action_server)}
    return results, (tmp / "reports" / "stories.md").read_text(encoding="utf-8"), exported[0][1]


def test_an_exported_conversation_passes_as_a_story(exported_and_broken):
    results, report, steps = exported_and_broken
    assert [s.get("intent") for s in steps if "intent" in s] == [
        "describe_symptoms", "dont_know", "faq/hereditary", "dont_know", "stop_interview"]
    assert {"slot_was_set": [{"requested_slot": "onset_age"}]} in steps
    assert results["导出的真实对话"].passed, report


def test_a_broken_story_fails_with_a_report_naming_the_story_and_the_turn(exported_and_broken):
    results, report, _ = exported_and_broken
    result = results[BROKEN_NAME]
    assert not result.passed
    checks = {d.check: d for d in result.divergences}
    assert set(checks) == {"rasa", "live"}  # both checks see it
    for d in checks.values():
        assert (d.turn, d.user_text, d.kind, d.expected, d.actual) == (
            3, "肌肉萎缩会遗传吗", "action", "action_care_advice", "action_answer_faq")
    assert f"### ❌ {BROKEN_NAME}" in report
    assert "第 3 轮" in report and "肌肉萎缩会遗传吗" in report and "action_care_advice" in report
