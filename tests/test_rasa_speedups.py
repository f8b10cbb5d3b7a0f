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
