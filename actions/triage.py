"""Actions that start, stop and conclude the interview, answer emergencies and show the summary."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import ActionFallback
from actions.safety import ActionOutOfScope, red_flag_confidence
from triage import conversation, extraction, interview, knowledge, red_flags, scoring, summary


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
    dept = scoring.department(ranked, signal_ids=signal_ids)
    top = knowledge.category(ranked[0].id)
    second = knowledge.category(ranked[1].id)
    close = scoring.close_call(ranked)
    if close:
        response = "utter_triage_close"  # two categories about equally likely: both are named
    elif not any(cause.raw > 0 for cause in ranked):
        response = "utter_triage_no_evidence"  # nothing points anywhere: no empty list of directions
    elif scoring.is_uncertain(ranked):
        response = "utter_triage_uncertain"
    else:
        response = "utter_triage_result"
    return {
        "response": response,
        "vars": {
            "ranked": scoring.ranked_text(ranked),
            "category": top["name"],
            "mechanism": top["mechanism"],
            "treatment": top["treatment"],
            "second_category": second["name"],
            "second_mechanism": second["mechanism"],
            "second_department": knowledge.category_department(ranked[1].id, signal_ids),
            "care": "\n".join(knowledge.care_paragraphs("exercise" if ranked[0].id == "disuse" else None)),
            "department": dept,
            "urgency": knowledge.load()["urgency"][level],
        },
        "payload": scoring.payload(ranked, level, dept),
    }


# The responses for triage.conversation.story_answers' kinds.
STORY_RESPONSES = {"term": "utter_story_term", "answer": "utter_story_answer"}


def story_text(tracker: Tracker) -> Text:
    """The story to read: the latest message, with the one a button offer (fatigue, worry) was about."""
    return conversation.story_after_offer(tracker.get_slot("pending_story"), tracker.latest_message.get("text"))


def emergency_payload(facts: Dict[Text, Any], text: Any, flags: List[Any]) -> Dict[Text, Any]:
    """The emergency's triage_result: the categories ranked from the red flags, the facts known and this message."""
    said = [signal for found in extraction.extract_signals(text).values() for signal in found]
    ranked = scoring.rank([*extraction.signal_ids(facts), *said], red_flags=flags)
    return scoring.payload(ranked, scoring.EMERGENCY, scoring.department(ranked, flags), flags)


class ActionBeginInterview(Action):
    """Starts the interview with every fact of the story; after a result, a further detail updates it instead."""

    def name(self) -> Text:
        return "action_begin_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = story_text(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        clear_pending = [SlotSet("pending_story", None)] if tracker.get_slot("pending_story") else []
        if tracker.get_slot("result_shown") and intent != "restart_interview":
            # Only 重新开始 restarts: a detail after the result keeps the earlier answers and updates the ranking.
            facts = _facts(tracker)
            updates = conversation.new_facts(facts, text)
            complaint = conversation.updated_complaint(tracker.get_slot("complaint"), text)
            return [
                ActiveLoop(None), *clear_pending, *[SlotSet(k, v) for k, v in updates.items()],
                SlotSet("complaint", complaint), SlotSet("updating", True),
            ]
        # The form reads the latest message itself; a story told before a button offer is read here.
        from_offer = text != (tracker.latest_message.get("text") or "")
        if not from_offer:  # the offer already answered what that message asked
            for kind, variables in conversation.story_answers(text):
                dispatcher.utter_message(response=STORY_RESPONSES[kind], **variables)
        intro = "utter_interview_intro_direct" if conversation.result_at_once(text) else "utter_interview_intro"
        dispatcher.utter_message(response=intro)
        if red_flags.needs_check(text, red_flag_confidence(tracker.latest_message)):
            dispatcher.utter_message(response="utter_red_flag_check")
        elif not from_offer:
            # Every interview starts with the warning signs and a 120 button: the gate's rules cannot foresee
            # every wording of an emergency (the offer that led here already showed them).
            dispatcher.utter_message(response="utter_red_flag_warning")
        prefilled = [SlotSet(k, v) for k, v in conversation.prefill(text).items()] if from_offer else []
        return [ActiveLoop(None), *reset_events(tracker), *clear_pending, *prefilled]


def send_result(dispatcher: CollectingDispatcher, facts: Dict[Text, Any], bookkeeping: Dict[Text, Any]) -> List[EventType]:
    """The result turn (ranking, payload, summary, feedback and handoff offers) and the slots it sets."""
    result = result_messages(facts, bookkeeping)
    if bookkeeping.get("updating"):
        dispatcher.utter_message(response="utter_updated_result")
    dispatcher.utter_message(response=result["response"], **result["vars"])
    dispatcher.utter_message(json_message=result["payload"])
    dispatcher.utter_message(response="utter_summary", **summary.summary_fields(facts, bookkeeping))
    dispatcher.utter_message(response="utter_ask_feedback")
    dispatcher.utter_message(response="utter_offer_handoff")
    return [SlotSet("interview_done", True), SlotSet("result_shown", True), SlotSet("updating", None)]


class ActionTriageResult(Action):
    def name(self) -> Text:
        return "action_triage_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return send_result(dispatcher, _facts(tracker), _bookkeeping(tracker))


class ActionDetailAfterResult(Action):
    """After the result, a message the reader took for off-topic or did not understand (对了,我还有糖尿病: a
    chronic disease alone is no story) is a further detail when it names a finding: the result is updated.
    After a stopped interview (不问了) the detail is noted for the summary, with no result yet. Otherwise the
    off-topic or not-understood reply it would have had."""

    def name(self) -> Text:
        return "action_detail_after_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text")
        facts = _facts(tracker)
        updates = conversation.new_facts(facts, text)
        if not updates:
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            fallback = ActionOutOfScope() if intent == "out_of_scope" else ActionFallback()
            return await fallback.run(dispatcher, tracker, domain)
        complaint = conversation.updated_complaint(tracker.get_slot("complaint"), text)
        events = [*[SlotSet(k, v) for k, v in updates.items()], SlotSet("complaint", complaint)]
        if not tracker.get_slot("result_shown"):  # the interview was stopped (不问了): noted, no result yet
            dispatcher.utter_message(response="utter_detail_noted")
            return events
        bookkeeping = {**_bookkeeping(tracker), "complaint": complaint, "updating": True}
        return [*events, *send_result(dispatcher, {**facts, **updates}, bookkeeping)]


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
