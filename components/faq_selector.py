"""The answer key of a common question (faq/hereditary ...): logistic regression over the sparse features.

Replaces Rasa's ResponseSelector, a TensorFlow model that took 420 MB and 17 s of the Rasa server's start
(bench/RESULTS.md) and ~9 ms per question, for a choice among a few keys that the pipeline's n-gram features
separate as well. It is trained on the examples of the retrieval intent, labelled with their full key, runs
only on messages classified as that intent, and writes Rasa's `response_selector` output (the key, its
confidence and the ranking), which action_answer_faq, `rasa test` and the story tools read.
"""
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix

from components.intent_classifier import SparseIntentClassifier


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(SparseIntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseIntentClassifier.get_default_config(), "retrieval_intent": "faq", "C": 5.0,
                RANKING_LENGTH: 5}

    @property
    def retrieval_intent(self) -> Text:
        return self.config["retrieval_intent"]

    def _create_training_matrix(self, training_data: TrainingData) -> Tuple[csr_matrix, List[str]]:
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) == self.retrieval_intent and e.get(INTENT_RESPONSE_KEY) and e.get(TEXT)]
        return self._create_X(examples), [e.get(INTENT_RESPONSE_KEY) for e in examples]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # nothing later in the pipeline reads the selection at training time

    def process(self, messages: List[Message]) -> List[Message]:
        selected = [m for m in messages if (m.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.retrieval_intent
                    and (m.get(TEXT) or "").strip()]
        if not selected or not hasattr(self.clf, "classes_"):
            return messages
        for message, probabilities in zip(selected, self.clf.predict_proba(self._create_X(selected))):
            ranking = sorted(zip(self.clf.classes_, probabilities), key=lambda kv: -kv[1])
            ranking = ranking[: self.config[RANKING_LENGTH]] if self.config[RANKING_LENGTH] > 0 else ranking
            key, confidence = str(ranking[0][0]), float(ranking[0][1])
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    # The answers live in knowledge/causes.yml (action_answer_faq), not in utter_faq/* responses.
                    RESPONSE_SELECTOR_RESPONSES_KEY: [{TEXT: key}],
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{key}",
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {PREDICTED_CONFIDENCE_KEY: float(p), INTENT_RESPONSE_KEY: str(k)} for k, p in ranking
                ],
            }
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = [self.retrieval_intent]
            properties[self.retrieval_intent] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
