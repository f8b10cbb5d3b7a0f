"""Rasa's ResponseSelector, run only on messages whose intent is its retrieval intent.

The selector is a TensorFlow model costing ~7 ms per message; only `faq` messages use its answer
(action_answer_faq reads the key), so the others skip it.
"""
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(ResponseSelector):
    def process(self, messages: List[Message]) -> List[Message]:
        retrieval_intent = self.retrieval_intent
        selected = [m for m in messages if (m.get(INTENT) or {}).get(INTENT_NAME_KEY) == retrieval_intent]
        if selected:
            super().process(selected)
        return messages
