"""Two measured fixes to Rasa 3.6's per-turn overhead, applied when the model's components are imported.

- RemoteAction._validate_action_result calls jsonschema.validate(), which re-checks the large events schema and
  builds a new validator on every custom-action call: 59 ms of a 96 ms turn in a profile of this bot. The same
  validation with one validator built once gives the same verdict (check_schema runs once).
- Event.resolve_by_type walks every Event subclass (with inspect.isabstract) for each event it deserialises,
  and the tracker store and the action server replies deserialise the whole conversation each turn: 8% of the
  time at 8 conversations. The same first-match lookup, cached by type name.
"""
from functools import lru_cache
from typing import Any, Dict, Text

import jsonschema
from rasa.core.actions import action as rasa_action
from rasa.shared.core import events as rasa_events
from rasa.shared.utils.common import all_subclasses

_NOTE = ". Failed to validate Action server response from API, make sure your response from the Action endpoint is valid."


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Raise jsonschema.ValidationError for a malformed action-server reply, as Rasa does; else True."""
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


def apply() -> None:
    rasa_action.RemoteAction._validate_action_result = validate_action_result
    rasa_events.Event.resolve_by_type = staticmethod(resolve_by_type)
