"""Transparent scoring of the five cause categories from signals, with reasons and urgency."""
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Text

from triage import knowledge

EMERGENCY, URGENT, ROUTINE, SELF_CARE = "emergency", "urgent", "routine", "self_care"


@dataclass
class CauseScore:
    id: Text
    name: Text
    raw: float
    score: float
    reasons: List[Text] = field(default_factory=list)


def rank(signal_ids: Iterable[Text]) -> List[CauseScore]:
    """All five categories, best first; ties keep the article's order."""
    signals = knowledge.signals()
    params = knowledge.scoring()
    present = [s for s in dict.fromkeys(signal_ids) if s in signals]
    scores = []
    for category in knowledge.categories():
        raw, reasons = 0.0, []
        for signal_id in present:
            weight = signals[signal_id].get("weights", {}).get(category["id"], 0)
            if weight:
                raw += weight
                reasons.append(signals[signal_id]["label"])
        scores.append(CauseScore(category["id"], category["name"], max(raw, 0.0), 0.0, reasons))
    total = sum(s.raw for s in scores)
    denominator = max(total, params["saturation"])
    for s in scores:
        s.score = round(s.raw / denominator, 2)
    return sorted(scores, key=lambda s: -s.raw)


def is_uncertain(ranked: List[CauseScore]) -> bool:
    """Too little evidence, or no clear leader."""
    params = knowledge.scoring()
    return ranked[0].raw < params["min_evidence"] or ranked[0].raw - ranked[1].raw < 1


def is_decisive(ranked: List[CauseScore], facts_known: int) -> bool:
    params = knowledge.scoring()
    return (
        facts_known >= params["min_facts"]
        and ranked[0].raw - ranked[1].raw >= params["decisive_margin"]
    )


def urgency(signal_ids: Iterable[Text], ranked: List[CauseScore], red_flags: Iterable[Any] = ()) -> Text:
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


def department(ranked: List[CauseScore], red_flags: Iterable[Any] = ()) -> Text:
    if list(red_flags):
        return "急诊科"
    if is_uncertain(ranked) and ranked[0].raw < knowledge.scoring()["min_evidence"]:
        return "神经内科"
    return knowledge.category(ranked[0].id)["department"]


def payload(ranked: List[CauseScore], urgency_level: Text, dept: Text, red_flags: Iterable[Any] = ()) -> Dict[Text, Any]:
    """The machine-readable triage_result message (docs/triage-result.md)."""
    return {
        "type": "triage_result",
        "urgency": urgency_level,
        "causes": [{"id": s.id, "name": s.name, "score": s.score, "reasons": list(s.reasons)} for s in ranked],
        "department": dept,
        "red_flags": [getattr(flag, "id", str(flag)) for flag in red_flags],
        "red_flag_reasons": [getattr(flag, "reason", str(flag)) for flag in red_flags],
    }


def as_dicts(ranked: List[CauseScore]) -> List[Dict[Text, Any]]:
    return [asdict(s) for s in ranked]
