"""The real set's plumbing without servers: materialising from a mirror, the sha1 check, reading a handling,
and loading the independent set (texts inline)."""
import json
import subprocess
from collections import Counter

import pytest
import yaml

from scripts import eval_real

real_set = eval_real.real_set


def make_mirror(tmp_path, monkeypatch, repo, files):
    """A bare mirror of a repository `repo` ('owner/name') holding `files` (name: bytes), with REAL_DATA_MIRROR
    pointed at it; returns the commit."""
    work = tmp_path / "work"
    work.mkdir()
    for name, data in files.items():
        (work / name).write_bytes(data)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    root = tmp_path / "mirror"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / repo.replace("/", "+") / "repo")], check=True)
    monkeypatch.setenv("REAL_DATA_MIRROR", str(root))
    return commit


READERS = ("blob", "_lines", "_json", "_dxy", "_meddialog", "_bio_blocks", "_pickle")


@pytest.fixture(autouse=True)
def fresh_readers():
    """Every cached reader of real_set starts and ends each test empty (each test makes its own mirror)."""
    def clear():
        for name in READERS:
            getattr(real_set, name).cache_clear()
    clear()
    yield
    clear()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A bare mirror of a one-file repository 'someone/data', and tests/real pointed at tmp_path/real."""
    commit = make_mirror(tmp_path, monkeypatch, "someone/data", {"qa.txt": "第一行\n我最近两条腿没劲,上楼梯很费力\n".encode("gb18030")})
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    monkeypatch.setattr(real_set, "REAL_DIR", real_dir)
    monkeypatch.setattr(real_set, "CACHE", real_dir / ".cache" / "texts.json")
    yield real_dir, commit


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
    text = ("id=1\nhttps://example.org/1\n\nDescription\n疾病： 咳嗽\n病情描述： 咳嗽三天\n希望获得的帮助： 怎么办\n\n"
            "Dialogue\n病人：\n病情描述：这是对话里的,不算\n\nid=2\n\nDescription\n病情描述： 这两天腿没劲,上楼费力\n")
    commit = make_mirror(tmp_path, monkeypatch, "someone/dlg", {"d.txt": text.encode("utf-8")})
    source = {"repo": "someone/dlg", "path": "d.txt", "commit": commit, "kind": "meddialog_description"}
    assert real_set.unit({**source, "record": 1}) == "咳嗽三天"
    assert real_set.text_of({**source, "record": 2, "span": [0, 5]}) == "这两天腿没"
    with pytest.raises(KeyError):
        real_set.unit({**source, "record": 3})


def test_a_tsv_field_a_tagged_text_and_a_case_description_are_read_whole(tmp_path, monkeypatch):
    """ChineseBLUE (cMedQA, cMedIC: a field of a tab-separated line; cMedQANER: one character per line, texts
    separated by a blank line) and HuatuoGPT's Med-dialog_100 (a MedDialog-CN case's 病情描述 section)."""
    cases = [{"id": 7, "medical_case": "疾病：\n乏力\n病情描述： \n这半个月很累\n没力气\n希望获得的帮助：\n挂什么科\n"},
             {"id": 8, "medical_case": "疾病：\n咳嗽\n希望获得的帮助：\n怎么办"}]
    commit = make_mirror(tmp_path, monkeypatch, "someone/blue", {
        "qa.txt": "0\t第一问\t答一\n1\t腿没劲怎么办\t答二\n".encode("utf-8"),
        "ner.txt": "头 O\n晕 B_symptom\n\n腿 B_body\n  O\n软 B_symptom\n\n".encode("utf-8"),
        "cases.json": json.dumps(cases, ensure_ascii=False).encode("utf-8"),
    })
    base = {"repo": "someone/blue", "commit": commit}
    assert real_set.unit({**base, "path": "qa.txt", "kind": "tsv_field", "line": 2, "field": 1}) == "腿没劲怎么办"
    assert real_set.text_of({**base, "path": "qa.txt", "kind": "tsv_field", "line": 2, "field": 1,
                             "span": [0, 3]}) == "腿没劲"
    ner = {**base, "path": "ner.txt", "kind": "bio_text"}
    assert [real_set.unit({**ner, "index": n}) for n in (0, 1)] == ["头晕", "腿 软"]  # a space is a character too
    case = {**base, "path": "cases.json", "kind": "json_case_description"}
    assert real_set.unit({**case, "index": 0}) == "这半个月很累\n没力气"
    with pytest.raises(KeyError):
        real_set.unit({**case, "index": 1})


def test_a_mie_first_turn_is_the_patients_opening_message(tmp_path, monkeypatch):
    """MIE-ACL-2020 (a list of dialogues, each a list of windows): the unit is the first window's last utterance,
    the patient's opening turn, without its label; a dialogue opened by the doctor is refused."""
    dialogues = [
        [{"utterances": ["", "", "患者:最近老是没力气"], "label": []},
         {"utterances": ["", "患者:最近老是没力气", "医生:多久了？"], "label": []}],
        [{"utterances": ["", "医生:你好"], "label": []}],
    ]
    commit = make_mirror(tmp_path, monkeypatch, "someone/mie", {
        "dev.json": json.dumps(dialogues, ensure_ascii=False).encode("utf-8")})
    source = {"repo": "someone/mie", "path": "dev.json", "commit": commit, "kind": "mie_first_turn"}
    assert real_set.unit({**source, "index": 0}) == "最近老是没力气"
    assert real_set.text_of({**source, "index": 0, "span": [2, 4]}) == "老是"
    with pytest.raises(KeyError):
        real_set.unit({**source, "index": 1})


def test_a_meddg_first_turn_is_read_from_a_data_only_pickle(tmp_path, monkeypatch):
    """MedDG pickles (a list of {"history": [turns]}): the unit is the first turn without its "患者：" label; a
    pickle that would import anything (run code) is refused."""
    import pickle
    data = [{"history": ["患者：浑身没劲（女，30岁）", "医生：多久了？"]}, {"history": ["医生：你好"]}]
    commit = make_mirror(tmp_path, monkeypatch, "someone/meddg", {
        "test.pk": pickle.dumps(data), "evil.pk": pickle.dumps(Counter(a=1))})
    source = {"repo": "someone/meddg", "commit": commit, "kind": "meddg_first_turn", "path": "test.pk"}
    assert real_set.unit({**source, "index": 0}) == "浑身没劲（女，30岁）"
    with pytest.raises(KeyError):
        real_set.unit({**source, "index": 1})
    with pytest.raises(pickle.UnpicklingError):
        real_set.unit({**source, "path": "evil.pk", "index": 0})


def test_a_mirror_with_a_work_tree_layout_is_read_from_its_git_directory(tmp_path, monkeypatch):
    """A snapshot stored as <owner>+<name>/repo/.git (not bare) is read like a bare one."""
    work = tmp_path / "mirror" / "someone+tree" / "repo"
    work.mkdir(parents=True)
    (work / "a.txt").write_bytes("腿软\n".encode("utf-8"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    monkeypatch.setenv("REAL_DATA_MIRROR", str(tmp_path / "mirror"))
    assert real_set.git_dir("someone/tree") == work / ".git"
    source = {"repo": "someone/tree", "path": "a.txt", "commit": commit, "kind": "line", "line": 1}
    assert real_set.unit(source) == "腿软"


# ---------------------------------------------------------------- the independent set (texts inline)

def write_inline(tmp_path, items):
    path = tmp_path / "independent" / "set.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"items": items}, allow_unicode=True), encoding="utf-8")
    return path


def test_an_inline_set_gives_items_without_text_and_texts_by_id(tmp_path):
    path = write_inline(tmp_path, [
        {"id": "a", "text": "我爸腿没劲", "handling": "interview", "category": "neurogenic", "category2": "disuse"},
        {"id": "b", "text": "萎缩性胃炎吃什么药", "handling": "out_of_scope"},
    ])
    items, texts = eval_real.load_inline_set(path)
    assert texts == {"a": "我爸腿没劲", "b": "萎缩性胃炎吃什么药"}
    assert items == [
        {"id": "a", "handling": "interview", "category": "neurogenic", "category2": "disuse"},
        {"id": "b", "handling": "out_of_scope", "category": None, "category2": None},
    ]


@pytest.mark.parametrize("bad, message", [
    ({"id": "a", "text": "腿没劲", "handling": "triage"}, "handling"),
    ({"id": "a", "text": "腿没劲", "handling": "interview", "category": "neural"}, "category"),
    ({"id": "a", "text": "腿没劲", "handling": "interview", "category2": "disuse"}, "category2 without"),
    ({"id": "a", "text": "", "handling": "answer"}, "needs an id and a text"),
    ({"text": "腿没劲", "handling": "answer"}, "needs an id and a text"),
])
def test_a_malformed_inline_item_is_refused(tmp_path, bad, message):
    with pytest.raises(eval_real.SetError, match=message):
        eval_real.load_inline_set(write_inline(tmp_path, [bad]))


def test_a_duplicate_id_or_an_empty_set_is_refused(tmp_path):
    item = {"id": "a", "text": "腿没劲", "handling": "interview"}
    with pytest.raises(eval_real.SetError, match="duplicate"):
        eval_real.load_inline_set(write_inline(tmp_path, [item, item]))
    with pytest.raises(eval_real.SetError, match="no items"):
        eval_real.load_inline_set(write_inline(tmp_path, []))


def test_a_malformed_set_exits_2_before_any_server_starts(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(eval_real, "rest_sender", lambda *a: started.append(a))
    path = write_inline(tmp_path, [{"id": "a", "text": "腿没劲", "handling": "triage"}])
    assert eval_real.main(["--set", str(path), "--report", str(tmp_path / "r.md")]) == 2
    assert not started and not (tmp_path / "r.md").exists()


def test_the_categories_are_the_knowledge_files_five():
    from triage import knowledge

    assert set(eval_real.CATEGORIES) == {c["id"] for c in knowledge.categories()}


def test_the_independent_set_is_complete_and_its_report_lists_every_miss():
    items, texts = eval_real.load_inline_set(eval_real.ROOT / "tests" / "independent" / "set.yml")
    assert len(items) == 100 and len(texts) == 100
    counts = Counter(item["handling"] for item in items)
    assert counts == {"interview": 35, "emergency": 20, "clarify_fatigue": 15, "answer": 15, "out_of_scope": 15}
    assert all(item["category"] for item in items if item["handling"] == "interview")
    # Scored with the real set's machinery: a wrong handling and a wrong category both appear, with their text.
    first, second, third = items[0], items[1], next(i for i in items if i["handling"] == "out_of_scope")
    outcomes = [
        eval_real.Outcome(first, "fallback"),
        eval_real.Outcome(second, "interview", {"causes": [{"id": "disuse"}, {"id": second["category"]}]}),
        eval_real.Outcome(third, "out_of_scope"),
    ]
    report = eval_real.report({"independent": outcomes}, texts, "t", "Independent set", ("independent",))
    assert "#### independent misses" in report
    assert texts[first["id"]][:40] in report and texts[second["id"]][:40] in report
    assert texts[third["id"]] not in report
    assert "category top-1: 0% (0/2); top-2: 50% (1/2)" in report


def test_caught_emergencies_report_whether_their_ranking_puts_the_labelled_category_first():
    item = {"id": "e", "handling": "emergency", "category": "neurogenic", "category2": None}
    right = eval_real.Outcome(item, "emergency", {"causes": [{"id": "neurogenic"}, {"id": "genetic"}]})
    zeros = eval_real.Outcome({**item, "id": "f"}, "emergency", {"causes": [{"id": "genetic"}, {"id": "disuse"}]})
    missed = eval_real.Outcome({**item, "id": "g"}, "interview")
    lines = eval_real.emergency_ranking_lines([right, zeros, missed])
    assert lines[0].startswith("- emergency rankings with the labelled category first: 50% (1/2)")
    assert lines[1] == "  - `f` labelled neurogenic; ranked ['genetic', 'disuse']"
    assert eval_real.emergency_ranking_lines([missed]) == []


# ---------------------------------------------------------------- the second independent set (dev and test halves)

INDEP2 = eval_real.ROOT / "tests" / "independent2"


def test_the_second_independent_set_is_complete_and_split_by_the_sha1_rule():
    halves = {name: eval_real.load_inline_set(INDEP2 / f"{name}.yml") for name in ("dev", "test")}
    texts = {**halves["dev"][1], **halves["test"][1]}
    assert len(texts) == 160 and len(set(texts.values())) == 160, "ids and texts are unique across the halves"
    items = halves["dev"][0] + halves["test"][0]
    counts = Counter(item["handling"] for item in items)
    assert counts == {"interview": 60, "emergency": 25, "clarify_fatigue": 25, "answer": 25, "out_of_scope": 25}
    assert sum(bool(i["category"]) for i in items if i["handling"] == "interview") == 55
    # Within each handling, ordered by the sha1 of the text: dev, test, dev, … (tests/independent2/README.md).
    half_of = {item_id: name for name, (_, half_texts) in halves.items() for item_id in half_texts}
    for handling in counts:
        ordered = sorted((i["id"] for i in items if i["handling"] == handling), key=lambda i: real_set.sha1(texts[i]))
        assert [half_of[i] for i in ordered] == [("dev", "test")[k % 2] for k in range(len(ordered))], handling


def score_set(tmp_path, monkeypatch, path, *flags):
    """eval_real.main on an inline set, every item a miss (wrong handling and category); the report's text."""
    def all_wrong(items, texts, send, events_of):
        return [
            eval_real.Outcome(item, "answer" if item["handling"] != "answer" else "fallback",
                              {"causes": [{"id": "nutritional" if item["category"] != "nutritional" else "genetic"}]})
            for item in items
        ]

    monkeypatch.setattr(eval_real, "run_items", all_wrong)
    monkeypatch.setattr(eval_real, "tracker_reader", lambda db_url: None)
    report = tmp_path / "report.md"
    flags = ["--rasa-url", "http://127.0.0.1:9", "--tracker-db", str(tmp_path / "t.db"), *flags]
    assert eval_real.main(["--set", str(path), "--report", str(report), *flags]) == 0
    return report.read_text(encoding="utf-8")


@pytest.mark.parametrize("path, flags", [
    (INDEP2 / "test.yml", ()),  # a file named test*.yml: automatically
    (INDEP2 / "dev.yml", ("--aggregates-only",)),
])
def test_a_test_half_is_scored_with_aggregate_figures_only(tmp_path, monkeypatch, capsys, path, flags):
    _, texts = eval_real.load_inline_set(path)
    report = score_set(tmp_path, monkeypatch, path, *flags)
    printed = capsys.readouterr().out
    assert "- handled as labelled: 0% (0/" in report and "| interview |" in report
    assert "misses" not in report and "aggregate figures only" in report
    for item_id, text in texts.items():
        for shown in (report, printed):
            assert text[:12] not in shown and f"`{item_id}`" not in shown


def test_the_dev_half_lists_every_miss(tmp_path, monkeypatch):
    _, texts = eval_real.load_inline_set(INDEP2 / "dev.yml")
    report = score_set(tmp_path, monkeypatch, INDEP2 / "dev.yml")
    assert "# Independent set" in report and "### independent2 dev (82 messages)" in report
    assert "#### independent2 dev misses" in report
    assert all(f"`{item_id}`" in report for item_id in texts)
