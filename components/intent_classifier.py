"""Rasa's LogisticRegressionClassifier with its regularisation strength `C` exposed.

Rasa 3.6 fixes C at 1.0, which over-regularises thousands of sparse n-gram features: probabilities come
out flat and too many clear messages fall under the fallback threshold.
"""
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SparseIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "max_iter": 1000}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: Any, resource: Any) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def process(self, messages: List[Message]) -> List[Message]:
        """Messages with no features at all (empty, whitespace) go to the fallback instead of crashing."""
        empty = [m for m in messages if not (m.get(TEXT) or "").strip()]
        for message in empty:
            message.set(INTENT, {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
            message.set("intent_ranking", [], add_to_output=True)
        rest = [m for m in messages if all(m is not e for e in empty)]
        if rest:
            super().process(rest)
        return messages
