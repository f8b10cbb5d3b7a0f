"""Answers built from the knowledge file: the causes overview, one category, care advice, common questions."""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety import warn_if_it_could_be_urgent
from triage import conversation, knowledge


def causes_vars() -> Dict[Text, Text]:
    line = knowledge.text("category_line")
    lines = [line.format(rank=i, name=c["name"], examples=c["examples"])
             for i, c in enumerate(knowledge.categories(), 1)]
    return {"overview": knowledge.load()["overview"], "categories": "\n".join(lines)}


def category_vars(category_id: Text, term: Optional[Text] = None) -> Dict[Text, Text]:
    category = knowledge.category(category_id)
    return {
        "term": term or category["name"],
        "name": category["name"],
        "mechanism": category["mechanism"],
        "examples": category["examples"],
        "signs": category["signs"],
        "treatment": category["treatment"],
        "department": category["department"],
    }


def resolve_category(entities: List[Dict[Text, Any]], text: Optional[Text]) -> Dict[Text, Optional[Text]]:
    """The category asked about: from the cause_term entity, else from any known term in the text."""
    for entity in entities:
        if entity.get("entity") == "cause_term":
            category_id = knowledge.category_for_term(entity.get("value"))
            if category_id:
                return {"id": category_id, "term": knowledge.canonical_term(entity.get("value")) or entity.get("value")}
    lowered = (text or "").lower()
    # Longest names first, so 肌萎缩侧索硬化 wins over 肌萎缩.
    for variant, canonical in sorted(knowledge.term_index().items(), key=lambda kv: -len(kv[0])):
        if variant in lowered:
            return {"id": knowledge.category_for_term(canonical), "term": canonical}
    return {"id": None, "term": None}


def faq_key(latest_message: Dict[Text, Any]) -> Optional[Text]:
    """'hereditary' from the response selector's 'faq/hereditary'."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if "/" in key else None


class ActionExplainCauses(Action):
    def name(self) -> Text:
        return "action_explain_causes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_causes_overview", **causes_vars())
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return []


class ActionExplainCategory(Action):
    def name(self) -> Text:
        return "action_explain_category"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        found = resolve_category(tracker.latest_message.get("entities") or [], tracker.latest_message.get("text"))
        if found["id"]:
            dispatcher.utter_message(response="utter_category_detail", **category_vars(found["id"], found["term"]))
        else:
            dispatcher.utter_message(response="utter_ask_which_category")
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return []


class ActionCareAdvice(Action):
    def name(self) -> Text:
        return "action_care_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        topic = next(tracker.get_latest_entity_values("care_topic"), None)
        dispatcher.utter_message(response="utter_care", advice="\n".join(knowledge.care_paragraphs(topic)))
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return []


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        key = faq_key(tracker.latest_message) or ""
        if key in conversation.COMPOSED_FAQ:
            # Which department, can it be cured: it depends on the cause, so the interview is offered.
            dispatcher.utter_message(response="utter_faq_answer", answer=conversation.COMPOSED_FAQ[key]())
            if not tracker.active_loop_name:
                dispatcher.utter_message(response="utter_offer_interview")
        elif not knowledge.faq_fits(key, tracker.latest_message.get("text")):
            # the nearest answer is about something else than the term asked (什么是肌张力异常 is not ALS)
            dispatcher.utter_message(response="utter_faq_not_covered")
        elif answer := knowledge.faq_answer(key):
            dispatcher.utter_message(response="utter_faq_answer", answer=answer)
        else:
            dispatcher.utter_message(response="utter_causes_overview", **causes_vars())
        warn_if_it_could_be_urgent(dispatcher, tracker)
        return []
