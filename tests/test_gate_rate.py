"""scripts/gate_rate.py without the mirrors: the labelled-set exclusion, Toyhom's question lines, the figures and
the fixed samples."""
from scripts import gate_rate


def test_key_keeps_the_first_60_letters_and_digits():
    assert gate_rate.key("我腿没劲，怎么办？ABC 12") == "我腿没劲怎么办abc12"
    assert len(gate_rate.key("字" * 100)) == 60


def test_labelled_messages_are_excluded_by_sha1_key_or_a_cut_prefix():
    labelled = gate_rate.Labelled(["我爸今天早上突然说话不清楚，嘴也歪了", "全身无力怎么回事啊"])
    assert "我爸今天早上突然说话不清楚，嘴也歪了" in labelled            # same text
    assert "我爸今天早上突然说话不清楚 嘴也歪了!" in labelled            # same letters and digits
    assert "全身无力怎么回事啊，已经三天了，还头晕" in labelled           # the labelled text was a cut (span)
    assert "我妈昨天晚上突然说话不清楚" not in labelled
    assert "全身" not in labelled  # a short unrelated text is not excluded by the prefix rule


def test_toyhom_question_lines_follow_an_empty_line():
    lines = ["问1,描述", "答1", "", "", "问2,描述", "答2", "", "", "问3,描述", "答3", ""]
    assert gate_rate.toyhom_question_lines(lines) == [1, 5, 9]


def items():
    return [
        {"source": "a", "text": "突然喘不上气", "flags": ["breathing"], "check": False},
        {"source": "a", "text": "腿没劲", "flags": [], "check": True},
        {"source": "b", "text": "胸痛三天", "flags": ["chest_pain", "breathing"], "check": False},
        {"source": "b", "text": "胃胀", "flags": [], "check": False},
    ]


def test_rates_count_per_source_and_per_flag():
    figures = gate_rate.rates(items())
    assert figures["overall"]["messages"] == 4
    assert figures["overall"]["detect"] == 2 and figures["overall"]["detect_rate"] == 0.5
    assert figures["overall"]["needs_check"] == 1
    assert figures["overall"]["per_flag"] == {"breathing": 2, "chest_pain": 1}
    assert figures["per_source"]["b"]["detect"] == 1 and figures["per_source"]["a"]["needs_check"] == 1


def test_samples_are_fixed_and_split_fired_from_quiet_mentions():
    fired, quiet = gate_rate.samples(items(), size=80, seed=0)
    assert sorted(i["text"] for i in fired) == ["突然喘不上气", "胸痛三天"]
    assert [i["text"] for i in quiet] == ["腿没劲"]  # 胃胀 names no weakness, breathing, chest or speech word
    assert gate_rate.samples(items(), size=1, seed=0) == gate_rate.samples(items(), size=1, seed=0)
