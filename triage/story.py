"""Reads one patient message as a whole: a person's own story, general tiredness, a worry, and what it asks.

Deterministic and cheap (a few regular expressions): the NLU pipeline runs it on every message. The word lists
are the knowledge file's `story_reader` section, one list per concept (someone, a limb, a weakness word, a
change ...); this module combines them into the *kind* of statement, not particular sentences.
"""
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Text, Tuple

from triage import extraction, knowledge, textmatch

# Limits on how far apart the words of one finding may be (letters within one clause).
_CLAUSE_GAP = r"[^,，。;；!！?？]"
WORRY_MAX_FINDINGS = 1
# Complaints of other organs that make a limb's vague softness part of feeling unwell all over.
MALAISE_MIN_COMPLAINTS = 2
_DISEASE_CATEGORIES = ("genetic", "neurogenic", "myopathic")
# Questions that ask about a finding as one's own (which department, will it heal, which tests, why, what to do).
_ASKS_ABOUT_ONESELF = frozenset({"department", "prognosis", "exams", "cause"})


def _alternatives(words: List[Text]) -> Text:
    return "(" + "|".join(str(w) for w in words) + ")"


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _expanded(words: Dict[Text, List[Text]]) -> Dict[Text, List[Text]]:
    """Word lists with `{concept}` inside an entry replaced by that concept's alternatives (one level: a built
    pattern such as '{motor_verb}不(起|动|住)' names a list, not another built pattern)."""
    def expand(value: Text) -> Text:
        return _PLACEHOLDER.sub(lambda m: _alternatives(words[m.group(1)]) if m.group(1) in words else m.group(0), value)
    return {name: [expand(str(v)) for v in values] for name, values in words.items()}


class _Lexicon:
    """The knowledge file's `story_reader` word lists, compiled into the reader's patterns (once per file)."""

    def __init__(self, words: Dict[Text, List[Text]]) -> None:
        words = dict(words)
        self.homophones = [(str(typed), str(meant)) for typed, meant in words.pop("homophones", [])]
        words = _expanded(words)
        alt = {name: _alternatives(values) for name, values in words.items()}
        gap = _CLAUSE_GAP
        self.person = re.compile(alt["person"])
        self.population = re.compile(alt["population"])
        self.pronoun = re.compile(alt["pronoun"])
        self.age = re.compile(alt["age"])
        self.diagnosed = re.compile(alt["diagnosed"])
        self.baby = re.compile(alt["baby"])
        self.time = re.compile(alt["time"])
        self.context = re.compile(alt["time"] + "|" + alt["life_events"])
        self.side = re.compile(alt["side"])
        self.limb = alt["limb_side"] + "?" + alt["limb_measure"] + "?" + alt["limb"]
        self.all_limbs = re.compile(alt["all_limbs"])
        # Weak or failing in a named limb: the muscles themselves.
        self.limb_weak = re.compile("(" + self.limb + "|肌肉)" + gap + "{0,8}" + alt["weak"])
        # A named limb that fails (not merely tired or heavy): the muscles even when tiredness words come with it.
        # 肌肉 named as what fails ('肌肉没劲', '腿上肌肉无力') counts too, unless an ache comes first ('肌肉酸痛乏力').
        self.limb_strong_weak = re.compile(
            "(" + self.limb + ")" + gap + "{0,6}" + alt["strong_weak"] + "|肌肉[^酸疼痛,，。;；!！?？]{0,3}" + alt["strong_weak"]
        )
        # A joint said to be tired is read as aching ('膝盖好累' as '膝盖好酸').
        self.joint_tired = re.compile(alt["joint"] + "([^,，。;；!！?？、\\s]{0,6}?)" + alt["joint_tired"])
        self.back_and_legs_sore = re.compile(alt["back_and_legs_sore"])
        self.limb_soft = re.compile("(" + self.limb + ")" + gap + "{0,6}" + alt["soft_weak"])
        # Limbs all together or the whole body: as often tiredness as weakness.
        self.general_weak = re.compile(alt["whole_body"] + gap + "{0,5}" + alt["whole_body_weak"])
        # Muscle or a limb getting thin.
        self.wasting = re.compile(
            "(" + self.limb + "|四肢)" + gap + "{0,8}" + alt["limb_wasting"]
            + "|肌肉" + gap + "{0,4}" + alt["muscle_wasting"] + "|" + alt["wasting_change"]
        )
        self.function = re.compile(alt["function"])
        self.paralysis = re.compile(alt["paralysis"])
        self.cranial = re.compile(alt["cranial"])
        # Nerve signs in a limb: numbness, pins and needles, twitching muscle; not a hand numb only from the cold
        # ('手一冷就麻': the circulation).
        self.nerve = re.compile(
            self.limb + "(?![^,，。]{0,4}(冷|凉|冰))" + gap + "{0,6}" + alt["limb_nerve"] + "|" + alt["nerve"]
        )
        self.bare_numbness = re.compile(alt["bare_numbness"])
        self.cancer = re.compile(alt["cancer"])
        self.lost_weight = re.compile(alt["lost_weight"])
        self.thin = re.compile(alt["thin"])
        self.fatigue = re.compile(alt["fatigue"])
        self.malaise = re.compile(alt["malaise"])
        self.topic = re.compile(alt["topic"])
        self.negation = re.compile(alt["negation_cue"] + alt["negation_filler"] + "{0,3}$")
        # The organ right before the weakness word, or with a degree word between ('喉咙很累').
        self.not_muscle = re.compile(alt["not_muscle"] + "部?[很好太特别有点也都老总是]{0,3}$")
        self.hypothetical = re.compile(alt["hypothetical"])
        self.muscle_disease = re.compile(alt["muscle_disease"])
        self.condition = re.compile(alt["condition"])
        self.subject = re.compile(alt["subject"])
        self.general = re.compile(alt["general"])
        # 萎缩性 always qualifies another organ's disease, but for 肌萎缩性侧索硬化 (ALS).
        self.other_organ = re.compile(
            alt["other_organ"] + "[^,，。]{0,3}萎缩|(?<!肌)萎缩性(?!侧索)|萎缩性?" + alt["other_organ_disease"]
        )
        self.organ = re.compile(alt["other_organ"])
        self.asks = (
            ("department", re.compile(alt["asks_department"])),
            ("prognosis", re.compile(alt["asks_prognosis"])),
            ("exams", re.compile(alt["asks_exams"])),
            ("cause", re.compile(alt["asks_cause"])),
        )
        self.asks_term = re.compile(alt["asks_term"])
        self.asks_anything = re.compile(alt["asks_anything"])
        self.wants_interview = re.compile(alt["wants_interview"])
        self.medical = re.compile(alt["medical"] + "|" + alt["other_complaint"])
        self.other_complaint = re.compile(alt["other_complaint"])
        self.fears = re.compile(alt["fears"])
        self.placing_signals = frozenset(words["placing_signals"])
        self.muscle_signals = frozenset(words["muscle_signals"])
        self.in_scope_signals = frozenset(words["in_scope_signals"])
        self.alone_off_topic = frozenset(words["alone_off_topic"])


@lru_cache(maxsize=2)
def _compiled(knowledge_id: int) -> _Lexicon:
    return _Lexicon(knowledge.load()["story_reader"])


def _lexicon() -> _Lexicon:
    """The compiled word lists of the loaded knowledge file."""
    return _compiled(id(knowledge.load()))


# '术后腿细了怎么锻炼' (two facts, nobody) is a care question; three facts make it a case.
STORY_MIN_FACTS_WITHOUT_PERSON = 3


@dataclass(frozen=True)
class Reading:
    """What one message says about a person."""
    person: bool = False  # someone particular (not 'a paraplegic patient' in general)
    population: bool = False  # a kind of patient named ('截瘫病人', '中风患者')
    context: bool = False
    time: bool = False  # a moment, a course or a habit: a report, even without a subject
    age: bool = False
    findings: Tuple[Text, ...] = ()  # limb_weak, wasting, function, nerve, paralysis, floppy: the muscles
    general_weak: bool = False
    limb_fails: bool = False  # a named limb's weakness in strong words (腿没劲, 胳膊抬不起), not just 腿累
    limb_soft: bool = False  # a named limb gone soft (腿软, 双腿发软)
    fatigue: bool = False
    malaise: int = 0  # how many other organs' complaints (sleep, heart, stomach ...) come with it
    sided: bool = False  # a side is named (左, 右, 半边): a limb's weakness on one side is never malaise
    topic: bool = False  # anything about weakness, wasting, fatigue or a limb's function
    organ_weak: bool = False  # weakness said only of an organ ('小便无力', '咳嗽无力'), not of muscles or the person
    condition: bool = False  # a disease of the muscles, nerves, spine or brain named (神经炎, 脑梗, 肌无力 ...)
    subject: bool = False  # 肌肉萎缩 or 肌肉无力 named as such
    other_organ: bool = False  # 萎缩 of another organ named (脑萎缩, 萎缩性胃炎)
    wants_interview: bool = False  # asks to go through their own case ('我想自测一下')
    medical: bool = False  # a medical matter of any kind (a pain, a rash, a medicine, a doctor)
    other_complaint: bool = False  # a complaint that is not the muscles' strength (a rash, a cramp, a tremor, the cold)
    limb_named: bool = False  # a limb named anywhere (not all four: 四肢, 手脚 read as the whole body)
    general: bool = False  # the question is general ('一般', '通常')
    fears: bool = False  # fears a disease ('担心是渐冻症'): a worry, not a question about it
    mentioned: bool = False  # a topic word not negated, even in a hypothetical ('容易引起瘫痪'): never out of scope
    signals: int = 0
    muscle_signals: int = 0
    finding_signals: int = 0
    in_scope_signals: int = 0  # signals that put a message in scope on their own (a fracture, a test result ...)
    muscle_disease: bool = False
    diagnosed: bool = False
    term: Optional[Text] = None
    asks: Tuple[Text, ...] = ()  # department, prognosis, exams, term

    @property
    def muscle(self) -> bool:
        return bool(self.findings)

    @property
    def particular(self) -> bool:
        """Someone in particular, or a moment in a life: what is told happened to someone."""
        return self.person or self.diagnosed or self.time or self.age

    @property
    def is_fatigue(self) -> bool:
        """Tiredness (or weakness of the whole body) with nothing that points at the muscles themselves."""
        if self.term and knowledge.category_for_term(self.term) in _DISEASE_CATEGORIES:
            return False  # '代谢性肌病为什么容易累', '乏力,怀疑是肌炎': a muscle disease, not tiredness
        if self.muscle_disease or self.muscle_signals:
            return False
        strong = [f for f in self.findings if f != "limb_weak"]
        if strong:
            return False
        if self.limb_soft and not self.limb_fails and self.malaise >= MALAISE_MIN_COMPLAINTS and not self.sided:
            return True  # '心慌失眠头昏,双腿发软,胃胀': the legs' softness is part of feeling unwell all over
        if not (self.fatigue or self.general_weak) or self.limb_fails or self.limb_soft:
            return False
        return not (self.findings and not self.fatigue)

    @property
    def is_story(self) -> bool:
        """A finding in the muscles told of someone or placed in time, or told with enough detail to be someone's.
        A paralysis named alone ('截瘫病人用什么助行器') is a question's subject unless someone particular has it."""
        if not self.muscle or (
            set(self.findings) == {"paralysis"} and not (self.particular or (self.context and not self.population))
        ):
            return False  # '腰椎骨折导致下身瘫痪,打了钢板' is someone's: an event in a life (`context`) with it
        if self.particular:
            return True
        if set(self.asks) & _ASKS_ABOUT_ONESELF and self.limb_named and not self.general:
            return True  # '大脚趾麻木挂什么科': a limb's finding with a question about it is the writer's own
        return len(self.findings) + self.signals >= STORY_MIN_FACTS_WITHOUT_PERSON

    @property
    def is_question(self) -> bool:
        """A kind of patient asked about ('中风病人要注意什么'), nobody in particular, or a condition named without
        any weakness, wasting or tiredness ('我得了末梢神经炎,云南白药管用吗'): a question to answer."""
        if self.wants_interview or self.fears or (self.other_organ and not self.topic):
            return False  # 脑萎缩的老人: another organ's matter, out of scope rather than answered
        if self.population and not self.particular:
            return True
        if self.subject and not (self.particular or self.findings):
            return True
        return self.condition and not (self.topic or self.findings)

    @property
    def is_worry(self) -> bool:
        """'我腿没劲会不会是渐冻症': a named disease feared on the strength of one finding."""
        richness = max(len(self.findings), self.signals) + self.age + self.context
        return "term" in self.asks and self.muscle and richness <= WORRY_MAX_FINDINGS


def _negated(clause: Text, start: int) -> bool:
    """textmatch's negation, but only when nothing but a filler stands between: '没有明显乏力' is negated,
    '吃饭没味乏力' and '无食欲乏力' are not."""
    return textmatch.is_negated(clause, start) and bool(_lexicon().negation.search(clause[:start]))


def _affirmed(regex: re.Pattern, text: Text, organs: bool = False, hypothetical: bool = False) -> List[re.Match]:
    """Matches in clauses that are neither negated nor (unless `hypothetical`) hypothetical, nor, with `organs`,
    about an organ."""
    lexicon = _lexicon()
    found = []
    for clause in textmatch.clauses(text):
        for match in regex.finditer(clause):
            # '如果腿没劲' is hypothetical; '我腿没劲会不会是渐冻症' reports the finding, then asks.
            if _negated(clause, match.start()) or (not hypothetical and lexicon.hypothetical.search(clause[: match.start()])):
                continue
            if organs and lexicon.not_muscle.search(clause[: match.start()]):
                continue
            found.append(match)
    return found


def _fatigue_words(text: Text) -> bool:
    """Tiredness words that are not part of a named limb's weakness ('大腿乏力' is the thigh)."""
    lexicon = _lexicon()
    for clause in textmatch.clauses(text):
        limb_spans = [m.span() for m in lexicon.limb_weak.finditer(clause)]
        for match in lexicon.fatigue.finditer(clause):
            inside = any(start <= match.start() < end for start, end in limb_spans)
            if inside or _negated(clause, match.start()) or lexicon.not_muscle.search(clause[: match.start()]):
                continue
            if lexicon.hypothetical.search(clause[: match.start()]):
                continue
            return True
    return False


def names_other_organ(text: Optional[Text]) -> bool:
    """'胃萎缩', '脑萎缩', '萎缩性胃炎': 萎缩 of something that is not a skeletal muscle; also 萎缩 asked about
    an organ named elsewhere in the message ('子宫内膜薄,是萎缩了吗') when no limb, muscle or flesh is named."""
    lexicon = _lexicon()
    text = _corrected(textmatch.normalise(text or ""))
    if lexicon.other_organ.search(text):
        return True
    return "萎缩" in text and bool(lexicon.organ.search(text)) and not (
        re.search(lexicon.limb, lexicon.all_limbs.sub("四肢", text)) or re.search("[肌肉]", text)
    )


def _corrected(text: Text) -> Text:
    """The text with the pinyin keyboard's same-sound slips in key words put right ('腿没紧' is 腿没劲)."""
    for typed, meant in _lexicon().homophones:
        text = text.replace(typed, meant)
    return text


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


def is_asking(text: Optional[Text]) -> bool:
    """Whether the message asks something at all ('肌电图疼不疼'), rather than only reporting ('做过肌电图')."""
    return bool(_lexicon().asks_anything.search(textmatch.normalise(text or "")))


def questions_asked(text: Text, term: Optional[Text]) -> List[Text]:
    lexicon = _lexicon()
    asks = [kind for kind, regex in lexicon.asks if regex.search(text)]
    if term and lexicon.asks_term.search(text):
        asks.append("term")
    return asks


@lru_cache(maxsize=256)
def read(text: Optional[Text]) -> Reading:
    """The reading of one message (cached: the NLU component and the actions ask about the same text);
    empty for button payloads."""
    text = _corrected(textmatch.normalise(text or "").strip())
    if not text or text.startswith("/"):
        return Reading()
    lexicon = _lexicon()
    other_organ = names_other_organ(text)
    if other_organ and "萎缩" in text and not lexicon.other_organ.search(text):
        text = text.replace("萎缩", "")  # '子宫内膜薄,是萎缩了吗': no limb, muscle or flesh for it to be said of
    text = lexicon.joint_tired.sub(lambda m: m.group(1) + m.group(2) + "酸", text)
    text = lexicon.back_and_legs_sore.sub("乏力", text)  # '腰膝酸软' is tiredness, not a leg that fails
    limbs = lexicon.all_limbs.sub("四肢", text)
    findings = []
    for name, regex in (
        ("limb_weak", lexicon.limb_weak), ("wasting", lexicon.wasting), ("function", lexicon.function), ("nerve", lexicon.nerve),
        ("paralysis", lexicon.paralysis), ("cranial", lexicon.cranial),
    ):
        if _affirmed(regex, limbs, organs=name == "limb_weak"):
            findings.append(name)
    if "nerve" not in findings and _affirmed(lexicon.bare_numbness, text) and re.search(lexicon.limb, text):
        findings.append("nerve")
    if lexicon.baby.search(text) and (_affirmed(lexicon.general_weak, limbs) or _fatigue_words(limbs)):
        findings.append("floppy")
    if "wasting" not in findings and (
        _affirmed(lexicon.lost_weight, text) or (lexicon.cancer.search(text) and _affirmed(lexicon.thin, text))
    ):
        findings.append("wasting")
    term = named_term(text)
    population = bool(lexicon.population.search(text))
    # 'X患者' in general, and 他/她/自己 pointing back at it, are nobody in particular.
    someone = lexicon.pronoun.sub("", lexicon.population.sub("", text)) if population else text
    # Topic words inside a disease's name (肌无力, 肌萎缩) or another organ's 萎缩 do not count.
    in_scope = lexicon.muscle_disease.sub("", lexicon.other_organ.sub("", text))
    fatigue = _fatigue_words(limbs)
    general_weak = bool(_affirmed(lexicon.general_weak, limbs, organs=True))
    topic = bool(findings) or fatigue or general_weak or bool(_affirmed(lexicon.topic, in_scope, organs=True))
    signal_ids = telling_signals(text)
    return Reading(
        person=bool(lexicon.person.search(someone)),
        population=population,
        context=bool(lexicon.context.search(text)),
        time=bool(lexicon.time.search(text)),
        age=bool(lexicon.age.search(text)),
        findings=tuple(findings),
        general_weak=general_weak,
        limb_fails=bool(_affirmed(lexicon.limb_strong_weak, limbs, organs=True)),
        limb_soft=bool(_affirmed(lexicon.limb_soft, limbs, organs=True)),
        fatigue=fatigue,
        malaise=len(set(m.group() for m in _affirmed(lexicon.malaise, text))),
        sided=bool(lexicon.side.search(text)),
        topic=topic,
        organ_weak=not topic and bool(_affirmed(lexicon.topic, in_scope)),
        mentioned=topic or bool(_affirmed(lexicon.topic, in_scope, organs=True, hypothetical=True)),
        signals=len(signal_ids),
        muscle_signals=len(lexicon.muscle_signals.intersection(signal_ids)),
        finding_signals=len(set(signal_ids) - lexicon.placing_signals),
        in_scope_signals=len(lexicon.in_scope_signals.intersection(signal_ids)),
        muscle_disease=bool(lexicon.muscle_disease.search(text)),
        # A cause that is a disease, not one that is an event (石膏, 卧床: someone's story).
        condition=bool(
            knowledge.category_for_term(term) in _DISEASE_CATEGORIES
            or lexicon.condition.search(text) or lexicon.muscle_disease.search(text)
        ),
        subject=bool(lexicon.subject.search(text)),
        other_organ=other_organ,
        wants_interview=bool(lexicon.wants_interview.search(text)),
        medical=bool(lexicon.medical.search(text)),
        other_complaint=bool(lexicon.other_complaint.search(text)),
        limb_named=bool(re.search(lexicon.limb, limbs)),
        general=bool(lexicon.general.search(text)),
        fears=bool(lexicon.fears.search(text)),
        diagnosed=bool(lexicon.diagnosed.search(text)),
        term=term,
        asks=tuple(questions_asked(text, term)),
    )


def telling_signals(text: Optional[Text]) -> List[Text]:
    """The interview signals of `text` that tell something of the muscles: a joint's pain or a rash
    (`alone_off_topic`) only beside a signal that is more than a time or a side (膝盖疼,卧床一个月), not alone
    or merely placed (左膝盖疼了两个月)."""
    ids = extraction.signal_ids(extraction.extract_signals(text))
    lexicon = _lexicon()
    if any(s not in lexicon.alone_off_topic and s not in lexicon.placing_signals for s in ids):
        return ids
    return [s for s in ids if s not in lexicon.alone_off_topic]


def handling(text: Optional[Text]) -> Optional[Text]:
    """'fatigue', 'worry', 'story', 'question' or None (leave the classifier's reading)."""
    reading = read(text)
    if reading.is_fatigue:
        return "fatigue"
    if reading.is_worry:
        return "worry"
    if reading.is_story:
        return "story"
    if reading.is_question:
        return "question"
    return None
