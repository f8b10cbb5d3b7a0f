"""The summary a patient can copy and show a doctor, built from the interview's facts."""
from typing import Any, Dict, List, Optional, Text

from triage import extraction, knowledge

MARKERS = (extraction.NONE, extraction.UNKNOWN, extraction.UNCLEAR)


def describe(values: Optional[List[Text]], note: Optional[Text] = None, told: Optional[Text] = None) -> Text:
    """Labels of a fact's signals, or the word for none / unknown / unclear / missing.

    A label that names a class of findings (`summary_said` in the knowledge file: 关节炎、关节或肢体疼痛、扭伤)
    is followed by the words of `told` (the complaint) that matched it, so that the doctor reads what was said.
    """
    words = knowledge.load()["answer_words"]
    if not values:
        return words["missing"]
    signals = knowledge.signals()
    labels = [_label(v, signals[v], told) for v in values if v in signals]
    if labels:
        return knowledge.text("reason_separator").join(labels)
    if extraction.UNCLEAR in values and note:
        return knowledge.text("summary_original_words").format(word=words["unclear"], note=note)
    for marker in MARKERS:
        if marker in values:
            return words[marker]
    return words["unclear"]


def _label(signal_id: Text, signal: Dict[Text, Any], told: Optional[Text]) -> Text:
    words = extraction.said(signal_id, told) if signal.get("summary_said") else None
    return knowledge.text("summary_said").format(label=signal["label"], said=words) if words else signal["label"]


def _location(facts: Dict[Text, Any], notes: Dict[Text, Text], complaint: Optional[Text]) -> Text:
    """The side and spread found; when none was, the limbs the patient named (not 未提及 beside 腿没劲)."""
    described = describe(facts.get("location"), notes.get("location"), complaint)
    if any(v in knowledge.signals() for v in facts.get("location") or []):
        return described
    parts = knowledge.text("list_separator").join(extraction.body_parts(complaint))
    return knowledge.text("summary_parts").format(parts=parts) if parts else described


def _onset(facts: Dict[Text, Any], duration: Optional[Text]) -> Text:
    values = (facts.get("onset_age") or []) + (facts.get("onset_speed") or [])
    if not duration:
        return describe(values)
    if not any(v in knowledge.signals() for v in values):
        return knowledge.text("summary_duration_only").format(duration=duration)
    return knowledge.text("summary_duration").format(onset=describe(values), duration=duration)


def summary_fields(facts: Dict[Text, Any], bookkeeping: Dict[Text, Any]) -> Dict[Text, Text]:
    """Values for the utter_summary template."""
    notes = bookkeeping.get("answer_notes") or {}
    told = bookkeeping.get("complaint")
    words = knowledge.load()["answer_words"]
    onset = _onset(facts, bookkeeping.get("duration"))
    unknown_questions = [
        q["label"] for q in knowledge.questions() if extraction.UNKNOWN in (facts.get(q["fact"]) or [])
    ]
    return {
        "complaint": bookkeeping.get("complaint") or words["missing"],
        "onset": onset,
        "location": _location(facts, notes, bookkeeping.get("complaint")),
        "associated": describe(facts.get("associated"), notes.get("associated"), told),
        "immobilisation": describe(facts.get("immobilisation"), notes.get("immobilisation"), told),
        "nutrition": describe(facts.get("nutrition"), notes.get("nutrition"), told),
        "family": describe(facts.get("family_history"), notes.get("family_history")),
        "tests": describe(facts.get("known_tests"), notes.get("known_tests"), told),
        "unknowns": knowledge.text("list_separator").join(unknown_questions) or words["none"],
    }


def has_content(facts: Dict[Text, Any], bookkeeping: Dict[Text, Any]) -> bool:
    return bool(bookkeeping.get("complaint")) or any(facts.values())
