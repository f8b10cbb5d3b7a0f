"""The red-flag check on replies: a safety net under the NLU's red-flag gate (knowledge: `red_flag_screen`)."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from triage import red_flags


def red_flag_confidence(message: Dict[Text, Any]) -> float:
    """The classifier's confidence for red_flag in this message (the gate keeps it in the ranking)."""
    ranking = message.get("intent_ranking") or []
    return max((float(r.get("confidence") or 0) for r in ranking if r.get("name") == "red_flag"), default=0.0)


def warn_if_it_could_be_urgent(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The warning signs with a 120 button, on replies that do not go on to the interview.

    Wider than the check before an interview: any message that names a warning sign, even as a habit, a known
    cause or a question (the red-flag gate's vetoes are where emergencies in real words slipped through).
    """
    message = tracker.latest_message or {}
    text = message.get("text")
    if red_flags.needs_check(text, red_flag_confidence(message)) or red_flags.names_warning_sign(text):
        dispatcher.utter_message(response="utter_red_flag_warning")


class ActionOutOfScope(Action):
    """Out of scope; with the warning signs when the message could still hide an emergency."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_out_of_scope")
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return []
