"""Actions that start, stop and conclude the interview, answer emergencies and show the summary."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from triage import extraction, interview, knowledge, red_flags, scoring, summary


def _facts(tracker: Tracker) -> Dict[Text, Any]:
    return {fact: tracker.get_slot(fact) for fact in interview.facts_order()}


def _bookkeeping(tracker: Tracker) -> Dict[Text, Any]:
    return {k: tracker.get_slot(k) for k in interview.BOOKKEEPING_SLOTS}


def reset_events(tracker: Tracker) -> List[EventType]:
    """Clear every fact and the interview's bookkeeping (only what is set: each event is stored and resent)."""
    names = [*interview.facts_order(), *interview.BOOKKEEPING_SLOTS, "requested_slot"]
    return [SlotSet(name, None) for name in names if tracker.get_slot(name) is not None]


def result_messages(facts: Dict[Text, Any], bookkeeping: Dict[Text, Any]) -> Dict[Text, Any]:
    """Everything the result turn shows: the response to use, its variables and the payload."""
    signal_ids = extraction.signal_ids(facts)
    ranked = scoring.rank(signal_ids)
    level = scoring.urgency(signal_ids, ranked)
    dept = scoring.department(ranked)
    top = knowledge.category(ranked[0].id)
    uncertain = scoring.is_uncertain(ranked)
    return {
        "response": "utter_triage_uncertain" if uncertain else "utter_triage_result",
        "vars": {
            "ranked": scoring.ranked_text(ranked),
            "category": top["name"],
            "mechanism": top["mechanism"],
            "treatment": top["treatment"],
            "care": "\n".join(knowledge.care_paragraphs("exercise" if ranked[0].id == "disuse" else None)),
            "department": dept,
            "urgency": knowledge.load()["urgency"][level],
        },
        "payload": scoring.payload(ranked, level, dept),
    }


def emergency_payload(facts: Dict[Text, Any], text: Any, flags: List[Any]) -> Dict[Text, Any]:
    """The emergency's triage_result: the categories ranked from the red flags, the facts known and this message."""
    said = [signal for found in extraction.extract_signals(text).values() for signal in found]
    ranked = scoring.rank([*extraction.signal_ids(facts), *said], red_flags=flags)
    return scoring.payload(ranked, scoring.EMERGENCY, scoring.department(ranked, flags), flags)


class ActionBeginInterview(Action):
    def name(self) -> Text:
        return "action_begin_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_interview_intro")
        return [ActiveLoop(None), *reset_events(tracker)]


class ActionTriageResult(Action):
    def name(self) -> Text:
        return "action_triage_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        facts, bookkeeping = _facts(tracker), _bookkeeping(tracker)
        result = result_messages(facts, bookkeeping)
        dispatcher.utter_message(response=result["response"], **result["vars"])
        dispatcher.utter_message(json_message=result["payload"])
        dispatcher.utter_message(response="utter_summary", **summary.summary_fields(facts, bookkeeping))
        dispatcher.utter_message(response="utter_ask_feedback")
        return [SlotSet("interview_done", True)]


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        flags = red_flags.detect(tracker.latest_message.get("text"))
        if not flags:
            # The classifier's second net fired without a rule: still send them, with a generic reason.
            flags = [red_flags.RedFlag("reported_emergency", knowledge.load()["generic_emergency_reason"])]
        dispatcher.utter_message(response="utter_emergency", reasons=scoring.reason_lines(flags))
        payload = emergency_payload(_facts(tracker), tracker.latest_message.get("text"), flags)
        dispatcher.utter_message(json_message=payload)
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("interview_done", True)]


class ActionStopInterview(Action):
    def name(self) -> Text:
        return "action_stop_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_interview_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionShowSummary(Action):
    def name(self) -> Text:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        facts, bookkeeping = _facts(tracker), _bookkeeping(tracker)
        if summary.has_content(facts, bookkeeping):
            dispatcher.utter_message(response="utter_summary", **summary.summary_fields(facts, bookkeeping))
        else:
            dispatcher.utter_message(response="utter_no_summary")
        return []
