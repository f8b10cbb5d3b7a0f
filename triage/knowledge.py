"""Loads knowledge/causes.yml, the single file of medical facts, and answers lookups on it."""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

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
    for key in ("disclaimer", "overview", "categories", "care", "faq", "red_flags", "signals", "questions"):
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
    for signal_id, signal in data["signals"].items():
        unknown = set(signal.get("weights", {})) - set(CATEGORY_IDS)
        if unknown or not signal.get("patterns") or not signal.get("label") or not signal.get("fact"):
            raise ValueError(f"signal {signal_id} is incomplete or names unknown categories {unknown}")


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


def signals() -> Dict[Text, Dict[Text, Any]]:
    return load()["signals"]


def questions() -> List[Dict[Text, Any]]:
    return load()["questions"]


def scoring() -> Dict[Text, Any]:
    return load()["scoring"]
