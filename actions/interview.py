"""The interview form's validation action: Rasa glue around triage.interview."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from triage.interview import BOOKKEEPING_SLOTS, facts_order, location_parts, plan_turn, resumed


class ValidateInterviewForm(FormValidationAction):
    """Fills every fact it can from each message and picks the next question itself.

    Why `run` is overridden instead of the SDK's dynamic `required_slots()` with `extract_<fact>` and
    `validate_<fact>` methods: one message answers several facts at once and the next question depends on
    all of them (triage.interview.plan_turn: the ranking decides when to stop, early onset moves the family
    question forward, a pending question read as 不知道 / 没有 / unclear). The SDK's run calls
    `required_slots()` three times per message on a progressively updated tracker and validates slot by
    slot, so that one decision would be split over eight extractors, eight validators and three planning
    passes that must agree. It also has no way to return no events at all, which is how this action lets
    the form reject an interrupting message (a question, 不问了) so that the rules answer it and the form
    resumes. One call to the plain, unit-tested planner is clearer; domain.yml still lists the facts under
    `required_slots` so that Rasa knows the form's slots.
    """

    def name(self) -> Text:
        return "validate_interview_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        facts = {fact: tracker.get_slot(fact) for fact in facts_order()}
        message_id = tracker.latest_message.get("message_id")
        plan = plan_turn(
            facts=facts,
            asked=list(tracker.get_slot("asked") or []),
            requested=tracker.get_slot("requested_slot"),
            text=tracker.latest_message.get("text"),
            intent=(tracker.latest_message.get("intent") or {}).get("name"),
            confidence=(tracker.latest_message.get("intent") or {}).get("confidence") or 0.0,
            unparsed=message_id != tracker.get_slot("last_parsed"),
            resumed=resumed(tracker.events),
            bookkeeping={k: tracker.get_slot(k) for k in BOOKKEEPING_SLOTS},
        )
        if plan.reject:
            return []
        events = [SlotSet(k, v) for k, v in plan.updates.items()]
        return [*events, SlotSet("last_parsed", message_id), SlotSet("requested_slot", plan.next_fact)]


class ActionAskLocation(Action):
    """The form's location question (Rasa prefers action_ask_<slot> to utter_ask_<slot>): a limb the story
    named is named back instead of asked for."""

    def name(self) -> Text:
        return "action_ask_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        parts = location_parts(tracker.get_slot("complaint"))
        if parts:
            dispatcher.utter_message(response="utter_ask_location_named", parts=parts)
        else:
            dispatcher.utter_message(response="utter_ask_location")
        return []
