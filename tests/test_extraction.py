"""Facts found in free text and in answers to the interview's questions."""
import pytest

from triage import extraction


def test_cast_story_fills_immobilisation_duration_and_location_without_asking():
    text = "骨折打了六周石膏,拆了以后这条腿比另一条细了一圈"
    found = extraction.extract_signals(text)
    assert "cast" in found["immobilisation"]
    assert "one_side" in found["location"]
    assert extraction.extract_duration(text) == "六周"


@pytest.mark.parametrize(
    "text,fact,signal",
    [
        ("我儿子5岁走路老摔跤", "onset_age", "onset_child"),
        ("从出生就不太会抬头", "onset_age", "onset_birth"),
        ("他舅舅也是这样", "family_history", "family_history"),
        ("我舅舅也这样,腿越来越细", "family_history", "family_history"),  # compared at once: a second person
        ("我胳膊没劲好几年了,我父亲以前也是", "family_history", "family_history"),
        ("三十多岁开始腿没劲", "onset_age", "onset_adult"),
        ("30多岁", "onset_age", "onset_adult"),
        ("手发麻大鱼际肉少了", "associated", "numbness"),
        ("胳膊上的肉一跳一跳的", "associated", "twitching"),
        ("上楼梯蹲下起来都费劲", "location", "proximal"),
        ("眼皮发紫还有红疹", "associated", "rash"),
        ("大腿一按就疼", "associated", "muscle_pain"),
        ("化疗以后吃不下饭瘦了二十斤", "nutrition", "weight_loss"),
        ("化疗以后吃不下饭瘦了二十斤", "nutrition", "cancer"),
        ("在床上躺了三个月", "immobilisation", "bed_rest"),
        ("膝关节炎疼得不敢走路", "immobilisation", "pain_immobile"),
        ("肌电图说是神经源性损害", "known_tests", "emg_neurogenic"),
        ("查了肌酸激酶很高", "known_tests", "ck_high"),
        ("越来越没劲了", "onset_speed", "progressive"),
        ("我爸双胳膊都抬不高了", "location", "symmetric"),  # a pair of limbs however it is counted
        ("两小腿又酸又软", "location", "symmetric"),
        ("腿没劲,有时左边有时右边", "location", "symmetric"),  # alternating sides are both sides
        ("胳膊发软,有时候左边,有时候右边", "location", "symmetric"),
        ("手没劲,左右轮流着来", "location", "symmetric"),
        ("腿没劲两个月了", "onset_speed", "onset_gradual"),
        ("近三天小腿发软", "onset_speed", "onset_acute"),  # a course counted in days, however written
        ("两天前开始胳膊抬不起来", "onset_speed", "onset_acute"),
        ("腿没劲三天了", "onset_speed", "onset_acute"),
    ],
)
def test_signal_in_free_text(text, fact, signal):
    assert signal in extraction.extract_signals(text).get(fact, [])


@pytest.mark.parametrize("text, onset, duration", [
    # a risk factor's years are not the course of the complaint told after it
    ("高血压5年了,最近两周腿没劲", ["onset_weeks"], "两周"),
    ("糖尿病十年,这几天手发软", ["onset_acute"], "几天"),
    ("有高血压好多年,胳膊没劲", None, None),
    ("腿没劲两年了,还有糖尿病", ["onset_gradual"], "两年"),
])
def test_the_years_of_a_risk_factor_are_not_the_course(text, onset, duration):
    assert extraction.extract_signals(text).get("onset_speed") == onset
    assert extraction.extract_duration(text) == duration


@pytest.mark.parametrize("text, one_side", [
    ("腿没劲,有时左边有时右边", False), ("一会儿左手一会儿右手发软", False),
    ("左腿没劲", True), ("右边胳膊抬不起来", True), ("有时候右腿发软", True),  # one side, sometimes
])
def test_alternating_sides_are_not_one_side(text, one_side):
    assert ("one_side" in extraction.extract_signals(text).get("location", [])) is one_side


@pytest.mark.parametrize(
    "text",
    ["没有麻木", "手脚不麻", "家里没人这样", "没有打过石膏", "会不会遗传给孩子",
     # the relative a message opens with is whom it is about: 也 is "again", not a second person
     "我母亲前年冬天也是两只手没劲,今年又犯了", "爸爸上个月也摔过一次,现在腿软"],
)
def test_negated_or_hypothetical_findings_are_not_signals(text):
    found = extraction.extract_signals(text)
    assert not found.get("associated") and not found.get("family_history") and not found.get("immobilisation")


@pytest.mark.parametrize(
    "fact,text,intent,expected",
    [
        ("onset_age", "不知道", "dont_know", ["unknown"]),
        ("onset_age", "这个不太清楚", None, ["unknown"]),
        ("associated", "都没有", "deny", ["none"]),
        ("family_history", "有", "affirm", ["family_history"]),
        ("immobilisation", "有的", "affirm", ["immobilisation_reported"]),  # not one named option
        ("onset_age", "成年后", None, ["onset_adult"]),
        ("onset_age", "60岁以后", None, ["onset_elderly"]),
        ("associated", "手脚发麻,肌肉也跳", None, ["numbness", "twitching"]),
        ("location", "反正就是不得劲", None, ["unclear"]),
        ("onset_age", "是的", "affirm", ["yes"]),
    ],
)
def test_answer_to_a_question(fact, text, intent, expected):
    assert extraction.parse_answer(fact, text, intent) == expected


def test_every_interview_button_payload_parses_to_a_value():
    """A button must never lead to 'unclear'."""
    import yaml

    from tests.servers import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    facts = domain["forms"]["interview_form"]["required_slots"]
    assert facts
    for fact in facts:
        variants = domain["responses"][f"utter_ask_{fact}"]
        for button in variants[0]["buttons"]:
            value = extraction.parse_answer(fact, button["payload"])
            assert value != ["unclear"], (fact, button["payload"])


def test_zhuyaoshi_is_not_a_hypothetical():
    """'主要是' (mainly) contains '要是' (if): the clause is a report, and its findings count."""
    from triage import textmatch

    assert not textmatch.is_hypothetical("主要是左边胳膊突然抬不起来")
    assert textmatch.is_hypothetical("要是腿没劲怎么办")
    found = extraction.extract_signals("主要是左边胳膊突然抬不起来,嘴也歪了")
    assert "onset_acute" in found["onset_speed"] and "one_side" in found["location"]


@pytest.mark.parametrize(
    "clause,hypothetical",
    [
        ("后来经常会有手麻的感觉", False),  # what happens often is a report
        ("一走路就会出现腿发软", False),
        ("每天早上都会有点脚麻", False),
        ("以后会有手麻吗", True),
        ("会出现呼吸困难吗", True),
        ("吃这个药会有副作用吗", True),
    ],
)
def test_a_habit_told_with_hui_you_is_a_report_not_a_hypothetical(clause, hypothetical):
    """textmatch (shared): 会有 / 会出现 after 常, 总, 老, 时, 偶, 都, 也, 就 is habitual."""
    from triage import textmatch

    assert textmatch.is_hypothetical(clause) == hypothetical


@pytest.mark.parametrize(
    "text,finding,reported",
    [
        ("不是胳膊没劲,是肩膀疼", "胳膊没劲", False),  # 不是 negates like 没有
        ("倒也不是没力气,主要是累", "没力气", False),
        ("不是腿软而是膝盖疼", "腿软", False),
        ("不是腿软而是膝盖疼", "膝盖疼", True),  # 而是 ends 不是's reach
        ("我是不是腿没劲了", "腿没劲", True),  # a question about it, not a denial
        ("还不是因为腿没劲", "腿没劲", True),
        ("要不是手没力气早就去干活了", "手没力气", True),  # 'were it not for': it is there
        ("不是走不动就是站不稳", "走不动", True),  # either … or: both reported
        ("腿像不是自己的", "不是自己的", True),  # numbness told with 不是
    ],
)
def test_bushi_negates_what_follows_but_not_a_question_or_either_or(text, finding, reported):
    """textmatch (shared): 不是 is a negation cue, except in 是不是 / 要不是 / 还不是 and 不是…就是…."""
    from triage import textmatch

    assert textmatch.has_affirmed(text, finding) == reported


@pytest.mark.parametrize(
    "text,general",
    [
        ("脑梗的症状有哪些,嘴歪,说话不清", True),  # 有哪些 asks, even with no question mark
        ("呼吸困难是怎么回事", True),
        ("我爸嘴歪了,要做哪些检查", False),  # a person: a report with a question
        ("突然嘴歪要注意哪些", False),  # a moment: a report
    ],
)
def test_a_question_with_no_person_or_moment_is_general(text, general):
    """textmatch (shared): a general question is asked (哪些 too) and names no person or moment."""
    from triage import textmatch

    assert textmatch.is_general_question(text) == general


@pytest.mark.parametrize(
    "text,kept",
    [
        ("查了血钾3.2,腿发软", "查了血钾3.2"),
        ("发烧38.5度.手脚没劲", "发烧38.5度"),
        ("肌酸激酶1200.5偏高", "肌酸激酶1200.5偏高"),
        ("腿没劲.3天了", "3天了"),  # a full stop before a digit still ends the clause
    ],
)
def test_a_decimal_point_does_not_cut_a_clause(text, kept):
    from triage import textmatch

    assert kept in textmatch.clauses(text)


@pytest.mark.parametrize(
    "text,low",
    [("血钾3.2,两腿没力气", True), ("化验血钾2.9mmol/L", True), ("血钾3.4", True), ("血钾4.2,腿软", False),
     ("血钾3.6", False), ("血钾13", False)],
)
def test_a_potassium_value_is_read_whole_with_its_decimals(text, low):
    """'血钾3.2' is one value under 3.5 (low), '血钾4.2' is not read as '血钾4' and '2'."""
    assert ("hypokalaemia" in extraction.extract_signals(text).get("known_tests", [])) == low


@pytest.mark.parametrize("text, duration", [
    ("腿没劲两个月了", "两个月"),
    ("宝宝一岁三个月了还不会走", None),  # a child's age in months is no course
    ("医生问了半天也没说清楚,腿还是软", None),  # 半天: "for ages"
])
def test_a_course_of_time_is_not_an_age_nor_an_idiom(text, duration):
    assert extraction.extract_duration(text) == duration
    assert "onset_gradual" not in (extraction.extract_signals(text).get("onset_speed") or []) or duration
