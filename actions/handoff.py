"""Handing a conversation to a person: the request (queue + pause), and the offer after repeated fallbacks."""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import settings
from staff import handoff
from actions.safety import warn_if_it_could_be_urgent
from triage import interview, summary

_db = None


def staff_db():
    """The staff database, opened on first use (nothing connects at import)."""
    global _db
    if _db is None:
        from staff.db import StaffDB

        _db = StaffDB(settings.STAFF_DB_URL)
    return _db


def service_hours() -> handoff.ServiceHours:
    return handoff.ServiceHours.parse(settings.HANDOFF_HOURS, settings.HANDOFF_DAYS, settings.HANDOFF_TZ)


def summary_text(tracker: Tracker, domain: DomainDict) -> Text:
    """The patient's summary for the top of the staff page: the domain's utter_summary, as the patient sees it."""
    facts = {fact: tracker.get_slot(fact) for fact in interview.facts_order()}
    bookkeeping = {k: tracker.get_slot(k) for k in interview.BOOKKEEPING_SLOTS}
    if not summary.has_content(facts, bookkeeping):
        return ""
    template = ((domain.get("responses") or {}).get("utter_summary") or [{}])[0].get("text") or ""
    try:
        return template.format(**summary.summary_fields(facts, bookkeeping))
    except (KeyError, IndexError, ValueError):
        return ""


def latest_triage_result(events: List[Dict[Text, Any]]) -> Optional[Dict[Text, Any]]:
    """The last triage_result payload the bot sent in this conversation, if any."""
    for event in reversed(events):
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") == "triage_result":
            return custom
    return None


def fallbacks_in_a_row(events: List[Dict[Text, Any]]) -> int:
    """How many of the latest user messages in a row were not understood (nlu_fallback)."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionHandoff(Action):
    """Queue the conversation for a person and pause the bot; outside service hours offer a message instead."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        hours = service_hours()
        is_open = hours.is_open()
        try:
            handoff.enqueue(
                staff_db(), tracker.sender_id, tracker.get_latest_input_channel() or "",
                summary_text(tracker, domain), latest_triage_result(tracker.events),
                status=handoff.WAITING if is_open else handoff.MESSAGE,
            )
        except Exception:
            # No queue, no person: say so rather than leave the patient waiting for nobody.
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return []
        if is_open:
            dispatcher.utter_message(response="utter_handoff_waiting")
        else:
            dispatcher.utter_message(response="utter_handoff_closed", hours=hours.describe())
        # A marker for the channels (the web page shows the person mode; WeChat keeps the reply address).
        dispatcher.utter_message(json_message={"type": "handoff", "status": handoff.WAITING if is_open else handoff.MESSAGE})
        # The interview stops: a person takes over, and the bot starts afresh when they hand back.
        return [ActiveLoop(None), SlotSet("requested_slot", None), ConversationPaused()]


class ActionFallback(Action):
    """"Not understood"; the second time in a row, also the offer of a person."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_fallback")
        warn_if_it_could_be_urgent(dispatcher, tracker)
        if fallbacks_in_a_row(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_offer_handoff")
        return []

