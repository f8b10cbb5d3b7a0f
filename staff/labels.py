"""Chinese names for intents, actions and the interview's questions, read from domain.yml (its `labels:`
section) and knowledge/causes.yml (`questions:` labels, `faq:` keys). No second hand-kept map. The words for
what other processes report to the console (handoff delivery notes) are in staff/texts.yml."""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "domain.yml"
KNOWLEDGE = ROOT / "knowledge" / "causes.yml"
TEXTS = Path(__file__).resolve().parent / "texts.yml"


@lru_cache(maxsize=4)
def _yaml(path: Path) -> Dict[Text, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def _labels(domain: Path, kind: Text) -> Dict[Text, Text]:
    return {str(k): str(v) for k, v in ((_yaml(domain).get("labels") or {}).get(kind) or {}).items()}


def intent_labels(domain: Path = DOMAIN) -> Dict[Text, Text]:
    return _labels(domain, "intents")


def action_labels(domain: Path = DOMAIN) -> Dict[Text, Text]:
    return _labels(domain, "actions")


def question_labels(knowledge: Path = KNOWLEDGE) -> Dict[Text, Text]:
    """Interview slot -> what its question asks about (起病年龄, 家族史 ...)."""
    return {q["fact"]: q["label"] for q in _yaml(knowledge).get("questions") or [] if q.get("label")}


def slot_labels(domain: Path = DOMAIN, knowledge: Path = KNOWLEDGE) -> Dict[Text, Text]:
    """Slots shown to staff: the interview's facts by their question, the others by their domain label."""
    return {**_labels(domain, "slots"), **question_labels(knowledge)}


def faq_keys(knowledge: Path = KNOWLEDGE) -> List[Text]:
    return list((_yaml(knowledge).get("faq") or {}).keys())


def domain_intents(domain: Path = DOMAIN) -> List[Text]:
    return [i if isinstance(i, str) else next(iter(i)) for i in _yaml(domain).get("intents") or []]


def domain_entities(domain: Path = DOMAIN) -> List[Text]:
    return [e if isinstance(e, str) else next(iter(e)) for e in _yaml(domain).get("entities") or []]


def domain_actions(domain: Path = DOMAIN) -> List[Text]:
    """Custom actions, the form and every response: everything a story step or a tracker may name."""
    data = _yaml(domain)
    actions = [a if isinstance(a, str) else next(iter(a)) for a in data.get("actions") or []]
    return actions + list((data.get("forms") or {}).keys()) + list((data.get("responses") or {}).keys())


def trainable_intents(domain: Path = DOMAIN, knowledge: Path = KNOWLEDGE) -> List[Text]:
    """The intents an example can be labelled with: faq as its sub-intents faq/<key>, nlu_fallback left out."""
    found = []
    for intent in domain_intents(domain):
        if intent == "faq":
            found += [f"faq/{key}" for key in faq_keys(knowledge)]
        elif intent != "nlu_fallback":
            found.append(intent)
    return found


def intent_label(name: Optional[Text], domain: Path = DOMAIN) -> Text:
    """`faq/hereditary` -> its own label, else the label of `faq`, else the name itself."""
    name = name or ""
    labels = intent_labels(domain)
    return labels.get(name) or labels.get(name.split("/", 1)[0]) or name


def action_label(name: Optional[Text], domain: Path = DOMAIN) -> Text:
    name = name or ""
    labels = action_labels(domain)
    if name in labels:
        return labels[name]
    if name.startswith("utter_ask_"):
        asked = question_labels().get(name[len("utter_ask_"):])
        if asked:
            return f"问「{asked}」"
    return name


def slot_label(name: Optional[Text]) -> Text:
    name = name or ""
    return slot_labels().get(name) or name


def missing_labels(domain: Path = DOMAIN, knowledge: Path = KNOWLEDGE) -> List[Text]:
    """Intents (faq sub-intents included) and custom actions that have no Chinese label yet."""
    intents = intent_labels(domain)
    actions = action_labels(domain)
    data = _yaml(domain)
    custom = [a if isinstance(a, str) else next(iter(a)) for a in data.get("actions") or []]
    custom += list((data.get("forms") or {}).keys())
    missing = [f"intent {i}" for i in [*domain_intents(domain), *trainable_intents(domain, knowledge)] if i not in intents]
    missing += [f"action {a}" for a in custom if a not in actions]
    return sorted(set(missing))


def handoff_note(note: Any, channel_labels: Optional[Dict[Text, Text]] = None, texts: Path = TEXTS) -> Text:
    """A Rasa process's note on a handoff message it could not deliver ({"code": ..., params}: channels/handoff.py),
    worded for staff; an unknown code or a missing parameter still gives a readable line."""
    data = _yaml(texts)
    notes = data.get("handoff_notes") or {}
    if not isinstance(note, dict):
        return str(note or "")
    params = {str(k): v for k, v in note.items()}
    if params.get("channel") is not None:
        params["channel"] = (channel_labels or {}).get(params["channel"], params["channel"]) or "?"
    if params.get("code") == "wechat_refused":
        refusals = {int(k): v for k, v in (data.get("wechat_refusals") or {}).items()}
        params["hint"] = refusals.get(_int(params.get("errcode"))) or params.get("errmsg") or ""
    template = notes.get(params.get("code")) or notes.get("unknown") or "{code}"
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return notes.get("unknown", "{code}").format(code=params.get("code", ""))


def _int(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
