"""The red-flag gate: deterministic detection of emergencies in one user message.

Rules live in knowledge/causes.yml. They are written with concepts (`{weak}`, `{both_legs}`, `{short_time}` ...
from `red_flag_concepts`) rather than fixed strings, so one rule covers the many ways patients say the same
thing. A rule matches when every `all` pattern matches an affirmed clause (not negated, not hypothetical), every
`across` pattern matches the whole message (for findings told over two clauses: 昨天还能走,今天站不起来),
and no `none` pattern occurs anywhere in it (a deficit placed years back is not a new stroke).
"""
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Pattern, Text, Tuple

from triage import knowledge, textmatch

_MACRO = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class RedFlag:
    id: Text
    reason: Text


def expand(pattern: Text, concepts: Dict[Text, Text]) -> Text:
    """A rule pattern with every {concept} replaced by its regular expression."""
    def replace(match: re.Match) -> Text:
        name = match.group(1)
        if name not in concepts:
            raise ValueError(f"red-flag pattern names unknown concept {{{name}}}")
        return f"(?:{concepts[name]})"

    return _MACRO.sub(replace, pattern)


@lru_cache(maxsize=4)
def _compiled_rules(data_id: int) -> Tuple[Tuple[Text, Text, Tuple[Tuple[Text, ...], Tuple[Pattern, ...], Tuple[Pattern, ...]]], ...]:
    data = knowledge.load()
    concepts = data.get("red_flag_concepts") or {}
    compiled = []
    for flag in data["red_flags"]:
        for rule in flag["rules"]:
            clause_patterns = tuple(expand(p, concepts) for p in rule.get("all") or [])
            across = tuple(re.compile(expand(p, concepts), re.IGNORECASE) for p in rule.get("across") or [])
            none = tuple(re.compile(expand(p, concepts), re.IGNORECASE) for p in rule.get("none") or [])
            if not clause_patterns and not across:
                raise ValueError(f"red flag {flag['id']} has an empty rule")
            compiled.append((flag["id"], flag["reason"], (clause_patterns, across, none)))
    return tuple(compiled)


def rules() -> Tuple[Tuple[Text, Text, Tuple[Tuple[Text, ...], Tuple[Pattern, ...], Tuple[Pattern, ...]]], ...]:
    return _compiled_rules(id(knowledge.load()))


def _across_affirmed(text: Text, regex: Pattern) -> bool:
    """A message-wide match that is not negated where it starts and not said hypothetically."""
    normalised = textmatch.normalise(text)
    if textmatch.is_hypothetical(normalised):
        return False
    for match in regex.finditer(normalised):
        clause_start = max(normalised.rfind(sep, 0, match.start()) for sep in ",，。;；!！?？\n ") + 1
        if not textmatch.is_negated(normalised[clause_start:], match.start() - clause_start):
            return True
    return False


def detect(text: Optional[Text]) -> List[RedFlag]:
    """Red flags reported in `text`; empty for negations, hypotheticals and general questions about one."""
    if not text or not text.strip():
        return []
    if textmatch.is_general_question(text):
        return []
    found: Dict[Text, RedFlag] = {}
    normalised = textmatch.normalise(text)
    for flag_id, reason, (clause_patterns, across, none) in rules():
        if flag_id in found or any(regex.search(normalised) for regex in none):
            continue
        if all(textmatch.has_affirmed(text, p) for p in clause_patterns) and all(
            _across_affirmed(text, regex) for regex in across
        ):
            found[flag_id] = RedFlag(flag_id, reason)
    return list(found.values())


def unaffirmed_mention(text: Optional[Text]) -> bool:
    """Whether a red-flag finding is named but negated or asked about hypothetically (没有呼吸困难, 会不会喘不上气).

    The classifier's own red_flag is distrusted only then: a leg word alone says nothing against it.
    """
    if not text:
        return False
    normalised = textmatch.normalise(text)
    for _, _, (clause_patterns, across, _none) in rules():
        for pattern in clause_patterns:
            if textmatch.compile_pattern(pattern).search(normalised) and not textmatch.has_affirmed(text, pattern):
                return True
        for regex in across:
            if regex.search(normalised) and not _across_affirmed(text, regex):
                return True
    return False


def has_acute_cue(text: Optional[Text]) -> bool:
    """Whether the message places something in hours or days, or says it came on suddenly or is worsening.

    The classifier's red_flag is trusted only then: on real patients' long messages it says red_flag for
    months-old complaints far more often than for emergencies no rule foresaw (tests/real dev half: 18 to 1).
    """
    concepts = knowledge.load().get("red_flag_concepts") or {}
    pattern = "|".join(f"(?:{concepts[name]})" for name in ("sudden", "short_time", "worsening") if name in concepts)
    return bool(text and pattern and textmatch.compile_pattern(pattern).search(textmatch.normalise(text)))


def long_course(text: Optional[Text]) -> bool:
    """Whether the message tells a course of months or years, or from birth (the `long_course` concept)."""
    concept = (knowledge.load().get("red_flag_concepts") or {}).get("long_course")
    return bool(text and concept and textmatch.compile_pattern(concept).search(textmatch.normalise(text)))


def concept_names(data: Optional[Dict[Text, Any]] = None) -> List[Text]:
    return list(((data or knowledge.load()).get("red_flag_concepts") or {}).keys())
