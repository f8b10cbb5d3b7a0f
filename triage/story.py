"""Reads one patient message as a whole: a person's own story, general tiredness, a worry, and what it asks.

Deterministic and cheap (a few regular expressions): the NLU pipeline runs it on every message. The patterns
describe the *kind* of statement (someone, a body part, a change), not particular sentences.
"""
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Text, Tuple

from triage import extraction, knowledge, textmatch

# Someone real: the writer, a relative, a patient, or an age stated as a fact about someone.
_PERSON = re.compile(
    r"(我|俺|本人|咱|自己|孩子|宝宝|宝贝|小孩|娃|儿子|女儿|闺女|老公|老婆|爱人|媳妇|丈夫|妻子|对象|男朋友|女朋友"
    r"|妈|爸|母亲|父亲|家父|家母|爷爷|奶奶|外公|外婆|姥姥|姥爷|公公|婆婆|岳父|岳母|哥|姐|弟|妹|舅|叔|伯|姨|姑"
    r"|老人|老爷子|老太太|大爷|大妈|家人|亲戚|朋友|同事|邻居|患者|病人|他|她"
    r"|[男女][,，、 ]?[0-9一二三四五六七八九十]+岁|[0-9一二三四五六七八九十两]+岁|[0-9一二三四五六七八九十两]+个月大)"
)
_AGE = re.compile(r"[0-9一二三四五六七八九十两]+(岁|个月大)")
# A doctor's finding told: '医院查了说是包涵体肌炎' makes a limb's weakness someone's case.
_DIAGNOSED = re.compile(r"(查了|查出|确诊|诊断|医生说|医院说|大夫说|说是|检查说|报告说)")
# A baby: any floppiness or weakness is about the muscles, never tiredness.
_BABY = re.compile(r"(宝宝|婴儿|新生儿|[0-9一二三四五六七八九十两]+个月大|[0-9一二三四五六七八九十两]+个月的(孩子|女儿|儿子|闺女|娃))")
# A moment or a course: the message tells what happened, not what something is.
_CONTEXT = re.compile(
    r"(最近|近来|这几天|这两天|这段时间|前段时间|一段时间|近期|今天|昨天|前天|刚才|以前|之前|后来|现在|目前|一直|老是|总是|经常"
    r"|[0-9一二三四五六七八九十两半几多]+(个)?(小时|天|周|星期|礼拜|个月|月|年)(了|来|多|前|后|以来)?"
    r"|手术|术后|骨折|石膏|卧床|住院|化疗|中风|脑梗|受伤|摔|车祸|生完孩子|怀孕|查出|确诊|诊断|检查)"
)

_LIMB = (
    r"(左|右|两|双|一)?(条|只|边|侧)?(大腿|小腿|腿脚|腿|脚踝|脚|足|膝盖|膝|下肢|上肢|胳膊|手臂|臂|手腕|手指|指头|(中|无名|小|食|拇|大拇)指|手|肩膀|肩|"
    r"屁股|臀|腰|脖子|颈|前臂|虎口|大鱼际|手掌|肢体|半边身子)"
)
# All four limbs at once reads like the whole body (tiredness as often as weakness), not a named limb.
_ALL_LIMBS = re.compile(r"(?<![左右边侧])(手脚|脚手|四肢|手和脚|胳膊和腿)")
# Weak or failing in a named limb: the muscles themselves.
_WEAK = r"(没劲|没力气|没力|没有力气|没有劲|没力量|(力气|劲儿?)(也|都)没有?|不利索|不灵便|不得劲|无力|乏力|软|发软|酸软|沉|不能动|动不了|使不上劲|使不上力|不听使唤|不灵活|抬不起|举不起|拿不住|握不紧|握不住|站不稳|站不住|走不稳|迈不动|迈不开|没以前有力|没有?以前有(劲|力)|不如以前|力气小|力量下降|蹬不动|容易累|累|疲劳)"
_LIMB_WEAK = re.compile(r"(" + _LIMB + r"|肌肉)[^,，。;；!！?？]{0,8}" + _WEAK)
# A named limb that fails (not merely tired or heavy): the muscles even when tiredness words come with it.
_LIMB_STRONG_WEAK = re.compile(
    r"(" + _LIMB + r")[^,，。;；!！?？]{0,6}(没劲|没力气|没力|没有力气|没有劲|无力|乏力|发软|软了|腿软|酸软|不能动|动不了|使不上劲|使不上力|不听使唤|抬不起|举不起|拿不住|握不紧|握不住|迈不动|迈不开|蹬不动)"
)
# Limbs all together or the whole body: as often tiredness as weakness.
_GENERAL_WEAK = re.compile(r"(四肢|手脚|脚手|全身|浑身|混身|周身|身上|身体|身子|整个人|人)[^,，。;；!！?？]{0,5}(没劲|没力气|没力|无力|乏力|乏|发软|软|酸软|软弱|虚弱|没精神|不舒服)")
# Muscle or a limb getting thin.
_WASTING = re.compile(
    r"(" + _LIMB + r"|四肢)[^,，。;；!！?？]{0,8}(萎缩|变细|细了|细很多|细得|细一圈|越来越细|越来越瘦|瘦了一圈|比.{0,6}细|肉少|肉没了|没肉|没什么肉|肉都没了|凹下去|凹陷|瘪|塌|变瘦|瘦了|变小)"
    r"|肌肉[^,，。;；!！?？]{0,4}(萎缩了|萎缩得|越来越少|少了|没了|变少|变小|松垮|掉了)"
    r"|(萎缩|变细)(了|得|越来越)"
)
# Everyday tasks that fail: climbing stairs, rising, combing, gripping, walking, falling.
_FUNCTION = re.compile(
    r"(上楼|爬楼|上台阶|下蹲|蹲下|蹲起|蹲不下|站起来[^,，。]{0,4}(费劲|困难|扶|撑)|梳头|晾衣服|拿筷子|拧瓶盖|系扣子|写字(费劲|写不好)"
    r"|走路[^,，。]{0,4}(不稳|拖|慢|费劲|老摔|摔|踮脚|没劲|没力|无力|发软|腿软|不顺|打晃|晃)|伸不直|捏不住|摔跤|摔跟头|跌倒|跑不快|跑不动|抬不起头|坐不稳|不会走|不会坐|站不稳|不能站|站不起|足下垂|脚抬不起"
    r"|偏瘫|半身不遂|瘫痪|截瘫|瘫了|行动不便|走路困难|走路不便|行走困难|不能行走|走不了路|下不了地|肢体(活动)?障碍)"
)
# Nerve signs in a limb: numbness, pins and needles, twitching muscle.
_NERVE = re.compile(
    _LIMB + r"[^,，。;；!！?？]{0,6}(麻|发麻|麻木|针扎|蚂蚁爬|没知觉|感觉迟钝)|(手|脚|腿)麻|肉[^,，。;；!！?？]{0,2}(跳|颤)|肌束|一跳一跳|蚁行"
)
_BARE_NUMBNESS = re.compile(r"(?<![胸脸面嘴舌头唇部])(麻木|发麻|发木|[还也又有点很好]麻)")
# Weight lost with a cancer: the wasting of the article's 恶病质, not tiredness.
_CANCER = re.compile(r"(癌|肿瘤|化疗|放疗)")
# Weight lost by a stated amount: the article's 体重显著下降 (营养不良), not a passing tiredness.
_LOST_WEIGHT = re.compile(r"(瘦了|掉了|轻了|减了|少了|降了)[0-9一二三四五六七八九十几两]+多?(斤|公斤|kg|KG)")
_THIN = re.compile(r"(消瘦|瘦了|瘦得|体重.{0,4}(下降|减轻|掉)|皮包骨|脱相)")
# Tiredness of the whole person.
_FATIGUE = re.compile(
    r"(乏力|疲劳|疲倦|疲惫|疲乏|乏累|没精神|没有精神|精神(不好|很差|差|不振|状态.{0,2}差)|无精打采|萎靡|犯困|嗜睡|爱瞌睡|(?<!肌肉)(没力气|没劲儿?|(?<!肌)无力)|力不从心|体力不支|虚弱"
    r"|(?<![积连牵拖])累(?![计积])|提不起劲|(觉得|感觉|很|好|特别|有点)乏)"
)
# Weakness of something that is not a skeletal muscle: not the interview's subject.
_NOT_MUSCLE = re.compile(r"(小便|排尿|(?<!糖)尿|射精|勃起|性功能|咀嚼|消化|胃|心脏|肾|肝|脾|说话|声音|咳嗽)部?$")
# Hypotheticals and general questions ('如果腿没劲', '会不会腿没劲'); narrower than textmatch's, since a
# story's '有时会出现手无力' is a report.
_HYPOTHETICAL = re.compile(r"(如果|假如|万一|要是|会不会|以后会|将来|怎么预防|需要警惕|什么情况下)")

# What the message asks, besides telling.
_ASKS_DEPARTMENT = re.compile(r"(什么科|哪个科|哪科|哪一科|什么科室|哪个科室|挂什么|挂哪|看什么医生|找什么医生|去哪看|去哪里看|去哪个医院)")
_ASKS_PROGNOSIS = re.compile(r"(能治好|治得好|治不好|能好吗|会好吗|能恢复|恢复吗|能不能恢复|能不能好|能康复|康复吗|多久.{0,3}(好|恢复|康复)|多长时间.{0,3}(好|恢复|康复)|严重吗|要紧吗|危险吗|能根治|治愈|怎么治|如何治|怎样治)")
_ASKS_EXAMS = re.compile(r"(做什么检查|做哪些检查|查什么|检查什么|需要检查|要检查|做哪些化验|查哪些)")
_ASKS_TERM = re.compile(r"(是不是|会不会|是否|怀疑|担心|怕是|可能是|该不会|难道是|是.{0,10}(吗|嘛|(?<![怎什那这多])么)|[?？])")
WORRY_MAX_FINDINGS = 1
_DISEASE_CATEGORIES = ("genetic", "neurogenic", "myopathic")
# Signals that only place a finding in time or on a side: alone they say nothing about muscles.
_PLACING_SIGNALS = frozenset({
    "onset_adult", "onset_elderly", "onset_acute", "onset_gradual", "onset_weeks", "progressive", "one_side", "symmetric",
    "distal",
})
# Interview signals that point at the muscles or nerves themselves, so that tiredness words do not hide them
# (from birth, a family, a test result, numbness, twitching, a rash; proximal weakness is _FUNCTION's).
_MUSCLE_SIGNALS = frozenset({
    "onset_birth", "family_history", "ck_high", "emg_neurogenic", "emg_myogenic", "rash", "twitching", "numbness",
    "hand_small_muscles", "spinal_injury",
})
# '术后腿细了怎么锻炼' (two facts, nobody) is a care question; three facts make it a case.
STORY_MIN_FACTS_WITHOUT_PERSON = 3


@dataclass(frozen=True)
class Reading:
    """What one message says about a person."""
    person: bool = False
    context: bool = False
    age: bool = False
    findings: Tuple[Text, ...] = ()  # weakness, wasting, function, nerve: the muscles
    general_weak: bool = False
    limb_fails: bool = False  # a named limb's weakness in strong words (腿没劲, 胳膊抬不起), not just 腿累
    fatigue: bool = False
    signals: int = 0
    muscle_signals: int = 0
    finding_signals: int = 0
    muscle_disease: bool = False
    diagnosed: bool = False
    term: Optional[Text] = None
    asks: Tuple[Text, ...] = ()  # department, prognosis, exams, term

    @property
    def muscle(self) -> bool:
        return bool(self.findings)

    @property
    def is_fatigue(self) -> bool:
        """Tiredness (or weakness of the whole body) with nothing that points at the muscles themselves."""
        if not (self.fatigue or self.general_weak):
            return False
        if self.term and knowledge.category_for_term(self.term) in _DISEASE_CATEGORIES:
            return False  # '代谢性肌病为什么容易累', '乏力,怀疑是肌炎': a muscle disease, not tiredness
        if self.muscle_disease:
            return False
        strong = [f for f in self.findings if f != "limb_weak"]
        if strong or self.muscle_signals or self.limb_fails:
            return False
        return not (self.findings and not self.fatigue)

    @property
    def is_story(self) -> bool:
        """Someone and a finding in the muscles, or a finding told with enough detail to be someone's."""
        return self.muscle and (
            self.person or self.diagnosed or len(self.findings) + self.signals >= STORY_MIN_FACTS_WITHOUT_PERSON
        )

    @property
    def is_worry(self) -> bool:
        """'我腿没劲会不会是渐冻症': a named disease feared on the strength of one finding."""
        richness = max(len(self.findings), self.signals) + self.age + self.context
        return "term" in self.asks and self.muscle and richness <= WORRY_MAX_FINDINGS


def _affirmed(regex: re.Pattern, text: Text, organs: bool = False) -> List[re.Match]:
    """Matches in clauses that are neither negated nor hypothetical (nor, with `organs`, about an organ)."""
    found = []
    for clause in textmatch.clauses(text):
        for match in regex.finditer(clause):
            # '如果腿没劲' is hypothetical; '我腿没劲会不会是渐冻症' reports the finding, then asks.
            if _HYPOTHETICAL.search(clause[: match.start()]) or textmatch.is_negated(clause, match.start()):
                continue
            if organs and _NOT_MUSCLE.search(clause[: match.start()]):
                continue
            found.append(match)
    return found


def _fatigue_words(text: Text) -> bool:
    """Tiredness words that are not part of a named limb's weakness ('大腿乏力' is the thigh)."""
    for clause in textmatch.clauses(text):
        limb_spans = [m.span() for m in _LIMB_WEAK.finditer(clause)]
        for match in _FATIGUE.finditer(clause):
            inside = any(start <= match.start() < end for start, end in limb_spans)
            if inside or textmatch.is_negated(clause, match.start()) or _NOT_MUSCLE.search(clause[: match.start()]):
                continue
            if _HYPOTHETICAL.search(clause[: match.start()]):
                continue
            return True
    return False


# A disease of the muscles or motor nerves named by the patient (not all are in the knowledge file's terms).
_MUSCLE_DISEASE = re.compile(r"(重症肌无力|肌无力|肌炎|肌病|肌营养不良|肌萎缩|渐冻|运动神经元)")
_OTHER_ORGAN = re.compile(r"(脑|胃|牙龈|牙|睾丸|阴茎|外阴|胆|肾|肝|皮肤|视神经|子宫|卵巢|乳腺|乳房|舌|甲状腺|阴道|鼻|黏膜|粘膜|腺体)[^,，。]{0,3}萎缩|萎缩性(胃炎|鼻炎|阴道炎)")


def names_other_organ(text: Optional[Text]) -> bool:
    """'胃萎缩', '脑萎缩', '萎缩性胃炎': 萎缩 of something that is not a skeletal muscle."""
    return bool(_OTHER_ORGAN.search(text or ""))


def named_term(text: Optional[Text]) -> Optional[Text]:
    """The cause or disease the message names (canonical term), longest name first."""
    found = term_as_said(text)
    return knowledge.canonical_term(found) if found else None


def term_as_said(text: Optional[Text]) -> Optional[Text]:
    """The name of a cause or disease as the message writes it (渐冻症 rather than 肌萎缩侧索硬化)."""
    lowered = (text or "").lower()
    for variant in _terms_by_length(id(knowledge.load())):
        start = lowered.find(variant)
        if start >= 0:
            return (text or "")[start:start + len(variant)]
    return None


@lru_cache(maxsize=2)
def _terms_by_length(knowledge_id: int) -> List[Text]:
    """Every known name, longest first (cached per loaded knowledge file: this runs on every message)."""
    return sorted(knowledge.term_index(), key=len, reverse=True)


def questions_asked(text: Text, term: Optional[Text]) -> List[Text]:
    asks = []
    if _ASKS_DEPARTMENT.search(text):
        asks.append("department")
    if _ASKS_PROGNOSIS.search(text):
        asks.append("prognosis")
    if _ASKS_EXAMS.search(text):
        asks.append("exams")
    if term and _ASKS_TERM.search(text):
        asks.append("term")
    return asks


@lru_cache(maxsize=256)
def read(text: Optional[Text]) -> Reading:
    """The reading of one message (cached: the NLU component and the actions ask about the same text);
    empty for button payloads."""
    text = textmatch.normalise(text or "").strip()
    if not text or text.startswith("/"):
        return Reading()
    limbs = _ALL_LIMBS.sub("四肢", text)
    findings = []
    for name, regex in (("limb_weak", _LIMB_WEAK), ("wasting", _WASTING), ("function", _FUNCTION), ("nerve", _NERVE)):
        if _affirmed(regex, limbs, organs=name == "limb_weak"):
            findings.append(name)
    if "nerve" not in findings and _affirmed(_BARE_NUMBNESS, text) and re.search(_LIMB, text):
        findings.append("nerve")
    if _BABY.search(text) and (_affirmed(_GENERAL_WEAK, limbs) or _fatigue_words(limbs)):
        findings.append("floppy")
    if "wasting" not in findings and (_affirmed(_LOST_WEIGHT, text) or (_CANCER.search(text) and _affirmed(_THIN, text))):
        findings.append("wasting")
    term = named_term(text)
    signal_ids = extraction.signal_ids(extraction.extract_signals(text))
    return Reading(
        person=bool(_PERSON.search(text)),
        context=bool(_CONTEXT.search(text)),
        age=bool(_AGE.search(text)),
        findings=tuple(findings),
        general_weak=bool(_affirmed(_GENERAL_WEAK, limbs, organs=True)),
        limb_fails=bool(_affirmed(_LIMB_STRONG_WEAK, limbs, organs=True)),
        fatigue=_fatigue_words(limbs),
        signals=len(signal_ids),
        muscle_signals=len(_MUSCLE_SIGNALS.intersection(signal_ids)),
        finding_signals=len(set(signal_ids) - _PLACING_SIGNALS),
        muscle_disease=bool(_MUSCLE_DISEASE.search(text)),
        diagnosed=bool(_DIAGNOSED.search(text)),
        term=term,
        asks=tuple(questions_asked(text, term)),
    )


def handling(text: Optional[Text]) -> Optional[Text]:
    """'fatigue', 'story', 'worry' or None (leave the classifier's reading)."""
    reading = read(text)
    if reading.is_fatigue:
        return "fatigue"
    if reading.is_worry:
        return "worry"
    if reading.is_story:
        return "story"
    return None
