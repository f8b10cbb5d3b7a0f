"""Scoring: all five categories ranked with reasons; urgency; weak evidence said as such."""
import pytest

from triage import knowledge, scoring


def test_rank_returns_all_five_best_first_with_reasons():
    ranked = scoring.rank(["onset_child", "family_history", "progressive"])
    assert [s.id for s in ranked][0] == "genetic"
    assert sorted(s.id for s in ranked) == sorted(knowledge.CATEGORY_IDS)
    assert "家族中有类似患者" in ranked[0].reasons
    assert all(0.0 <= s.score <= 1.0 for s in ranked)
    assert ranked[0].score >= ranked[1].score


@pytest.mark.parametrize(
    "signals,top",
    [
        (["onset_child", "family_history"], "genetic"),
        (["numbness", "hand_small_muscles"], "neurogenic"),
        (["twitching", "progressive", "hand_small_muscles"], "neurogenic"),
        (["proximal", "symmetric", "muscle_pain"], "myopathic"),
        (["rash", "proximal"], "myopathic"),
        (["cast", "one_side"], "disuse"),
        (["bed_rest"], "disuse"),
        (["weight_loss", "poor_intake"], "nutritional"),
        (["cancer", "weight_loss"], "nutritional"),
    ],
)
def test_typical_signals_lead_to_their_category(signals, top):
    ranked = scoring.rank(signals)
    assert ranked[0].id == top
    assert not scoring.is_uncertain(ranked)


def test_weak_evidence_is_uncertain_and_scores_stay_low():
    ranked = scoring.rank(["symmetric"])
    assert scoring.is_uncertain(ranked)
    assert ranked[0].score < 0.5


def test_no_evidence_at_all():
    ranked = scoring.rank([])
    assert scoring.is_uncertain(ranked)
    assert all(s.score == 0 for s in ranked)


@pytest.mark.parametrize(
    "signals,level",
    [
        (["cast", "one_side"], scoring.SELF_CARE),
        (["cast", "numbness"], scoring.ROUTINE),
        (["twitching", "hand_small_muscles"], scoring.URGENT),
        (["onset_acute"], scoring.URGENT),
        (["proximal", "symmetric"], scoring.ROUTINE),
    ],
)
def test_urgency(signals, level):
    assert scoring.urgency(signals, scoring.rank(signals)) == level


def test_red_flags_make_it_an_emergency():
    assert scoring.urgency([], scoring.rank([]), red_flags=["stroke"]) == scoring.EMERGENCY


def test_payload_has_the_documented_shape():
    ranked = scoring.rank(["cast"])
    payload = scoring.payload(ranked, "self_care", "康复医学科")
    assert payload["type"] == "triage_result"
    assert payload["urgency"] in {"emergency", "urgent", "routine", "self_care"}
    assert [c["id"] for c in payload["causes"]][0] == "disuse"
    assert len(payload["causes"]) == 5
    assert {"id", "score", "reasons"} <= set(payload["causes"][0])
    assert payload["red_flags"] == []
