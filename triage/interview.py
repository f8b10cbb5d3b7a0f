"""The symptom interview's plan: which fact to ask next and what one message sets."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

from triage import extraction, knowledge, scoring

# Intents that interrupt a pending question instead of answering it; rules handle them, then the form resumes.
INTERRUPTIONS = frozenset({
    "red_flag", "faq", "ask_causes", "ask_cause_category", "ask_care",
    "stop_interview", "restart_interview", "request_summary", "bot_challenge", "goodbye", "ask_worry", "ask_exam",
})
# Below this confidence an interrupting intent is more likely a misread answer ("慢慢加重" as a restart).
INTERRUPTION_MIN_CONFIDENCE = 0.6
BOOKKEEPING_SLOTS = (
    "asked", "complaint", "duration", "answer_notes", "interview_done", "last_parsed", "result_shown", "updating",
)
# Actions that may stand between a user message and the form without having answered it.
_PASS_THROUGH = frozenset({"action_listen", "action_extract_slots", "interview_form", "validate_interview_form"})
COMPLAINT_MAX_CHARS = 200


def facts_order() -> List[Text]:
    return [q["fact"] for q in knowledge.questions()]


def empty_facts() -> Dict[Text, Any]:
    return {fact: None for fact in facts_order()}


@dataclass
class TurnPlan:
    reject: bool = False
    updates: Dict[Text, Any] = field(default_factory=dict)
    next_fact: Optional[Text] = None


def merge(current: Optional[List[Text]], found: List[Text]) -> List[Text]:
    """New signals join earlier ones; they replace an earlier 不知道 / 没有 / unclear."""
    markers = {extraction.UNKNOWN, extraction.NONE, extraction.UNCLEAR, extraction.YES}
    kept = [v for v in (current or []) if v not in markers]
    return kept + [s for s in found if s not in kept]


def choose_next(facts: Dict[Text, Any], asked: List[Text]) -> Optional[Text]:
    """The next fact worth a question, or None when enough is known or 6 questions were asked."""
    params = knowledge.scoring()
    if len(asked) >= params["max_questions"]:
        return None
    # Signals that say something without answering their question (站不住 says nothing of where or which side).
    partial = set(params.get("not_an_answer", []))
    facts = {f: (v if v and not set(v) <= partial else None) for f, v in facts.items()}
    known = sum(1 for v in facts.values() if v)
    order = facts_order()
    if set(facts.get("onset_age") or []) & {"onset_birth", "onset_child"}:
        # Early onset makes family history the most telling question.
        order.remove("family_history")
        order.insert(order.index("onset_age") + 1, "family_history")
    if scoring.is_decisive(scoring.rank(extraction.signal_ids(facts)), known):
        order = [f for f in order if f in params.get("always_ask", [])]
    return next((f for f in order if facts.get(f) is None and f not in asked), None)


def answers(requested: Optional[Text], text: Optional[Text]) -> bool:
    """Whether `text` names a finding of the pending question's own fact (a reply, not an interruption)."""
    return bool(requested and text and extraction.extract_signals(text).get(requested))


def plan_turn(
    facts: Dict[Text, Any],
    asked: List[Text],
    requested: Optional[Text],
    text: Optional[Text],
    intent: Optional[Text],
    unparsed: bool,
    resumed: bool,
    bookkeeping: Optional[Dict[Text, Any]] = None,
    confidence: float = 1.0,
) -> TurnPlan:
    """What one turn of the interview sets and asks.

    `unparsed`: the latest user message has not been read by the interview yet.
    `resumed`: another action already ran after that message (the form comes back after an interruption,
    or starts after action_begin_interview).
    """
    bookkeeping = bookkeeping or {}
    if text and text.startswith("/"):
        text = ""  # a button payload such as /describe_symptoms says nothing about symptoms
    interruption = intent in INTERRUPTIONS and (intent == "red_flag" or confidence >= INTERRUPTION_MIN_CONFIDENCE)
    if interruption and intent != "red_flag" and answers(requested, text):
        interruption = False  # "30多岁" to the age question is an answer, whatever the classifier made of it
    if requested and interruption and not resumed:
        return TurnPlan(reject=True)
    updates: Dict[Text, Any] = {}
    fresh = unparsed and not interruption
    if fresh:
        for fact, found in extraction.extract_signals(text).items():
            merged = merge(facts.get(fact), found)
            if merged != facts.get(fact):
                updates[fact] = merged
        if requested and requested not in updates and facts.get(requested) is None:
            updates[requested] = extraction.parse_answer(requested, text, intent)
            if updates[requested] == [extraction.UNCLEAR]:
                notes = dict(bookkeeping.get("answer_notes") or {})
                notes[requested] = (text or "")[:COMPLAINT_MAX_CHARS]
                updates["answer_notes"] = notes
        if not bookkeeping.get("complaint") and text:
            updates["complaint"] = complaint_of(text)
        if not bookkeeping.get("duration"):
            duration = extraction.extract_duration(text)
            if duration:
                updates["duration"] = duration
    merged_facts = {**facts, **{k: v for k, v in updates.items() if k in facts}}
    if bookkeeping.get("updating"):
        # A detail added after the result updates the ranking at once: no new questions.
        return TurnPlan(updates=updates, next_fact=None)
    if requested and merged_facts.get(requested) is None:
        return TurnPlan(updates=updates, next_fact=requested)
    next_fact = choose_next(merged_facts, asked)
    if next_fact:
        updates["asked"] = [*asked, next_fact]
    return TurnPlan(updates=updates, next_fact=next_fact)


# A passage said twice in a row (a title pasted again as the question) is kept once in the complaint.
REPEAT_MIN_CHARS = 8


def complaint_of(text: Text) -> Text:
    """The complaint a doctor reads: the message with a passage repeated at once kept once, cut short."""
    text = text[: 2 * COMPLAINT_MAX_CHARS]  # bounds the search (once per interview, a few ms at most)
    for size in range(len(text) // 2, REPEAT_MIN_CHARS - 1, -1):
        for start in range(0, len(text) - 2 * size + 1):
            if text[start:start + size] == text[start + size:start + 2 * size]:
                text = text[:start + size] + text[start + 2 * size:]
                return complaint_of(text)
    return text[:COMPLAINT_MAX_CHARS]


def location_parts(complaint: Optional[Text]) -> Optional[Text]:
    """The limbs the story named, for the location question to name them back (not ask what was just told);
    None when it named none."""
    parts = extraction.body_parts(complaint)
    return knowledge.text("list_separator").join(parts) if parts else None


def resumed(events: List[Dict[Text, Any]]) -> bool:
    """Whether an action other than the form ran since the latest user message."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in _PASS_THROUGH:
            return True
    return False
