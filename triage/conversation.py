"""The conversation around the interview: answers to what a story also asks, the opening line, tiredness,
worries, examinations, and a detail added after the result. Plain functions over the knowledge file."""
from typing import Any, Dict, List, Optional, Text, Tuple

from triage import extraction, interview, knowledge, story

# At most this many short answers before a story's interview: two or three lines each.
MAX_STORY_ANSWERS = 2


def _answers() -> Dict[Text, Text]:
    return knowledge.load()["patient_answers"]


def story_answers(text: Optional[Text]) -> List[Tuple[Text, Dict[Text, Text]]]:
    """(kind, variables) for each question a story also asks, in the order worth answering.

    kind `term` (is it this disease: its category and signs) or `answer` (one short answer line).
    """
    reading = story.read(text)
    out: List[Tuple[Text, Dict[Text, Text]]] = []
    if "term" in reading.asks and reading.term:
        category_id = knowledge.category_for_term(reading.term)
        if category_id:
            category = knowledge.category(category_id)
            out.append(("term", {
                "term": story.term_as_said(text) or reading.term, "name": category["name"], "signs": category["signs"],
                "after": _answers()["term_after"],
            }))
    for kind in ("department", "prognosis", "exams"):
        if kind in reading.asks:
            out.append(("answer", {"answer": _answers()[f"{kind}_short"]}))
    return out[:MAX_STORY_ANSWERS]


def _line(name: Text, text: Text) -> Text:
    return knowledge.text("answer_line").format(name=name, text=text)


def department_answer() -> Text:
    answers = _answers()
    lines = [_line(c["name"], c["department"]) for c in knowledge.categories()]
    return "\n".join([answers["department"], *lines, answers["department_after"]])


def prognosis_answer() -> Text:
    answers = _answers()
    lines = [_line(c["name"], c["treatment"]) for c in knowledge.categories()]
    return "\n".join([answers["prognosis"], *lines, answers["prognosis_after"]])


# FAQ keys answered from several parts of the knowledge file, each followed by the offer of the interview.
COMPOSED_FAQ = {"department": department_answer, "prognosis": prognosis_answer}


def exams_named(text: Optional[Text]) -> List[Dict[Text, Any]]:
    """The examinations the text names, in the knowledge file's order."""
    lowered = (text or "").lower()
    return [e for e in knowledge.load()["exams"] if any(str(t).lower() in lowered for t in e["terms"])]


def exam_answer(text: Optional[Text]) -> Text:
    """What the named examinations show, or all of them when none is named."""
    data = knowledge.load()
    named = exams_named(text) or data["exams"]
    lines = [_line(e["name"], e["shows"]) for e in named]
    return "\n".join([data["exams_intro"], *lines, data["exams_after"]])


def fatigue_advice() -> Dict[Text, Text]:
    return dict(knowledge.load()["fatigue"])


# Actions Rasa runs around every user message without saying anything to the user.
_SILENT_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_session_start"})


def answers_question_of(events: List[Dict[Text, Any]], action: Text) -> bool:
    """Whether the latest user message replies to `action`: it was the bot's last act before that message.

    A reply to the tiredness question that is still tiredness ('累,也没力气') answers it; asking it again
    would go round in a circle.
    """
    replied = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if replied:
                return False
            replied = True
        elif replied and kind == "action" and event.get("name") not in _SILENT_ACTIONS:
            return event.get("name") == action
    return False


def worry_answer(text: Optional[Text]) -> Text:
    worry = knowledge.load()["worry"]
    term = story.term_as_said(text)
    category_id = knowledge.category_for_term(term)
    if not category_id:
        return worry["no_term"]
    return worry["after"].format(term=term, name=knowledge.category(category_id)["name"])


def prefill(text: Optional[Text]) -> Dict[Text, Any]:
    """Facts and bookkeeping a story sets before the first question (button payloads set nothing)."""
    if not text or text.startswith("/"):
        return {}
    plan = interview.plan_turn(interview.empty_facts(), [], None, text, "describe_symptoms", True, True)
    return {k: v for k, v in plan.updates.items() if k != "asked"}


def result_at_once(text: Optional[Text]) -> bool:
    """Whether a first message says enough for the result without a single question."""
    if not text or text.startswith("/"):
        return False
    plan = interview.plan_turn(interview.empty_facts(), [], None, text, "describe_symptoms", True, True)
    return plan.next_fact is None


def story_after_offer(pending: Optional[Text], latest: Optional[Text]) -> Text:
    """The story an interview reads after a button offer (fatigue, worry) about `pending`.

    A pressed button (/describe_symptoms) adds nothing; a typed reply ("肌肉没力气", "两条腿都这样") joins the
    story it answers, so that neither is lost.
    """
    latest = latest or ""
    if not pending:
        return latest
    if not latest or latest.startswith("/") or latest in pending or _bare_answer(latest):
        return pending
    return f"{pending}{knowledge.text('detail_separator')}{latest}"


# A reply this short that is only 不知道 / 是 / 没有 adds nothing to the story it answers.
BARE_ANSWER_MAX_CHARS = 6


def _bare_answer(text: Text) -> bool:
    return len(text) <= BARE_ANSWER_MAX_CHARS and extraction.answer_kind(text) is not None and not extraction.count_signals(text)


def updated_complaint(complaint: Optional[Text], detail: Optional[Text]) -> Optional[Text]:
    """The complaint with a detail added after the result (kept short)."""
    if not detail or detail.startswith("/"):
        return complaint
    if not complaint:
        return detail[: interview.COMPLAINT_MAX_CHARS]
    if detail in complaint:
        return complaint
    return f"{complaint}{knowledge.text('detail_separator')}{detail}"[: interview.COMPLAINT_MAX_CHARS * 2]


def new_facts(facts: Dict[Text, Any], text: Optional[Text]) -> Dict[Text, List[Text]]:
    """Facts a further detail adds to the ones already known (merged, as the interview does)."""
    updates = {}
    for fact, found in extraction.extract_signals(text).items():
        merged = interview.merge(facts.get(fact), found)
        if merged != facts.get(fact):
            updates[fact] = merged
    return updates
