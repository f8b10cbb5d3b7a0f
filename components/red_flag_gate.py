"""NLU component: the deterministic red-flag gate, run on every message after the classifiers."""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from triage import extraction, red_flags, textmatch

RED_FLAG_INTENT = "red_flag"
DESCRIBE_INTENT = "describe_symptoms"
INTENT_RANKING = "intent_ranking"


def decide(text: Optional[Text], intent: Dict[Text, Any], ranking: List[Dict[Text, Any]], config: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
    """The intent to force, or None to keep the classifier's.

    Rules fire first and always. The classifier's red_flag is kept as a second net when it is confident,
    ties something acute (sudden, within hours or days, worsening) to a deficit that is more than tiredness
    in one clause (today's tiredness gets the red-flag check instead: actions), and does not
    negate a red-flag finding, name one hypothetically, ask about it in general, tell a course of months
    or years or name the cause already (a drug, a diagnosis).
    """
    if red_flags.detect(text):
        return {INTENT_NAME_KEY: RED_FLAG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
    if intent.get(INTENT_NAME_KEY) != RED_FLAG_INTENT:
        return None
    trusted = (
        intent.get(PREDICTED_CONFIDENCE_KEY, 0) >= config["classifier_threshold"]
        and not red_flags.unaffirmed_mention(text)
        and not red_flags.long_course(text)
        and not red_flags.known_cause(text)
        and red_flags.acute_deficit(text, specific=True)
        and not textmatch.is_general_question(text or "")
    )
    if trusted:
        return None
    runner_up = next((r for r in ranking if r.get(INTENT_NAME_KEY) != RED_FLAG_INTENT), None)
    if not runner_up or runner_up.get(PREDICTED_CONFIDENCE_KEY, 0) < config["fallback_threshold"]:
        if extraction.count_signals(text) >= config["description_min_signals"]:
            # Not an emergency, but a person telling their symptoms: the interview, not "没太理解".
            return {INTENT_NAME_KEY: DESCRIBE_INTENT, PREDICTED_CONFIDENCE_KEY: config["fallback_threshold"]}
        return {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: config["fallback_threshold"]}
    return dict(runner_up)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagGate(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"classifier_threshold": 0.8, "fallback_threshold": 0.3, "description_min_signals": 2}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "RedFlagGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING) or []
            forced = decide(message.get(TEXT), message.get(INTENT) or {}, ranking, self._config)
            if forced:
                message.set(INTENT, forced, add_to_output=True)
                rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != forced[INTENT_NAME_KEY]]
                message.set(INTENT_RANKING, [forced, *rest], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
