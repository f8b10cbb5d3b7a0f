"""NLU component: a message the classifier could not place but that names symptoms is a description.

Long WeChat-style descriptions vary more than any training set; the interview's signal patterns
(knowledge/causes.yml) recognise them, so a fallback with signals in it starts the interview instead.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions import extraction

DESCRIBE = "describe_symptoms"
OVERRIDABLE = ("nlu_fallback", "out_of_scope")


def is_description(text: Optional[Text], intent: Dict[Text, Any], entities: List[Dict[Text, Any]], min_signals: int) -> bool:
    """Whether a fallback (or an unsure off-topic guess) is really a patient describing symptoms."""
    if intent.get(INTENT_NAME_KEY) not in OVERRIDABLE:
        return False
    if intent.get(INTENT_NAME_KEY) == "out_of_scope" and intent.get(PREDICTED_CONFIDENCE_KEY, 0) >= 0.8:
        return False
    signals = sum(len(v) for v in extraction.extract_signals(text).values())
    symptom_words = sum(1 for e in entities if e.get("entity") == "symptom_term")
    return signals + symptom_words >= min_signals


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SymptomDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_signals": 2}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "SymptomDetector":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if is_description(message.get(TEXT), intent, message.get(ENTITIES) or [], self._config["min_signals"]):
                message.set(INTENT, {INTENT_NAME_KEY: DESCRIBE, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
