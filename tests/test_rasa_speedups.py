"""The cached action-result validator gives Rasa's verdicts."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (applies the speed-up)
from components import rasa_speedups


def test_the_patch_is_applied():
    assert RemoteAction._validate_action_result is rasa_speedups.validate_action_result


def test_a_valid_reply_passes():
    reply = {"events": [{"event": "slot", "name": "asked", "value": ["onset_age"]}], "responses": [{"response": "utter_greet"}]}
    assert rasa_speedups.validate_action_result(None, reply)


@pytest.mark.parametrize("reply", [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"responses": [1]}])
def test_a_malformed_reply_is_refused_like_rasa_does(reply):
    with pytest.raises(jsonschema.ValidationError):
        rasa_speedups.validate_action_result(None, reply)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())


def test_event_lookup_gives_rasas_classes():
    from rasa.shared.core import events

    assert events.Event.resolve_by_type("slot") is events.SlotSet
    assert events.Event.resolve_by_type("user") is events.UserUttered
    assert events.Event.resolve_by_type("active_loop") is events.ActiveLoop
    assert events.Event.resolve_by_type("nonsense", default=events.SlotSet) is events.SlotSet
    with pytest.raises(ValueError):
        events.Event.resolve_by_type("nonsense")
    restored = events.Event.from_parameters({"event": "slot", "name": "asked", "value": ["onset_age"]})
    assert restored == events.SlotSet("asked", ["onset_age"])


REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "asked", "value": None, "timestamp": None}]},
    {"events": [{"event": "slot", "name": "asked"}]},  # no value
    {"events": [{"event": "slot", "value": 1}]},  # no name
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "action_x"}]},
    {"events": [{"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet", "confidence": "high"}}}]},
    {"events": [{"event": "user", "text": 3}]},
    {"events": [{"event": "bot", "text": "好", "metadata": "not an object"}]},
    {"events": [{"event": "entities", "entities": [{"entity": "cause_term", "value": "渐冻症"}]}]},
    {"events": [{"event": "entities", "entities": [{"entity": "cause_term"}]}]},
    {"events": [{"event": 7}]},
    {"events": [{"name": "asked", "value": 1}]},  # no event name
    {"events": ["slot"]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "yesterday"}]},
    {"events": [{"event": "session_started"}, {"event": "action", "name": "action_listen", "confidence": "x"}]},
    {"responses": [{"response": "utter_greet"}], "extra": True},
    [],
    "not an object",
]


@pytest.mark.parametrize("reply", REPLIES)
def test_per_event_validation_gives_the_full_schemas_verdict(reply):
    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
        valid = True
    except jsonschema.ValidationError:
        valid = False
    assert rasa_speedups._valid_per_event(reply) is valid
    if valid:
        assert rasa_speedups.validate_action_result(None, reply)
    else:
        with pytest.raises(jsonschema.ValidationError):
            rasa_speedups.validate_action_result(None, reply)


def test_one_branch_per_event_name_in_rasas_schema():
    assert rasa_speedups._per_event_validators() is not None  # else the fast path is silently off


def test_the_graph_runs_without_dask_and_gives_the_same_results():
    """The loaded model's NLU and policy graphs give the same outputs as through dask's scheduler."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    from components.intent_classifier import SparseIntentClassifier
    from tests.conftest import MODEL

    assert DaskGraphRunner.run is rasa_speedups.run_graph
    agent = Agent.load(str(MODEL))
    runner, metadata = agent.processor.graph_runner, agent.processor.model_metadata
    texts = ("你好", "肌肉萎缩会遗传吗", "我最近两条腿没劲,上楼梯很费劲", "突然说话不清楚", "今天天气怎么样", "")
    for text in texts:
        outputs = []
        for run in (rasa_speedups.run_graph, rasa_speedups._dask_run):
            tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen")], agent.domain.slots)
            nlu = run(runner, inputs={"__message__": [UserMessage(text)], "__tracker__": tracker},
                      targets=[metadata.nlu_target])
            parse = nlu[metadata.nlu_target][0].as_dict(only_output_properties=True)
            tracker.update(UserUttered(text, parse))
            core = run(runner, inputs={"__tracker__": tracker}, targets=[metadata.core_target])
            prediction = core[metadata.core_target]
            parse.pop("message_id", None)
            outputs.append((parse, prediction.probabilities, prediction.policy_name, prediction.events))
        assert outputs[0] == outputs[1], text
        # The classifier's own feature matrix is Rasa's.
        featurized = nlu[metadata.nlu_target]
        (classifier,) = [n._component for n in runner._instantiated_nodes.values()
                         if type(getattr(n, "_component", None)) is SparseIntentClassifier]
        ours_x = classifier._create_X(featurized)
        rasas_x = LogisticRegressionClassifier._create_X(classifier, featurized)
        assert ours_x.shape == rasas_x.shape and (ours_x != rasas_x).nnz == 0


def test_action_calls_carry_the_current_turn_when_the_endpoint_says_so():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    domain = Domain.from_dict({"slots": {"asked": {"type": "any", "mappings": [{"type": "custom"}]}}})
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("我腿没劲", {"name": "describe_symptoms", "confidence": 0.9}),
              ActionExecuted("action_begin_interview"), SlotSet("asked", ["onset_age"]), ActionExecuted("action_listen"),
              UserUttered("成年后", {"name": "inform", "confidence": 0.8}), ActionExecuted("interview_form")]
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)
    plain = RemoteAction("validate_interview_form", EndpointConfig("http://x")).\
        _action_call_format(tracker, domain)
    trimmed = RemoteAction("validate_interview_form", EndpointConfig(
        "http://x", send_events="since_latest_user_message", enable_selective_domain=True)).\
        _action_call_format(tracker, domain)
    assert [e["event"] for e in trimmed["tracker"]["events"]] == ["user", "action"]
    assert len(plain["tracker"]["events"]) == len(events) and "domain" in plain and "domain" not in trimmed
    assert {k: v for k, v in trimmed["tracker"].items() if k != "events"} == \
        {k: v for k, v in plain["tracker"].items() if k != "events"}
    assert trimmed["tracker"]["slots"]["asked"] == ["onset_age"]


async def test_a_queued_message_gets_the_lock_soon_after_it_is_released():
    import asyncio
    import time

    from rasa.core.lock_store import InMemoryLockStore

    store = InMemoryLockStore()
    released = {}

    async def first():
        async with store.lock("c"):
            await asyncio.sleep(0.2)
        released["at"] = time.perf_counter()

    async def second():
        await asyncio.sleep(0.02)
        async with store.lock("c"):
            return time.perf_counter()

    _, acquired = await asyncio.gather(first(), second())
    assert 0 <= acquired - released["at"] < 0.3  # Rasa's one-second poll made it up to 1 s


@pytest.mark.parametrize("path", ["endpoints.yml", "deploy/endpoints.env.yml", "deploy/endpoints.prod.yml"])
def test_every_endpoints_file_sends_the_action_server_what_the_bench_measured(path):
    """No domain and only the current turn's events in action calls, locally, in the tests and in production."""
    import yaml

    from tests.servers import ROOT

    action = yaml.safe_load((ROOT / path).read_text())["action_endpoint"]
    assert action["enable_selective_domain"] is True
    assert action[rasa_speedups.SEND_EVENTS_KEY] == rasa_speedups.SINCE_LATEST_USER_MESSAGE
