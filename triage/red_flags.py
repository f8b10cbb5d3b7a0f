"""The red-flag gate: deterministic detection of emergencies in one user message."""
from dataclasses import dataclass
from typing import List, Optional, Text

from triage import knowledge, textmatch


@dataclass(frozen=True)
class RedFlag:
    id: Text
    reason: Text


def detect(text: Optional[Text]) -> List[RedFlag]:
    """Red flags reported in `text`; empty for negations and general questions about a red flag."""
    if not text or not text.strip():
        return []
    if textmatch.is_general_question(text):
        return []
    found = []
    for flag in knowledge.load()["red_flags"]:
        for rule in flag["rules"]:
            if all(textmatch.has_affirmed(text, pattern) for pattern in rule["all"]):
                found.append(RedFlag(flag["id"], flag["reason"]))
                break
    return found


def mentions(text: Optional[Text]) -> bool:
    """Whether any red-flag wording occurs at all, negated or asked about included."""
    if not text:
        return False
    normalised = textmatch.normalise(text)
    return any(
        textmatch.compile_pattern(pattern).search(normalised)
        for flag in knowledge.load()["red_flags"]
        for rule in flag["rules"]
        for pattern in rule["all"][:1]
    )
