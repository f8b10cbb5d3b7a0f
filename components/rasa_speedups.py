"""Measured fixes to Rasa 3.6's per-turn overhead, applied when the model's components are imported.

- RemoteAction._validate_action_result calls jsonschema.validate(), which re-checks the large events schema and
  builds a new validator on every custom-action call: 59 ms of a 96 ms turn in a profile of this bot. The same
  validation with one validator built once gives the same verdict (check_schema runs once). Each event is
  then checked against the one schema its `event` name selects instead of all 23 of the `oneOf` (the others
  all fail on the name): the same verdict again, 5% of the Rasa process at 8 conversations before.
- RemoteAction sends the whole conversation's events to the action server with every call, and both servers
  encode and parse them (a tenth of each process at 8 conversations). With `send_events:
  since_latest_user_message` on the action endpoint (endpoints.yml), a call carries the events from the
  latest user message on, with the same slots, latest message and active loop: enough for actions that read
  only the current turn (ours). Without that key Rasa's behaviour is unchanged.
- LockStore.lock polls for a busy conversation's lock once a second, so a message arriving while the
  previous one of its conversation is being answered (a double tap, a WeChat retry) waited up to a second
  more than needed: it polls every LOCK_POLL_SECONDS instead.
- DaskGraphRunner runs the NLU pipeline and each policy prediction through dask's scheduler, which costs a
  quarter as much as the components themselves (5% of the process). At inference the graph is a handful of
  nodes run one after the other anyway: they are run in dependency order directly, same inputs, same outputs.
- Event.resolve_by_type walks every Event subclass (with inspect.isabstract) for each event it deserialises,
  and the tracker store and the action server replies deserialise the whole conversation each turn: 8% of the
  time at 8 conversations. The same first-match lookup, cached by type name.
"""
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

import jsonschema
import rasa
from rasa.core.actions import action as rasa_action
from rasa.core.lock_store import LOCK_LIFETIME, LockStore
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core import events as rasa_events
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.utils.common import all_subclasses

_NOTE = ". Failed to validate Action server response from API, make sure your response from the Action endpoint is valid."


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _per_event_validators() -> Optional[Tuple[Any, Dict[Text, Any]]]:
    """The reply schema without its events' `oneOf`, and one validator per event name; None if Rasa's schema
    stops having exactly one `oneOf` branch per event name (then only the full validator is used)."""
    schema = rasa_action.RemoteAction.action_response_format_spec()
    event_schema = schema["properties"]["events"]["items"]
    cls = jsonschema.validators.validator_for(schema)
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    by_name: Dict[Text, Any] = {}
    for branch in event_schema.get("oneOf", []):
        name = branch.get("properties", {}).get("event", {}).get("const")
        if not isinstance(name, str) or name in by_name:
            return None
        by_name[name] = cls({"allOf": [common, branch]})
    reply = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    return cls(reply), by_name


def _valid_per_event(result: Any) -> bool:
    validators = _per_event_validators()
    if validators is None:
        return False
    reply, by_name = validators
    if not reply.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        if not isinstance(name, str) or name not in by_name or not by_name[name].is_valid(event):
            return False
    return True


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Raise jsonschema.ValidationError for a malformed action-server reply, as Rasa does; else True."""
    if _valid_per_event(result):
        return True
    error = jsonschema.exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += _NOTE
        raise error
    return True


_original_resolve_by_type = rasa_events.Event.resolve_by_type
_event_classes: Dict[Text, Any] = {}


def resolve_by_type(type_name: Text, default: Any = None) -> Any:
    """Rasa's Event.resolve_by_type, with the subclass walk done once (again only for an unknown name)."""
    if type_name not in _event_classes:
        for cls in all_subclasses(rasa_events.Event):
            _event_classes.setdefault(cls.type_name, cls)
    if type_name in _event_classes:
        return _event_classes[type_name]
    return _original_resolve_by_type(type_name, default)


SEND_EVENTS_KEY = "send_events"
SINCE_LATEST_USER_MESSAGE = "since_latest_user_message"
_original_action_call_format = rasa_action.RemoteAction._action_call_format


def action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """RemoteAction._action_call_format, sending only the current turn's events when the endpoint says so."""
    endpoint = self.action_endpoint
    if endpoint is None or endpoint.kwargs.get(SEND_EVENTS_KEY) != SINCE_LATEST_USER_MESSAGE:
        return _original_action_call_format(self, tracker, domain)
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in since_latest_user_message(list(tracker.events))]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
              "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


def since_latest_user_message(events: List[Any]) -> List[Any]:
    """The events from the latest user message on (all of them if there is none)."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], rasa_events.UserUttered):
            return events[index:]
    return events


LOCK_POLL_SECONDS = 0.05
_original_lock = LockStore.lock


def lock(self: LockStore, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
         wait_time_in_seconds: float = LOCK_POLL_SECONDS) -> Any:
    """LockStore.lock with a shorter default wait between attempts (Rasa's callers pass none)."""
    return _original_lock(self, conversation_id, lock_lifetime, wait_time_in_seconds)


_dask_run = DaskGraphRunner.run


def run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
              targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """DaskGraphRunner.run without dask for a loaded model (training keeps dask's scheduler).

    Like dask's synchronous scheduler: every node of the minimal graph runs once, after the nodes it needs;
    an input is passed as (name, value); a need that is neither a node nor an input is passed as its name.
    """
    if self._execution_context.model_id is None:
        return _dask_run(self, inputs, targets)
    run_targets = targets if targets else self._graph_schema.target_names
    schema = self._graph_schema.minimal_graph_schema(run_targets)
    values: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and (value in schema.nodes or value in values):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed "
                f"to the `run` method are the same as node names in the graph schema."
            )
        values[name] = (name, value)

    def compute(name: Text) -> Any:
        if name not in values:
            needs = schema.nodes[name].needs.values()
            args = [compute(n) if n in values or n in schema.nodes else n for n in needs]
            values[name] = self._instantiated_nodes[name](*args)
        return values[name]

    try:
        return dict(compute(target) for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


def apply() -> None:
    rasa_action.RemoteAction._validate_action_result = validate_action_result
    rasa_events.Event.resolve_by_type = staticmethod(resolve_by_type)
    rasa_action.RemoteAction._action_call_format = action_call_format
    LockStore.lock = lock
    DaskGraphRunner.run = run_graph
