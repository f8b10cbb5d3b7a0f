"""Transparent scoring of the five cause categories from signals, with reasons and urgency."""
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Text

from triage import knowledge

EMERGENCY, URGENT, ROUTINE, SELF_CARE = "emergency", "urgent", "routine", "self_care"


@dataclass
class CauseScore:
    id: Text
    name: Text
    raw: float
    score: float
    reasons: List[Text] = field(default_factory=list)


def rank(signal_ids: Iterable[Text], red_flags: Iterable[Any] = ()) -> List[CauseScore]:
    """All five categories, best first; ties in the knowledge file's `scoring.tie_order`.

    `red_flags` (RedFlag objects or ids) weigh in through the knowledge file's red_flag_weights, so that an
    emergency ranks the categories from what was said instead of showing five zeros.
    """
    signals = knowledge.signals()
    params = knowledge.scoring()
    present = [s for s in dict.fromkeys(signal_ids) if s in signals]
    flag_weights = knowledge.red_flag_weights()
    flags = [f for f in dict.fromkeys(getattr(flag, "id", flag) for flag in red_flags) if f in flag_weights]
    # A signal whose `explained_by` names another present signal adds no weight of its own: the operation on a
    # spine is weighed by the spine (spinal_history), not again as an operation that keeps a limb still.
    evidence = [
        (signals[s]["label"], signals[s].get("weights", {}))
        for s in present
        if not set(signals[s].get("explained_by", ())) & set(present)
    ]
    evidence += [(flag_weights[f]["label"], flag_weight(flag_weights[f], present)) for f in flags]
    discounts = [rule for rule in (late_onset(present), recent_onset(present)) if rule]
    scores = []
    for category in knowledge.categories():
        raw, reasons = 0.0, []
        for label, weights in evidence:
            weight = weights.get(category["id"], 0)
            if weight:
                raw += weight
                reasons.append(label)
        for rule in discounts:
            if rule["category"] == category["id"]:
                raw *= rule["factor"]
                reasons.append(rule["label"])
        scores.append(CauseScore(category["id"], category["name"], max(raw, 0.0), 0.0, reasons))
    total = sum(s.raw for s in scores)
    denominator = max(total, params["saturation"])
    for s in scores:
        s.score = round(s.raw / denominator, 2)
    order = tie_order()
    return sorted(scores, key=lambda s: (-s.raw, order.index(s.id)))


def flag_weight(entry: Dict[Text, Any], present: Iterable[Text]) -> Dict[Text, float]:
    """A red flag's weights, or those of the first of its `when_signals` that is present (low potassium makes
    acute paralysis the muscles')."""
    present = set(present)
    for signal, weights in (entry.get("when_signals") or {}).items():
        if signal in present:
            return weights
    return entry.get("weights", {})


def tie_order() -> List[Text]:
    """Category ids in the order that breaks a tie: the knowledge file's, then the article's for any left out."""
    preferred = [c for c in knowledge.scoring().get("tie_order", []) if c in knowledge.CATEGORY_IDS]
    return preferred + [c for c in knowledge.CATEGORY_IDS if c not in preferred]


def late_onset(signal_ids: Iterable[Text]) -> Optional[Dict[Text, Any]]:
    """The knowledge file's late-onset rule when it applies: onset after 40 and no family history or early onset."""
    return _discount("late_onset", signal_ids)


def recent_onset(signal_ids: Iterable[Text]) -> Optional[Dict[Text, Any]]:
    """The recent-onset rule when it applies: weakness of days or weeks, no family history, no course of months."""
    return _discount("recent_onset", signal_ids)


def _discount(name: Text, signal_ids: Iterable[Text]) -> Optional[Dict[Text, Any]]:
    rule = knowledge.scoring().get(name)
    present = set(signal_ids)
    if not rule or not present & set(rule["signals"]) or present & set(rule["unless"]):
        return None
    return rule


def is_uncertain(ranked: List[CauseScore]) -> bool:
    """Too little evidence, or no clear leader."""
    params = knowledge.scoring()
    return ranked[0].raw < params["min_evidence"] or ranked[0].raw - ranked[1].raw < 1


def close_call(ranked: List[CauseScore]) -> Optional[List[CauseScore]]:
    """The two leading categories when both have evidence and the second is nearly as strong, else None.

    The result then names both as possible instead of one (scoring.close_ratio, tuned on the real dev set).
    """
    params = knowledge.scoring()
    first, second = ranked[0], ranked[1]
    if first.raw < params["min_evidence"] or second.raw <= 0:
        return None
    if first.raw - second.raw < 1 or second.raw >= params["close_ratio"] * first.raw:
        return [first, second]
    return None


def is_decisive(ranked: List[CauseScore], facts_known: int) -> bool:
    params = knowledge.scoring()
    return (
        facts_known >= params["min_facts"]
        and ranked[0].raw - ranked[1].raw >= params["decisive_margin"]
    )


def urgency(signal_ids: Iterable[Text], ranked: List[CauseScore], red_flags: Iterable[Any] = ()) -> Text:
    """emergency / urgent / routine / self_care; self_care only for clear disuse with none of the exclusions."""
    if list(red_flags):
        return EMERGENCY
    params = knowledge.scoring()
    present = set(signal_ids)
    if present & set(params["urgent_signals"]):
        return URGENT
    if (
        ranked[0].id == "disuse"
        and not is_uncertain(ranked)
        and present & set(params["self_care_signals"])
        and not present & set(params["self_care_excluded"])
    ):
        return SELF_CARE
    return ROUTINE


def department(ranked: List[CauseScore], red_flags: Iterable[Any] = (), signal_ids: Iterable[Text] = ()) -> Text:
    """Where to go: the emergency department, neurology when too little is known, else the leading category's
    department with the notes that fit what was said (knowledge.category_department)."""
    if list(red_flags):
        return knowledge.department("emergency")
    if is_uncertain(ranked) and ranked[0].raw < knowledge.scoring()["min_evidence"]:
        return knowledge.department("uncertain")
    return knowledge.category_department(ranked[0].id, signal_ids)


def payload(ranked: List[CauseScore], urgency_level: Text, dept: Text, red_flags: Iterable[Any] = ()) -> Dict[Text, Any]:
    """The machine-readable triage_result message (docs/triage-result.md)."""
    close = close_call(ranked) if urgency_level != EMERGENCY else None
    return {
        "type": "triage_result",
        "urgency": urgency_level,
        "causes": [{"id": s.id, "name": s.name, "score": s.score, "reasons": list(s.reasons)} for s in ranked],
        # The two categories named as equally possible when the scores are close; empty otherwise.
        "close_call": [s.id for s in close] if close else [],
        "department": dept,
        "red_flags": [getattr(flag, "id", str(flag)) for flag in red_flags],
        "red_flag_reasons": [getattr(flag, "reason", str(flag)) for flag in red_flags],
    }


def as_dicts(ranked: List[CauseScore]) -> List[Dict[Text, Any]]:
    return [asdict(s) for s in ranked]


def ranked_text(ranked: List[CauseScore], limit: int = 3) -> Text:
    """The leading categories with some evidence, one line each with their reasons (knowledge `texts`)."""
    line = knowledge.text("cause_line")
    separator = knowledge.text("reason_separator")
    candidates = [s for s in ranked if s.raw > 0][:limit]
    lines = [
        line.format(rank=i, name=s.name, percent=round(s.score * 100), reasons=separator.join(s.reasons))
        for i, s in enumerate(candidates, 1)
    ]
    return "\n".join(lines) or knowledge.text("no_causes")


def reason_lines(red_flags: Iterable[Any]) -> Text:
    """One line per red flag's reason, for the emergency reply."""
    line = knowledge.text("emergency_reason_line")
    return "\n".join(line.format(reason=getattr(flag, "reason", str(flag))) for flag in red_flags)
