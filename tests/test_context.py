"""Safety and faithfulness of the ranking: self_care exclusions, chronic conditions and age, emergencies
ranked from what was said, a summary that states only what the patient said (issue 10)."""
import pytest

from triage import conversation, extraction, knowledge, red_flags, scoring, summary
from triage.red_flags import RedFlag


def signals_of(text):
    return [signal for found in extraction.extract_signals(text).values() for signal in found]


def assess(text):
    signal_ids = signals_of(text)
    ranked = scoring.rank(signal_ids)
    return signal_ids, ranked, scoring.urgency(signal_ids, ranked)


# --- self_care is only for clear disuse with nothing that makes unsupervised rehabilitation unsafe ---

@pytest.mark.parametrize(
    "text",
    [
        "骨折打了六周石膏,拆了以后脚抬不起来",  # foot drop after a cast: peroneal nerve compression
        "小腿骨折打了两个月石膏,拆了以后走路拖着脚",
        "我爸七十多岁了,做完手术在床上躺了两个月,现在腿软站不住",
        "老人住院躺了一个多月没下床,出院后走不动,腿瘦了",
        "奶奶做完手术一直卧床,腿越来越细",
        "做完手术卧床两个月,突然腿没劲了",
        "腰椎骨折做了手术,躺了三个月,两条腿细了",
        "打了一个月石膏,肌电图说是神经源性损害",
        "骨折打石膏以后手指没劲,拿筷子都拿不住",
    ],
)
def test_disuse_stories_that_are_not_safe_for_self_care(text):
    signal_ids, ranked, level = assess(text)
    assert level != scoring.SELF_CARE, (signal_ids, [s.id for s in ranked])


@pytest.mark.parametrize(
    "text",
    ["骨折打了六周石膏,拆了以后这条腿比另一条细了一圈", "右手腕骨折打石膏一个月,拆了以后胳膊细了没劲", "脚踝扭伤戴了两个月支具,小腿比另一边细"],
)
def test_plain_disuse_after_a_cast_may_still_start_with_guided_self_care(text):
    assert assess(text)[2] == scoring.SELF_CARE


@pytest.mark.parametrize("excluded", ["onset_acute", "distal", "foot_drop", "spinal_injury", "onset_elderly", "emg_neurogenic"])
def test_each_exclusion_of_the_issue_on_its_own_prevents_self_care(excluded):
    signal_ids = ["cast", "one_side", excluded]
    ranked = scoring.rank(signal_ids)
    assert ranked[0].id == "disuse"
    assert scoring.urgency(signal_ids, ranked) != scoring.SELF_CARE


def test_every_signal_pointing_elsewhere_excludes_self_care():
    """A signal weighing 2 or more on a category other than disuse must be in scoring.self_care_excluded."""
    excluded = set(knowledge.scoring()["self_care_excluded"])
    pointing_elsewhere = {
        signal_id for signal_id, signal in knowledge.signals().items()
        if any(w >= 2 for category, w in signal.get("weights", {}).items() if category != "disuse")
    }
    assert not pointing_elsewhere - excluded
    assert excluded <= set(knowledge.signals()), "self_care_excluded names an unknown signal"


# --- chronic conditions and context map onto the five categories (added facts) ---

@pytest.mark.parametrize(
    "text,signal,top",
    [
        ("糖尿病十几年了,两只脚发麻没劲", "diabetes", "neurogenic"),
        ("血糖一直控制不好,脚底像踩棉花,小腿细了", "diabetes", "neurogenic"),
        ("得了甲亢以后大腿没劲,上楼费劲", "hyperthyroidism", "myopathic"),
        ("长期吃激素,现在蹲下去站不起来", "steroids", "myopathic"),
        ("吃了半年他汀,肌肉酸痛没劲", "statins", "myopathic"),
        ("肝硬化好几年了,胳膊腿越来越细", "liver_disease", "nutritional"),
        ("透析三年了,腿上的肉越来越少", "dialysis", "nutritional"),
        ("胃切了一半以后吃得少,腿没劲", "digestive", "nutritional"),
        ("天天喝白酒二十多年,脚麻没劲", "alcohol", "neurogenic"),
        ("中风以后左手越来越细", "stroke_history", "neurogenic"),
        ("我妈中风后在床上躺了三个月,两条腿细了很多", "stroke_history", "disuse"),
        ("医生说是得了包涵体肌炎,腿没劲", "diagnosed_myopathic", "myopathic"),
        ("我爸脑梗后一直卧床,腿细了", "stroke_history", "disuse"),
        ("化疗以后浑身没劲,肉都没了", "cancer", "nutritional"),
        ("腰这里一直坐骨神经痛,左边小腿木木的", "nerve_pain", "neurogenic"),
        ("片子上说脊髓受压了,手脚都没劲", "cord_compressed", "neurogenic"),
        ("右手越来越没劲,脑子里查出一个肿瘤", "brain_lesion", "neurogenic"),
        ("最近走路老是打晃,腿软", "unsteady", "neurogenic"),
        ("丙肝好多年了,腿越来越细", "liver_disease", "nutritional"),
    ],
)
def test_chronic_conditions_point_to_their_category(text, signal, top):
    signal_ids, ranked, _ = assess(text)
    assert signal in signal_ids
    assert ranked[0].id == top, [(s.id, s.raw) for s in ranked]


@pytest.mark.parametrize(
    "text,signal",
    [("没有糖尿病", "diabetes"), ("不喝酒", "alcohol"), ("没吃过激素", "steroids"), ("麻烦问一下腿没劲", "numbness"),
     ("家族里有高血压,我妈也是", "family_history")],
)
def test_a_denied_condition_is_not_a_signal(text, signal):
    assert signal not in signals_of(text)


def test_every_context_signal_is_marked_with_a_note_for_the_clinician():
    for signal_id, signal in knowledge.load()["context_signals"].items():
        assert signal.get("note"), signal_id


# --- age: onset after 40 without family history makes an inherited cause unlikely ---

def test_late_onset_without_family_history_lowers_the_genetic_score_and_says_why():
    rule = knowledge.scoring()["late_onset"]
    early = {s.id: s for s in scoring.rank(["progressive", "symmetric", "onset_gradual"])}
    late = {s.id: s for s in scoring.rank(["progressive", "symmetric", "onset_gradual", "onset_after_40"])}
    assert late["genetic"].raw == pytest.approx(early["genetic"].raw * rule["factor"])
    assert rule["label"] in late["genetic"].reasons
    assert late["myopathic"].raw == early["myopathic"].raw


def test_late_onset_rule_is_off_with_a_family_history():
    ranked = {s.id: s for s in scoring.rank(["onset_after_40", "family_history", "progressive"])}
    assert knowledge.scoring()["late_onset"]["label"] not in ranked["genetic"].reasons
    weights = [knowledge.signals()[s]["weights"].get("genetic", 0) for s in ("family_history", "progressive")]
    assert ranked["genetic"].raw == pytest.approx(sum(weights))  # no late-onset factor


@pytest.mark.parametrize("text, applies", [
    # weakness of days or weeks: the slow inherited atrophies are not the first thought, even in a child
    ("我儿子四岁,腿瘸了十几天了", True),
    ("孩子六岁,感冒以后这两天走路没劲", True),
    ("孩子六岁,这两天走路没劲,他舅舅小时候也这样", False),  # a family history keeps the inherited cause
    ("女儿七岁,这两年跑步越来越慢", False),  # a course of years
])
def test_a_recent_onset_makes_an_inherited_cause_less_likely(text, applies):
    said = signals_of(text)
    ranked = {s.id: s for s in scoring.rank(said)}
    label = knowledge.scoring()["recent_onset"]["label"]
    assert bool(scoring.recent_onset(said)) == applies
    assert (label in ranked["genetic"].reasons) == applies


def test_late_onset_is_read_from_the_text():
    assert "onset_after_40" in signals_of("我五十多岁开始两条腿没劲,越来越重")
    assert scoring.late_onset(signals_of("七十多岁的老人,这半年腿越来越没劲"))
    assert not scoring.late_onset(signals_of("五十多岁开始没劲,我哥哥也是这样"))


# --- emergencies are ranked from what was said ---

@pytest.mark.parametrize(
    "flag,top", [("stroke", "neurogenic"), ("rapid_progression", "neurogenic"), ("cord_compression", "neurogenic"),
                 ("rhabdomyolysis", "myopathic")],
)
def test_an_emergency_ranks_the_categories_from_its_red_flags(flag, top):
    ranked = scoring.rank([], red_flags=[RedFlag(flag, "reason")])
    assert ranked[0].id == top and ranked[0].score > 0
    assert knowledge.red_flag_weights()[flag]["label"] in ranked[0].reasons


@pytest.mark.parametrize("text, top", [
    ("去年查出来低钾周期性麻痹,今天早上醒来两条腿动不了", "myopathic"),
    ("血钾3.1,下午突然胳膊腿都抬不动了", "myopathic"),  # the decimal value is read whole
    ("以前缺钾住过院,这几个小时两条腿越来越没劲,站不起来", "myopathic"),
    ("今天早上醒来两条腿突然动不了", "neurogenic"),  # no potassium told: the nerves, as before
])
def test_low_potassium_makes_acute_paralysis_the_muscles(text, top):
    flags = red_flags.detect(text)
    assert flags
    assert scoring.rank(signals_of(text), red_flags=flags)[0].id == top


def test_red_flag_weights_name_known_signals():
    for entry in knowledge.red_flag_weights().values():
        assert set(entry.get("when_signals") or {}) <= set(knowledge.signals())


def test_every_red_flag_has_weights():
    assert {flag["id"] for flag in knowledge.load()["red_flags"]} <= set(knowledge.red_flag_weights())


def test_departments_come_from_the_knowledge_file():
    assert scoring.department(scoring.rank([]), ["stroke"]) == knowledge.load()["departments"]["emergency"]
    assert scoring.department(scoring.rank([])) == knowledge.load()["departments"]["uncertain"]


@pytest.mark.parametrize("text, department", [
    # the orthopaedic follow-up only after a fracture, a cast or an operation
    ("骨折以后打了两个月石膏,拆了腿细了一圈", "康复医学科(骨折术后可同时在骨科复查)"),
    ("住院躺了一个多月,现在腿细了没劲", "康复医学科"),
    # the surgical clinics for a nerve only with an injury, a spine or a trapped nerve
    ("腰椎间盘突出压着神经,左脚背发麻抬不起来", "神经内科(外伤或压迫性神经病可看骨科、手外科或神经外科)"),
    ("糖尿病十年了,两只脚发麻没劲", "神经内科"),
])
def test_the_department_advice_fits_what_was_said(text, department):
    said = extraction.signal_ids(facts_from(text))
    assert scoring.department(scoring.rank(said), signal_ids=said) == department


def test_the_general_department_answer_keeps_every_clinic():
    assert "骨折术后可同时在骨科复查" in conversation.department_answer()


# --- the summary states only what the patient said ---

def facts_from(text):
    facts = {q["fact"]: None for q in knowledge.questions()}
    facts.update(extraction.extract_signals(text))
    return facts


def test_fracture_with_bed_rest_is_not_called_a_cast():
    fields = summary.summary_fields(facts_from("腿骨折以后在床上躺了两个月,腿细了"), {})
    assert "骨折" in fields["immobilisation"]
    assert "石膏" not in fields["immobilisation"] and "支具" not in fields["immobilisation"]


@pytest.mark.parametrize("text, field, label, words", [
    # a label naming a class of findings is followed by the words that matched it: the doctor reads what was said
    ("右膝盖疼了一年多,走路都不敢用力", "immobilisation", "关节炎、关节疼痛或扭伤", "右膝盖疼了一年多"),
    ("医生说我这是多发性肌炎,腿越来越没劲", "tests", "提到医生诊断的病名(肌肉疾病类)", "医生说我这是多发性肌炎"),
    ("去年查出胃癌做了化疗,人瘦了一大圈", "nutrition", "肿瘤或放化疗", "去年查出胃癌做了化疗"),
    ("病情描述:我妈左边膝关节肿了快两年", "immobilisation", "关节炎、关节疼痛或扭伤", "我妈左边膝关节肿了快两年"),
    ("我家老人自从前年冬天摔了一跤以后膝盖疼得厉害", "immobilisation", "关节炎、关节疼痛或扭伤", "膝盖疼得厉害"),
])
def test_a_class_of_findings_is_quoted_as_the_patient_said_it(text, field, label, words):
    fields = summary.summary_fields(facts_from(text), {"complaint": text})
    assert f"{label}(原话:{words})" in fields[field]


def test_a_finding_that_names_itself_is_not_quoted():
    fields = summary.summary_fields(facts_from("腿骨折以后在床上躺了两个月"), {"complaint": "腿骨折以后在床上躺了两个月"})
    assert fields["immobilisation"] == "骨折；卧床或活动很少"


@pytest.mark.parametrize("text, answers, duration, field, shown, not_shown", [
    # the limb said stays in the summary when the location question got 不知道 or was never asked
    ("我妈最近胳膊没劲,抬起来费劲", {"location": ["unknown"]}, None, "location", "提到:胳膊", "不清楚"),
    ("做完手术以后右边大腿细了一圈", {}, None, "location", "局限于一侧或一个肢体", "提到"),  # the side found says more
    ("感觉身上没劲", {}, None, "location", "未提及", "提到"),
    # a time told with the onset unknown is shown alone, not as 不清楚 beside it
    ("这三天小腿发软", {"onset_speed": ["unknown"]}, "三天", "onset", "提到的时间:三天", "不清楚"),
    ("小时候起腿就没劲", {}, "十年", "onset", "儿童或青少年期起病(提到的时间:十年)", "未提及"),
])
def test_the_summary_keeps_the_patients_own_words_for_place_and_time(text, answers, duration, field, shown, not_shown):
    facts = {**facts_from(text), **answers}
    fields = summary.summary_fields(facts, {"complaint": text, "duration": duration})
    assert shown in fields[field] and not_shown not in fields[field]


@pytest.mark.parametrize("fact", ["immobilisation", "nutrition"])
def test_a_plain_yes_to_a_question_with_options_names_none_of_them(fact):
    values = extraction.parse_answer(fact, "有的", "affirm")
    described = summary.describe(values)
    assert "未说明" in described
    named = [s["label"] for s in knowledge.load()["signals"].values() if s["fact"] == fact]
    assert not [label for label in named if label in described]
    assert scoring.rank(values)[0].raw > 0  # it still counts for the ranking


@pytest.mark.parametrize(
    "text", ["片子上说脊髓受压了,手脚都没劲", "头顶摸到一个包块,右手使不上劲", "这两年脚往上勾使不上劲,走路拖着脚"],
)
def test_nerve_and_cord_findings_are_urgent(text):
    assert assess(text)[2] == scoring.URGENT
