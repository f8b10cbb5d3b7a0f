"""The sparse FAQ selector answers in Rasa's response_selector format, and the model runs no TensorFlow model."""
import asyncio

import pytest

from tests.conftest import MODEL


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def parse(agent, text):
    return asyncio.run(agent.parse_message(text))


def test_a_common_question_gets_its_key_in_rasas_format(agent):
    parsed = parse(agent, "肌肉萎缩会遗传吗")
    assert parsed["intent"]["name"] == "faq"
    selector = parsed["response_selector"]
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/hereditary" and 0.5 < response["confidence"] <= 1.0
    assert selector["faq"]["ranking"][0]["intent_response_key"] == "faq/hereditary"
    # Rasa reads the selector into the intent, as with its own ResponseSelector.
    assert parsed["intent"].get("full_retrieval_intent_name") == "faq/hereditary"


def test_other_messages_are_not_given_a_faq_key(agent):
    assert "faq" not in (parse(agent, "你好").get("response_selector") or {})


def test_no_tensorflow_model_in_the_pipeline(agent):
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    components = [type(n._component) for n in agent.processor.graph_runner._instantiated_nodes.values()
                  if getattr(n, "_component", None) is not None]
    assert components and not [c for c in components if issubclass(c, (DIETClassifier, TEDPolicy))]
