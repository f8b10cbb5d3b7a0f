"""Loads knowledge/causes.yml, the single file of medical facts, and answers lookups on it."""
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Text

import yaml

import settings

CATEGORY_IDS = ("genetic", "neurogenic", "myopathic", "disuse", "nutritional")


@lru_cache(maxsize=4)
def load(path: Optional[Text] = None) -> Dict[Text, Any]:
    """The parsed knowledge file (cached); raises ValueError when it is incomplete."""
    data = yaml.safe_load(Path(path or settings.KNOWLEDGE_PATH).read_text(encoding="utf-8"))
    validate(data)
    return data


def validate(data: Dict[Text, Any]) -> None:
    """Fail loudly at start-up rather than answer from a broken knowledge file."""
    required = ("disclaimer", "overview", "categories", "care", "faq", "red_flags", "signals", "questions", "departments", "texts")
    for key in required:
        if not data.get(key):
            raise ValueError(f"knowledge file lacks '{key}'")
    ids = [c["id"] for c in data["categories"]]
    if tuple(ids) != CATEGORY_IDS:
        raise ValueError(f"categories must be {CATEGORY_IDS}, got {ids}")
    fields = ("name", "mechanism", "examples", "signs", "treatment", "department", "terms")
    for category in data["categories"]:
        missing = [f for f in fields if not category.get(f)]
        if missing:
            raise ValueError(f"category {category['id']} lacks {missing}")
    context = data.get("context_signals") or {}
    clash = set(context) & set(data["signals"])
    if clash:
        raise ValueError(f"context_signals repeat signal ids {sorted(clash)}")
    facts = {q["fact"] for q in data["questions"]}
    for signal_id, signal in {**data["signals"], **context}.items():
        unknown = set(signal.get("weights", {})) - set(CATEGORY_IDS)
        if unknown or not signal.get("patterns") or not signal.get("label") or signal.get("fact") not in facts:
            raise ValueError(f"signal {signal_id} is incomplete, names unknown categories {unknown} or an unknown fact")
    for flag_id, weights in (data.get("red_flag_weights") or {}).items():
        unknown = set(weights.get("weights", {})) - set(CATEGORY_IDS)
        if unknown or not weights.get("label"):
            raise ValueError(f"red_flag_weights {flag_id} lacks a label or names unknown categories {unknown}")


def disclaimer() -> Text:
    return load()["disclaimer"]


def categories() -> List[Dict[Text, Any]]:
    return load()["categories"]


def category(category_id: Text) -> Dict[Text, Any]:
    return next(c for c in categories() if c["id"] == category_id)


def term_index() -> Dict[Text, Text]:
    """Every name a patient may use (lower-cased) -> its canonical term."""
    index = {}
    for cat in categories():
        for canonical, variants in cat["terms"].items():
            for variant in [canonical, *variants]:
                index[str(variant).lower()] = canonical
    return index


def category_for_term(term: Optional[Text]) -> Optional[Text]:
    """Category id for a canonical term, a category id, a category name or any known variant."""
    if not term:
        return None
    term = str(term).strip().lower()
    for cat in categories():
        if term in (cat["id"], cat["name"].lower()):
            return cat["id"]
        for canonical, variants in cat["terms"].items():
            if term in {canonical.lower(), *(str(v).lower() for v in variants)}:
                return cat["id"]
    return None


def canonical_term(term: Text) -> Optional[Text]:
    return term_index().get(str(term).strip().lower())


def care_paragraphs(topic: Optional[Text]) -> List[Text]:
    """Care advice paragraphs for a care topic (exercise, diet, family, mindset) or all of them."""
    care = load()["care"]
    topic_id = care_topic_id(topic) or "all"
    return [care[key] for key in care["topics"][topic_id]]


def care_topic_id(term: Optional[Text]) -> Optional[Text]:
    if not term:
        return None
    care = load()["care"]
    if term in care["topics"]:
        return term
    for topic_id, words in care["topic_terms"].items():
        if term in words:
            return topic_id
    return None


def faq_answer(key: Text) -> Optional[Text]:
    return load()["faq"].get(key)


def faq_fits(key: Text, text: Optional[Text]) -> bool:
    """Whether the message names what the answer `key` is about (`faq_anchors`); keys without an anchor fit any."""
    anchor = (load().get("faq_anchors") or {}).get(key)
    return not anchor or bool(re.search(anchor, text or ""))


def signals() -> Dict[Text, Dict[Text, Any]]:
    """Every interview signal: the symptom signals, then the chronic conditions and context (added)."""
    return _all_signals(load())


def _all_signals(data: Dict[Text, Any]) -> Dict[Text, Dict[Text, Any]]:
    # Per message: merge once per loaded file (the cache holds the file's dict itself, not its id).
    if _SIGNALS_CACHE.get("data") is not data:
        _SIGNALS_CACHE.update(data=data, value={**data["signals"], **(data.get("context_signals") or {})})
    return _SIGNALS_CACHE["value"]


_SIGNALS_CACHE: Dict[Text, Any] = {}


def questions() -> List[Dict[Text, Any]]:
    return load()["questions"]


def scoring() -> Dict[Text, Any]:
    return load()["scoring"]


def category_department(category_id: Text, signal_ids: Iterable[Text] = ()) -> Text:
    """A category's department in a result: its `department_result` with the notes whose signals were said
    (`department` in full when the category has no such split)."""
    item = category(category_id)
    if not item.get("department_result"):
        return item["department"]
    said = set(signal_ids)
    notes = [note["text"] for note in item.get("department_notes") or [] if said & set(note["signals"])]
    return item["department_result"] + "".join(notes)


def department(key: Text) -> Text:
    """A department named outside the categories: the emergency one, the one for unclear cases."""
    return load()["departments"][key]


def text(key: Text) -> Text:
    """A short line template or word used to assemble replies (section `texts`)."""
    return load()["texts"][key]


def red_flag_weights() -> Dict[Text, Dict[Text, Any]]:
    """What each red flag says about the five categories (added), for the emergency's ranking."""
    return load().get("red_flag_weights") or {}
