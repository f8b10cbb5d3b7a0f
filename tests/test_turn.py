"""The disclaimer, enforced in channels/turn.py: every response and every action's turn ends with it."""
import asyncio
import inspect
import pkgutil
import importlib

import pytest
from rasa_sdk import Action

import actions
from triage import knowledge
from channels import turn
from tests.conftest import make_tracker

DISCLAIMER = "温馨提示:医疗科普知识仅供参考,不作诊断依据;无行医资格切勿自行操作,若有不适请到医院就诊"


def assert_ends_with_disclaimer(messages):
    assert messages[-1]["text"] == DISCLAIMER
    assert messages[-1]["disclaimer"] is True
    assert sum(1 for m in messages if DISCLAIMER in (m.get("text") or "")) == 1


def test_the_disclaimer_is_the_articles_own():
    assert knowledge.disclaimer() == DISCLAIMER


def test_an_empty_turn_becomes_an_apology_with_the_disclaimer():
    messages = turn.finalize([], "someone")
    assert messages[0]["text"] == turn.APOLOGY
    assert_ends_with_disclaimer(messages)


def test_a_turn_that_already_has_the_disclaimer_gets_it_once():
    messages = turn.finalize([{"text": "你好"}, {"text": DISCLAIMER}], "someone")
    assert [m["text"] for m in messages] == ["你好", DISCLAIMER]


def test_a_custom_payload_alone_is_a_real_turn():
    messages = turn.finalize([{"custom": {"type": "triage_result"}}])
    assert messages[0] == {"custom": {"type": "triage_result"}}
    assert_ends_with_disclaimer(messages)


def all_responses(domain):
    for name, variants in domain["responses"].items():
        for variant in variants:
            yield name, variant


def test_no_response_pastes_the_disclaimer_itself(domain):
    """It is added in one place; a pasted copy would show twice or drift."""
    for name, variant in all_responses(domain):
        assert "温馨提示" not in variant.get("text", ""), name


def test_every_response_ends_with_the_disclaimer_once_finalized(domain):
    names = []
    for name, variant in all_responses(domain):
        message = {"text": variant.get("text"), "buttons": variant.get("buttons", [])}
        assert_ends_with_disclaimer(turn.finalize([message], "someone"))
        names.append(name)
    assert set(names) == set(domain["responses"])


def action_classes():
    for module in pkgutil.iter_modules(actions.__path__):
        imported = importlib.import_module(f"actions.{module.name}")
        for _, cls in inspect.getmembers(imported, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == imported.__name__:
                yield cls


def test_every_domain_action_has_a_class(domain):
    names = {cls().name() for cls in action_classes()}
    assert set(domain["actions"]) == names


SCENARIOS = [
    make_tracker("肌肉萎缩是什么原因", "ask_causes"),
    make_tracker("渐冻症是怎么回事", "ask_cause_category", entities=[{"entity": "cause_term", "value": "肌萎缩侧索硬化"}]),
    make_tracker("说说这个病", "ask_cause_category"),
    make_tracker("我喘不上气", "red_flag"),
    make_tracker("骨折打了六周石膏", "describe_symptoms", slots={"immobilisation": ["cast"], "complaint": "骨折打了六周石膏"}),
    make_tracker("", "request_summary"),
]


@pytest.mark.parametrize("tracker", SCENARIOS, ids=lambda t: t.latest_message["text"] or "empty")
def test_every_action_turn_ends_with_the_disclaimer(tracker, domain):
    from rasa_sdk.executor import CollectingDispatcher

    ran = 0
    for cls in action_classes():
        dispatcher = CollectingDispatcher()
        asyncio.run(cls().run(dispatcher, tracker, domain))
        assert_ends_with_disclaimer(turn.finalize(dispatcher.messages, "someone"))
        ran += 1
    assert ran == len(domain["actions"])
