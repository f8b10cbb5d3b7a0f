"""Triage evaluation: written cases through the real REST webhook.

Top-1 >= 85 %; every case reaches a result (a case without one is a miss, never skipped); urgency agrees with
the case, where the only tolerance is between urgent and routine (a missed or false emergency, and self_care
given or withheld wrongly, fail).
"""
import pytest
import yaml

from tests.servers import ROOT

pytestmark = pytest.mark.e2e

TOP1_FLOOR = 0.85
MAX_TURNS = 8
# The one agreed tolerance: urgent (24-48 h) and routine (1-2 weeks) may be told apart differently.
TOLERATED = {"urgent", "routine"}


def urgency_agrees(expected, got):
    return expected == got or {expected, got} <= TOLERATED


def load_cases():
    return yaml.safe_load((ROOT / "tests" / "cases.yml").read_text(encoding="utf-8"))["cases"]


def triage_result(turn):
    return next((m["custom"] for m in turn if (m.get("custom") or {}).get("type") == "triage_result"), None)


def run_case(rest, case):
    sender = rest.new_sender()
    turn = rest.send(case["text"], sender)
    answers = list(case.get("answers") or [])
    for turns in range(1, MAX_TURNS + 1):
        result = triage_result(turn)
        if result or case["urgency"] == "emergency":
            return result, turns
        turn = rest.send(answers.pop(0) if answers else "不知道", sender)
    return None, MAX_TURNS


@pytest.fixture(scope="module")
def outcomes(rest):
    return [(case, *run_case(rest, case)) for case in load_cases()]


def test_there_are_enough_cases():
    cases = load_cases()
    assert len(cases) >= 40
    assert {c["top"] for c in cases} >= {"genetic", "neurogenic", "myopathic", "disuse", "nutritional"}


def test_every_emergency_is_caught_on_its_first_turn(outcomes):
    missed = [case["text"] for case, result, _ in outcomes
              if case["urgency"] == "emergency" and not (result and result["urgency"] == "emergency")]
    assert not missed


def test_every_case_reaches_a_result(outcomes):
    missing = [case["text"] for case, result, _ in outcomes if not result]
    assert not missing, f"no triage result within {MAX_TURNS} turns: {missing}"


def test_urgency_agrees_with_every_case(outcomes):
    wrong = [(case["text"], case["urgency"], result and result["urgency"]) for case, result, _ in outcomes
             if not (result and urgency_agrees(case["urgency"], result["urgency"]))]
    assert not wrong, wrong


def test_no_false_emergency(outcomes):
    false = [case["text"] for case, result, _ in outcomes
             if case["urgency"] != "emergency" and result and result["urgency"] == "emergency"]
    assert not false


def test_top1_category(outcomes):
    graded = [(case, result, turns) for case, result, turns in outcomes if case["top"]]
    hits = [1 for case, result, _ in graded if result and result["causes"][0]["id"] == case["top"]]
    misses = [(case["text"], case["top"], result and [c["id"] for c in result["causes"][:2]])
              for case, result, _ in graded if not (result and result["causes"][0]["id"] == case["top"])]
    rate = len(hits) / len(graded)
    urgency_hits = sum(1 for case, result, _ in graded if result and result["urgency"] == case["urgency"])
    print(f"\ntop-1 {rate:.0%} ({len(hits)}/{len(graded)}); urgency agreement {urgency_hits}/{len(graded)}; "
          f"mean turns {sum(t for *_, t in graded) / len(graded):.1f}")
    for miss in misses:
        print("  miss:", miss)
    assert rate >= TOP1_FLOOR


def test_results_list_all_five_categories_and_reasons_for_every_score(outcomes):
    for case, result, _ in outcomes:
        if result and case["top"]:
            assert len(result["causes"]) == 5
            assert all(c["reasons"] for c in result["causes"] if c["score"] > 0), case["text"]
