"""Patient feedback on a result ("这个结果对您有帮助吗?"): stored as the `feedback` slot, counted by the
staff console's overview."""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from triage import knowledge

VALUES = ("yes", "no")


def helpful_value(entities: List[Dict[Text, Any]], text: Optional[Text]) -> Text:
    """`yes` or `no`: the button's entity when there is one, else read from typed words (没帮助 -> no)."""
    for entity in entities or []:
        if entity.get("entity") == "helpful" and str(entity.get("value")) in VALUES:
            return str(entity["value"])
    return "no" if any(word in (text or "") for word in knowledge.load()["feedback_no_words"]) else "yes"


class ActionStoreFeedback(Action):
    def name(self) -> Text:
        return "action_store_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        message = tracker.latest_message or {}
        value = helpful_value(message.get("entities") or [], message.get("text"))
        dispatcher.utter_message(response="utter_feedback_thanks")
        return [SlotSet("feedback", value)]
