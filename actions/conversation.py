"""Actions around the interview: tiredness, worries, examinations (Rasa glue around triage.conversation)."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety import warn_if_it_could_be_urgent
from triage import conversation


class ActionClarifyFatigue(Action):
    """One question tells tiredness from weakness; the message is kept for the interview the button may start."""

    def name(self) -> Text:
        return "action_clarify_fatigue"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if conversation.answers_question_of(tracker.events, self.name()):
            # Asked once already and the reply is still tiredness: that is the answer (ask it once only).
            dispatcher.utter_message(response="utter_fatigue_advice", **conversation.fatigue_advice())
            return [SlotSet("pending_story", None)]
        dispatcher.utter_message(response="utter_clarify_fatigue")
        return [SlotSet("pending_story", tracker.latest_message.get("text"))]


class ActionFatigueAdvice(Action):
    def name(self) -> Text:
        return "action_fatigue_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_fatigue_advice", **conversation.fatigue_advice())
        return [SlotSet("pending_story", None)]


class ActionAnswerWorry(Action):
    """A short, calm answer to a feared disease and the offer to go through the person's own situation."""

    def name(self) -> Text:
        return "action_answer_worry"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text")
        dispatcher.utter_message(response="utter_worry", answer=conversation.worry_answer(text))
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return [SlotSet("pending_story", text)]


class ActionExplainExam(Action):
    def name(self) -> Text:
        return "action_explain_exam"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_exam", answer=conversation.exam_answer(tracker.latest_message.get("text")))
        if not tracker.active_loop_name:
            dispatcher.utter_message(response="utter_offer_interview")
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return []
