"""A finalized bot turn as WeChat text: numbered buttons, the triage result as lines, passive-reply-sized parts."""
import re
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Text, Tuple

from triage import knowledge

# A passive text reply holds about 2048 bytes of UTF-8; longer turns are split at line boundaries.
PASSIVE_MAX_BYTES = 2048
# Characters XML 1.0 cannot carry; a reply containing one would not parse on WeChat's side.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBER = re.compile(r"[0-9]{1,2}")

CHANNEL_TEXT_KEYS = (
    "wechat_unsupported", "button_hint", "button_line", "triage_title", "triage_urgency", "triage_department",
    "triage_causes", "triage_cause_line", "triage_reasons", "triage_reason_separator", "triage_red_flags",
    "rate_limited",
)


def channel_texts() -> Dict[Text, Text]:
    """The Chinese words this channel adds (knowledge/causes.yml, channel_texts)."""
    texts = knowledge.load().get("channel_texts") or {}
    missing = [key for key in CHANNEL_TEXT_KEYS if not texts.get(key)]
    if missing:
        raise ValueError(f"knowledge file lacks channel_texts {missing}")
    return texts


def clean_text(text: Text) -> Text:
    """Text that survives a CDATA section: no XML-invalid characters and no ']]>'."""
    return _XML_INVALID.sub("", text).replace("]]>", "]] >")


def render_triage_result(payload: Mapping[Text, Any]) -> Text:
    """The triage_result payload (actions/scoring.py payload()) as a few readable lines."""
    texts = channel_texts()
    urgency = knowledge.load()["urgency"].get(payload.get("urgency"), payload.get("urgency") or "")
    lines = [texts["triage_title"], texts["triage_urgency"].format(urgency=urgency)]
    if payload.get("department"):
        lines.append(texts["triage_department"].format(department=payload["department"]))
    causes = [c for c in payload.get("causes") or [] if (c.get("score") or 0) > 0][:3]
    if causes:
        lines.append(texts["triage_causes"])
        for rank, cause in enumerate(causes, 1):
            reasons = texts["triage_reason_separator"].join(cause.get("reasons") or [])
            lines.append(
                texts["triage_cause_line"].format(
                    rank=rank,
                    name=cause.get("name", ""),
                    percent=round((cause.get("score") or 0) * 100),
                    reasons=texts["triage_reasons"].format(reasons=reasons) if reasons else "",
                )
            )
    flag_reasons = [r for r in payload.get("red_flag_reasons") or [] if r]
    if flag_reasons:
        lines.append(texts["triage_red_flags"].format(reasons=texts["triage_reason_separator"].join(flag_reasons)))
    return "\n".join(lines)


def render_turn(messages: List[Dict[Text, Any]]) -> Tuple[Text, List[Text]]:
    """A finalized turn as one WeChat text, and the payloads of its buttons in the order they are numbered."""
    texts = channel_texts()
    blocks: List[Text] = []
    payloads: List[Text] = []
    for message in messages:
        lines = []
        if message.get("text"):
            lines.append(message["text"])
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "triage_result":
            lines.append(render_triage_result(custom))
        buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
        for button in buttons:
            payloads.append(button.get("payload") or button.get("title") or "")
            lines.append(texts["button_line"].format(number=len(payloads), title=button.get("title", "")))
        if buttons:
            lines.append(texts["button_hint"])
        if lines:
            blocks.append("\n".join(lines))
    return clean_text("\n\n".join(blocks)), payloads


def _cut(line: Text, limit: int) -> List[Text]:
    """A line longer than `limit` bytes cut at character boundaries."""
    pieces = []
    while len(line.encode("utf-8")) > limit:
        piece = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        pieces.append(piece)
        line = line[len(piece):]
    return [*pieces, line]


def split_text(text: Text, limit: int = PASSIVE_MAX_BYTES) -> List[Text]:
    """Parts of at most `limit` UTF-8 bytes, cut at line boundaries (inside a line only if it alone is too long).

    The text ends with the disclaimer line, so the last part does too.
    """
    parts: List[Text] = []
    current: Optional[Text] = None
    for line in text.split("\n"):
        for piece in _cut(line, limit):
            candidate = piece if current is None else f"{current}\n{piece}"
            if len(candidate.encode("utf-8")) <= limit:
                current = candidate
            else:
                parts.append(current or "")
                current = piece
    parts.append(current or "")
    return [p for p in (part.strip("\n") for part in parts) if p.strip()] or [""]


def button_choice(text: Text, payloads: List[Text]) -> Optional[Text]:
    """The payload of the numbered option a reply like "2", "２" or "2." picks, if it picks one."""
    choice = unicodedata.normalize("NFKC", text).strip().rstrip(".、。)")
    if _NUMBER.fullmatch(choice) and 1 <= int(choice) <= len(payloads):
        return payloads[int(choice) - 1]
    return None
