"""The real set's plumbing without servers: materialising from a mirror, the sha1 check, and reading a handling."""
import subprocess

import pytest
import yaml

from scripts import eval_real

real_set = eval_real.real_set


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A bare mirror of a one-file repository 'someone/data', and tests/real pointed at tmp_path/real."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "qa.txt").write_bytes("第一行\n我最近两条腿没劲,上楼梯很费力\n".encode("gb18030"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "qa.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    root = tmp_path / "mirror"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / "someone+data" / "repo")], check=True)
    monkeypatch.setenv("REAL_DATA_MIRROR", str(root))
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    monkeypatch.setattr(real_set, "REAL_DIR", real_dir)
    monkeypatch.setattr(real_set, "CACHE", real_dir / ".cache" / "texts.json")
    real_set.blob.cache_clear()
    real_set._lines.cache_clear()
    yield real_dir, commit
    real_set.blob.cache_clear()
    real_set._lines.cache_clear()


def write_splits(real_dir, commit, sha1, span=(0, 8)):
    source = {"repo": "someone/data", "path": "qa.txt", "commit": commit, "kind": "line", "encoding": "gb18030",
              "line": 2, "span": list(span)}
    item = {"id": "x-2", "source": source, "licence": "none stated", "sha1": sha1, "handling": "interview"}
    (real_dir / "dev.yml").write_text(yaml.safe_dump({"items": [item]}, allow_unicode=True), encoding="utf-8")
    (real_dir / "test.yml").write_text(yaml.safe_dump({"items": []}), encoding="utf-8")


def test_materialise_reads_the_span_and_checks_its_sha1(mirror):
    real_dir, commit = mirror
    write_splits(real_dir, commit, real_set.sha1("我最近两条腿没劲"))
    assert real_set.materialise() == {"x-2": "我最近两条腿没劲"}
    assert real_set.load_texts() == {"x-2": "我最近两条腿没劲"}


def test_a_changed_text_fails_the_sha1_check(mirror):
    real_dir, commit = mirror
    write_splits(real_dir, commit, real_set.sha1("我最近两条腿没劲"), span=(0, 9))
    with pytest.raises(real_set.Sha1Mismatch):
        real_set.materialise()


def test_a_missing_mirror_names_the_repository(mirror, monkeypatch, tmp_path):
    real_dir, commit = mirror
    write_splits(real_dir, commit, "0" * 40)
    monkeypatch.setenv("REAL_DATA_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(real_set.MirrorMissing, match="someone/data"):
        real_set.materialise()
    assert real_set.main([]) == 2


def bot(utter=None, custom=None):
    return {"event": "bot", "text": "…", "metadata": {"utter_action": utter} if utter else {},
            "data": {"custom": custom} if custom else {}}


@pytest.mark.parametrize("events, expected", [
    ([{"event": "action", "name": "action_emergency"}, bot("utter_emergency")], "emergency"),
    ([bot("utter_clarify_fatigue")], "clarify_fatigue"),
    ([{"event": "action", "name": "action_clarify_fatigue"}], "clarify_fatigue"),
    ([{"event": "action", "name": "interview_form"}, {"event": "active_loop", "name": "interview_form"}], "interview"),
    ([bot(custom={"type": "triage_result", "causes": []})], "interview"),
    ([{"event": "action", "name": "utter_out_of_scope"}, bot("utter_out_of_scope")], "out_of_scope"),
    ([{"event": "action", "name": "action_default_fallback"}], "fallback"),
    ([bot("utter_fallback")], "fallback"),
    ([{"event": "action", "name": "action_answer_question"}, bot("utter_answer")], "answer"),
])
def test_classify_reads_the_handling_from_events(events, expected):
    assert eval_real.classify(events) == expected


def test_dodged_and_category_hits():
    item = {"id": "a", "handling": "interview", "category": "disuse", "category2": "neurogenic"}
    result = {"causes": [{"id": "neurogenic"}, {"id": "genetic"}, {"id": "disuse"}]}
    outcome = eval_real.Outcome(item, "interview", result)
    assert outcome.top1() and outcome.top2() and not outcome.dodged
    assert eval_real.Outcome(item, "fallback").dodged
    assert not eval_real.Outcome({**item, "handling": "out_of_scope"}, "out_of_scope").dodged


def test_the_set_is_large_enough_and_labelled_completely():
    items = [item for name in real_set.SPLITS for item in real_set.load_split(name)]
    assert len(items) >= 240
    assert len({item["id"] for item in items}) == len(items)
    assert {item["handling"] for item in items} == set(eval_real.HANDLINGS)
    for item in items:
        assert item["licence"] and item["source"]["commit"] and len(item["sha1"]) == 40
        assert "text" not in item and "text" not in item["source"]  # references only: no fetched text committed
        if item.get("category"):
            assert item["handling"] == "interview"


def test_a_later_batch_file_joins_its_half_tagged_with_its_batch(mirror):
    real_dir, commit = mirror
    write_splits(real_dir, commit, real_set.sha1("我最近两条腿没劲"))
    first = yaml.safe_load((real_dir / "dev.yml").read_text(encoding="utf-8"))["items"][0]
    later = {**first, "id": "x-2b"}
    (real_dir / "dev-b2.yml").write_text(yaml.safe_dump({"items": [later]}, allow_unicode=True), encoding="utf-8")
    items = real_set.load_split("dev")
    assert [(i["id"], i["batch"]) for i in items] == [("x-2", "first"), ("x-2b", "b2")]
    assert real_set.materialise() == {"x-2": "我最近两条腿没劲", "x-2b": "我最近两条腿没劲"}
    outcomes = [eval_real.Outcome(item, "interview") for item in items]
    table = eval_real.batch_lines(outcomes)
    assert table[0].startswith("| batch |") and table[2].startswith("| b2 | 1 |") and table[3].startswith("| first | 1 |")


def test_a_meddialog_description_is_the_patients_own_description(tmp_path, monkeypatch):
    """MedDialog-format files (COVID-Dialogue): the unit is a record's 病情描述 line, without its label."""
    work = tmp_path / "work"
    work.mkdir()
    text = ("id=1\nhttps://example.org/1\n\nDescription\n疾病： 咳嗽\n病情描述： 咳嗽三天\n希望获得的帮助： 怎么办\n\n"
            "Dialogue\n病人：\n病情描述：这是对话里的,不算\n\nid=2\n\nDescription\n病情描述： 这两天腿没劲,上楼费力\n")
    (work / "d.txt").write_text(text, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "d.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(tmp_path / "m" / "someone+dlg" / "repo")], check=True)
    monkeypatch.setenv("REAL_DATA_MIRROR", str(tmp_path / "m"))
    source = {"repo": "someone/dlg", "path": "d.txt", "commit": commit, "kind": "meddialog_description"}
    try:
        assert real_set.unit({**source, "record": 1}) == "咳嗽三天"
        assert real_set.text_of({**source, "record": 2, "span": [0, 5]}) == "这两天腿没"
        with pytest.raises(KeyError):
            real_set.unit({**source, "record": 3})
    finally:
        real_set.blob.cache_clear()
        real_set._lines.cache_clear()
        real_set._meddialog.cache_clear()
