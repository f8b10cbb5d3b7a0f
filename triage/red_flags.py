"""The red-flag gate: deterministic detection of emergencies in one user message.

Rules live in knowledge/causes.yml. They are written with concepts (`{weak}`, `{both_legs}`, `{short_time}` ...
from `red_flag_concepts`, which may name each other) rather than fixed strings, so one rule covers the many
ways patients say the same thing. A rule matches when every `all` pattern matches an affirmed clause, every
`across` pattern matches the whole message (for findings told over two clauses: 昨天还能走,今天站不起来),
at least two of its `two_of` patterns match the whole message (signs that each say little alone: a baby who
feeds poorly, sleeps on, cries weakly, lies limp), and no `none` pattern occurs anywhere in it (a deficit placed years back is not a new stroke). A `stale` pattern
(years of it) vetoes too unless a `fresh` one is affirmed (最近, 这两天, 突然: it changed now).

A match is affirmed when its clause does not negate it, does not put it hypothetically before it (如果, 会不会,
担心, 听说) or after it (……的话), and has none of the rule's `clause_none` patterns (a habitual 经常 喘不上气 is
not an acute one). A question tacked on after a finding (说话不清了,会不会是中风) leaves it affirmed.
"""
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Pattern, Text, Tuple

from triage import knowledge, textmatch

_MACRO = re.compile(r"\{([a-z_]+)\}")
# A conditional that closes the finding it follows: 喘不上气的话要去医院吗.
_CONDITIONAL_AFTER = re.compile(r"^[^,，。;；!！?？]{0,2}的话")
_CLAUSE_BREAKS = ",，。;；!！?？\n "


@dataclass(frozen=True)
class RedFlag:
    id: Text
    reason: Text


@dataclass(frozen=True)
class Rule:
    flag_id: Text
    reason: Text
    all: Tuple[Pattern, ...]
    across: Tuple[Pattern, ...]
    none: Tuple[Pattern, ...]
    clause_none: Optional[Pattern]
    stale: Tuple[Pattern, ...] = ()
    fresh: Tuple[Pattern, ...] = ()
    two_of: Tuple[Pattern, ...] = ()


def expand(pattern: Text, concepts: Dict[Text, Text], _seen: Tuple[Text, ...] = ()) -> Text:
    """A rule pattern with every {concept} replaced by its regular expression (concepts may name concepts)."""
    def replace(match: re.Match) -> Text:
        name = match.group(1)
        if name not in concepts:
            raise ValueError(f"red-flag pattern names unknown concept {{{name}}}")
        if name in _seen:
            raise ValueError(f"red-flag concept {{{name}}} names itself")
        return f"(?:{expand(concepts[name], concepts, _seen + (name,))})"

    return _MACRO.sub(replace, pattern)


def _compile(pattern: Text, concepts: Dict[Text, Text]) -> Pattern:
    return re.compile(expand(pattern, concepts), re.IGNORECASE)


@lru_cache(maxsize=4)
def _compiled(data_id: int) -> Tuple[Tuple[Rule, ...], Dict[Text, Pattern]]:
    data = knowledge.load()
    concepts = data.get("red_flag_concepts") or {}
    compiled = []
    for flag in data["red_flags"]:
        for rule in flag["rules"]:
            if not rule.get("all") and not rule.get("across") and not rule.get("two_of"):
                raise ValueError(f"red flag {flag['id']} has an empty rule")
            if rule.get("two_of") is not None and len(rule["two_of"]) < 2:
                raise ValueError(f"red flag {flag['id']}: two_of needs at least two patterns")
            clause_none = rule.get("clause_none") or []
            compiled.append(Rule(
                flag["id"], flag["reason"],
                tuple(_compile(p, concepts) for p in rule.get("all") or []),
                tuple(_compile(p, concepts) for p in rule.get("across") or []),
                tuple(_compile(p, concepts) for p in rule.get("none") or []),
                _compile("|".join(f"(?:{p})" for p in clause_none), concepts) if clause_none else None,
                tuple(_compile(p, concepts) for p in rule.get("stale") or []),
                tuple(_compile(p, concepts) for p in rule.get("fresh") or []),
                tuple(_compile(p, concepts) for p in rule.get("two_of") or []),
            ))
    named = {name: _compile(f"{{{name}}}", concepts) for name in concepts}
    return tuple(compiled), named


def rules() -> Tuple[Rule, ...]:
    return _compiled(id(knowledge.load()))[0]


def concept(name: Text) -> Optional[Pattern]:
    """The compiled regular expression of one concept of `red_flag_concepts`, or None."""
    return _compiled(id(knowledge.load()))[1].get(name)


def _unreal_before(prefix: Text) -> bool:
    unreal = concept("unreal")
    return textmatch.is_hypothetical(prefix) or bool(unreal and unreal.search(prefix))


def _affirmed_in(clause: Text, match: re.Match, clause_none: Optional[Pattern]) -> bool:
    prefix = clause[: match.start()]
    if textmatch.is_negated(clause, match.start()) or _unreal_before(prefix):
        return False
    if _CONDITIONAL_AFTER.search(clause[match.end():]):
        return False
    return not (clause_none and clause_none.search(clause))


def _consequence_of_a_condition(previous: Text, clause: Text) -> bool:
    """A question after a conditional clause speaks of what might happen: 万一哪天又中风,说不出话怎么办."""
    conditional, asks = concept("conditional"), concept("asks")
    return bool(previous and conditional and asks and conditional.search(previous) and asks.search(clause))


@lru_cache(maxsize=256)
def _clauses(text: Text) -> Tuple[Text, ...]:
    """The clauses of one message, split once for all the rules that read it."""
    return tuple(textmatch.clauses(text))


def has_affirmed(text: Text, regex: Pattern, clause_none: Optional[Pattern] = None, statements_only: bool = False) -> bool:
    """Whether `regex` matches some clause of `text` as a report (see the module docstring).

    `statements_only` skips clauses that ask (for a message with no person or time in it: 呼吸困难是怎么回事).
    """
    previous = ""
    for clause in _clauses(text):
        previous, before = clause, previous
        if statements_only and textmatch.is_general_question(clause):
            continue
        if _consequence_of_a_condition(before, clause):
            continue
        for match in regex.finditer(clause):
            if _affirmed_in(clause, match, clause_none):
                return True
    return False


def _clause_around(text: Text, start: int) -> Tuple[Text, int]:
    clause_start = max(text.rfind(sep, 0, start) for sep in _CLAUSE_BREAKS) + 1
    ends = [i for i in (text.find(sep, start) for sep in _CLAUSE_BREAKS) if i >= 0]
    return text[clause_start: min(ends) if ends else len(text)], clause_start


def across_affirmed(text: Text, regex: Pattern, statements_only: bool = False) -> bool:
    """A message-wide match that is a report where it starts (not negated, not hypothetical there)."""
    normalised = textmatch.normalise(text)
    for match in regex.finditer(normalised):
        clause, clause_start = _clause_around(normalised, match.start())
        if statements_only and textmatch.is_general_question(clause):
            continue
        start = match.start() - clause_start
        before = _clause_around(normalised, clause_start - 1)[0] if clause_start > 0 else ""
        if _consequence_of_a_condition(before, clause):
            continue
        if not textmatch.is_negated(clause, start) and not _unreal_before(clause[:start]):
            return True
    return False


def _rule_matches(rule: Rule, text: Text, normalised: Text, statements_only: bool) -> bool:
    if any(regex.search(normalised) for regex in rule.none):
        return False
    if any(regex.search(normalised) for regex in rule.stale) and not any(
        has_affirmed(text, regex) for regex in rule.fresh
    ):
        return False  # told as old (years, a past stroke) and nothing says it changed now
    return all(has_affirmed(text, regex, rule.clause_none, statements_only) for regex in rule.all) and all(
        across_affirmed(text, regex, statements_only) for regex in rule.across
    ) and (not rule.two_of or sum(across_affirmed(text, regex, statements_only) for regex in rule.two_of) >= 2)


def _unmasked(text: Optional[Text]) -> Text:
    """`text` with words that mislead the rules masked.

    The `while_pair` concept's 一边 (一边走一边……: 'while') becomes 同时, so that it is not read as one side; the
    years of a named risk factor (`risk_history`: 高血压多年, 糖尿病十年) are dropped, so that they do not read as
    the course of the new complaint (高血压多年,今天右手拿不住筷子 is new).
    """
    if not text:
        return ""
    pair = concept("while_pair")
    if pair is not None:
        text = pair.sub(lambda m: m.group(0).replace("一边", "同时"), text)
    return without_risk_history(text)


@lru_cache(maxsize=4)
def _cluster_patterns(data_id: int) -> Tuple[Pattern, ...]:
    data = knowledge.load()
    concepts = data.get("red_flag_concepts") or {}
    return tuple(_compile(p, concepts) for p in (data.get("red_flag_screen") or {}).get("cluster", []))


def _symptom_cluster(normalised: Text) -> bool:
    """Whether a message names at least two kinds of finding (`red_flag_screen.cluster`): a person's own symptoms."""
    return sum(bool(regex.search(normalised)) for regex in _cluster_patterns(id(knowledge.load()))) >= 2


def detect(text: Optional[Text]) -> List[RedFlag]:
    """Red flags reported in `text`; empty for negations, hypotheticals and general questions about one.

    A message that asks and names no person or time (呼吸困难是怎么回事) is a general question: only its
    clauses that state something count (有痰怎么办,呼吸困难), and none at all when it asks about signs,
    symptoms or prevention (中风有哪些表现?嘴歪,说话不清: the `textbook` concept). A question that names two
    kinds of finding together (胸闷呼吸困难是怎么回事), or pleads or tells a state just changed (喘不上气了怎么办,
    急急急), is someone telling their own symptoms, not a general one.
    """
    if not text or not text.strip():
        return []
    text = _unmasked(text)
    normalised = textmatch.normalise(text)
    plea = concept("plea")
    general = textmatch.is_general_question(text) and not _symptom_cluster(normalised) and not (
        plea and plea.search(normalised)
    )
    textbook = concept("textbook")
    if general and textbook and textbook.search(normalised):
        return []
    found: Dict[Text, RedFlag] = {}
    for rule in rules():
        if rule.flag_id not in found and _rule_matches(rule, text, normalised, general):
            found[rule.flag_id] = RedFlag(rule.flag_id, rule.reason)
    return list(found.values())


def unaffirmed_mention(text: Optional[Text]) -> bool:
    """Whether a red-flag finding is named but negated or asked about hypothetically (没有呼吸困难, 会不会喘不上气).

    The classifier's own red_flag is distrusted only then: a leg word alone says nothing against it.
    """
    if not text:
        return False
    text = _unmasked(text)
    normalised = textmatch.normalise(text)
    for rule in rules():
        for regex in rule.all:
            if regex.search(normalised) and not has_affirmed(text, regex):
                return True
        for regex in (*rule.across, *rule.two_of):
            if regex.search(normalised) and not across_affirmed(text, regex):
                return True
    return False


def _search(name: Text, text: Optional[Text]) -> bool:
    regex = concept(name)
    return bool(text and regex and regex.search(textmatch.normalise(text)))


def long_course(text: Optional[Text]) -> bool:
    """Whether the message tells a course of months or years, or from birth (the `long_course` concept)."""
    return _search("long_course", text)


def known_cause(text: Optional[Text]) -> bool:
    """Whether the message names a cause already (a drug, a diagnosis, epilepsy: the `known_cause` concept)."""
    return _search("known_cause", text)


def acute_deficit(text: Optional[Text], specific: bool = False) -> bool:
    """Whether one affirmed clause ties something acute (`acute`) to a deficit (`deficit`): 今天早上整个人没力气.

    `specific` asks for a deficit that is more than tiredness (`specific_deficit`: a limb, a task, speech,
    breathing ...) and an onset rather than a span (`onset_now`: 今天, 突然, not 这几天). The classifier's
    red_flag is trusted only then: on real patients' messages it says red_flag for a sudden stomach ache with
    general tiredness, a rash with fever or a drug's side effects far more often than for an emergency no rule
    foresaw. Plain tiredness come on today still gets the red-flag check (not `specific`).
    """
    acute = concept("onset_now" if specific else "acute")
    deficit = concept("specific_deficit" if specific else "deficit")
    if not text or acute is None or deficit is None:
        return False
    pain_bound = concept("pain_bound")
    for clause in _clauses(_unmasked(text)):
        if pain_bound and pain_bound.search(clause):
            continue  # kept off the feet by pain (脚疼走不了路), not by weakness
        deficits = [m for m in deficit.finditer(clause) if _affirmed_in(clause, m, concept("habitual"))]
        if deficits and any(_affirmed_in(clause, m, concept("slow")) for m in acute.finditer(clause)):
            return True
    return False


@dataclass(frozen=True)
class ScreenEntry:
    """One pattern of `red_flag_screen`, with the vetoes a rule may have (a long-known finding needs no check)."""

    pattern: Pattern
    none: Tuple[Pattern, ...]
    clause_none: Optional[Pattern]
    across: bool = False


@lru_cache(maxsize=4)
def _screen_entries(data_id: int) -> Tuple[ScreenEntry, ...]:
    data = knowledge.load()
    concepts = data.get("red_flag_concepts") or {}
    entries = []
    for raw in (data.get("red_flag_screen") or {}).get("patterns", []):
        entry = raw if isinstance(raw, dict) else {"pattern": raw}
        clause_none = entry.get("clause_none") or []
        entries.append(ScreenEntry(
            _compile(entry["pattern"], concepts),
            tuple(_compile(p, concepts) for p in entry.get("none") or []),
            _compile("|".join(f"(?:{p})" for p in clause_none), concepts) if clause_none else None,
            bool(entry.get("across")),
        ))
    return tuple(entries)


def _abrupt_onset(text: Text) -> bool:
    """An affirmed abrupt onset (`abrupt`: 突然, 刚才) in a message that tells no long course and names no cause."""
    abrupt = concept("abrupt")
    return bool(abrupt) and has_affirmed(text, abrupt, concept("habitual")) and not (
        long_course(text) or known_cause(text) or textmatch.is_general_question(text)
    )


def needs_check(text: Optional[Text], red_flag_confidence: float = 0.0) -> bool:
    """Whether the interview or the fatigue question should open with the red-flag check (`red_flag_screen`).

    Only when no rule fired (a rule sends to 120 at once): something acute is tied to a deficit (tiredness
    too), an affirmed clause names what an emergency could be (breathing, swallowing, speech ...) and is not
    long known, or the classifier leaned to red_flag on a message that tells an abrupt onset.
    """
    if not text or detect(text):
        return False
    text = _unmasked(text)
    if acute_deficit(text) and not _search("positional", text):
        return True
    normalised = textmatch.normalise(text)
    for entry in _screen_entries(id(knowledge.load())):
        if any(regex.search(normalised) for regex in entry.none):
            continue
        if entry.across and across_affirmed(text, entry.pattern):
            return True
        if not entry.across and has_affirmed(text, entry.pattern, entry.clause_none):
            return True
    screen = knowledge.load().get("red_flag_screen") or {}
    return red_flag_confidence >= float(screen.get("classifier_min", 1.0)) and _abrupt_onset(text)


def concept_names(data: Optional[Dict[Text, Any]] = None) -> List[Text]:
    return list(((data or knowledge.load()).get("red_flag_concepts") or {}).keys())


def names_warning_sign(text: Optional[Text]) -> bool:
    """Whether the message names what an emergency could be, affirmed or not, old or new (a wider net than `needs_check`).

    For replies that neither interview nor send to 120 (an answer, out of scope, the fallback): there a one-line
    reminder of the warning signs costs little, and the gate's vetoes (a habit, a known cause, a general question)
    are exactly where real patients' emergencies slipped through. A rule counts when all its own patterns occur,
    so a leg word alone (the first part of the cord rule) is not a warning sign.
    """
    if not text or not text.strip():
        return False
    normalised = textmatch.normalise(_unmasked(text))
    if any(entry.pattern.search(normalised) for entry in _screen_entries(id(knowledge.load()))):
        return True
    return any(
        all(regex.search(normalised) for regex in (*rule.all, *rule.across))
        and (not rule.two_of or sum(bool(regex.search(normalised)) for regex in rule.two_of) >= 2)
        for rule in rules()
    )


def without_risk_history(text: Optional[Text]) -> Text:
    """`text` with the years of a named risk factor dropped (高血压五年了 → 高血压: `risk_history`), for readers of
    the complaint's own course (extraction's onset and duration) as for the rules."""
    history = concept("risk_history")
    return history.sub(lambda m: m.group("disease"), text or "") if history is not None else (text or "")
