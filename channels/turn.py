"""One place that makes every bot turn safe to send: never empty, always ending with the disclaimer."""
from typing import Any, Dict, List, Optional, Text

from triage import knowledge

# Shown when a turn produced nothing (action server down, an exception) or failed outright: the words are in
# knowledge/causes.yml (channel_texts.apology), read once when the channel loads (a missing one fails at start-up).
APOLOGY = knowledge.load()["channel_texts"]["apology"]
BUTTON_LINE = knowledge.load()["channel_texts"]["button_line"]
DISCLAIMER_KEY = "disclaimer"


def disclaimer() -> Text:
    return knowledge.disclaimer()


def finalize(messages: Optional[List[Dict[Text, Any]]], recipient_id: Optional[Text] = None) -> List[Dict[Text, Any]]:
    """The turn to send: an apology if it is empty, then the disclaimer as its last message, once.

    The disclaimer travels as its own text message marked {"custom"...} free, so every channel can show it
    as text, and carries `"disclaimer": true` so a widget can style it.
    """
    turn = [m for m in (messages or []) if m and not _is_disclaimer(m)]
    if not any(m.get("text") or m.get("custom") or m.get("image") or m.get("buttons") for m in turn):
        turn = [_text(APOLOGY, recipient_id)]
    return [*turn, {**_text(disclaimer(), recipient_id), DISCLAIMER_KEY: True}]


def _text(text: Text, recipient_id: Optional[Text]) -> Dict[Text, Any]:
    message: Dict[Text, Any] = {"text": text}
    if recipient_id is not None:
        message["recipient_id"] = recipient_id
    return message


def _is_disclaimer(message: Dict[Text, Any]) -> bool:
    return message.get(DISCLAIMER_KEY) is True or (message.get("text") or "").strip() == disclaimer()


def as_plain_text(messages: List[Dict[Text, Any]]) -> Text:
    """A finalized turn as one text, for channels that send text only (buttons numbered)."""
    parts = []
    for message in messages:
        if message.get("text"):
            parts.append(message["text"])
        for i, button in enumerate(message.get("buttons") or [], 1):
            parts.append(BUTTON_LINE.format(number=i, title=button.get("title", "")))
    return "\n".join(parts)
