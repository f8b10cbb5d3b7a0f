"""Reading conversations from Rasa's SQL tracker store (the `events` table), read only.

Everything after the query is plain functions over event dicts, unit-tested without a database:
summarize() for the list, turns() for a conversation page, inbox_candidates() for the NLU inbox,
overview() for the charts.
"""
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import sqlalchemy as sa

# Events worth reading; action_listen, featurization and the like carry nothing staff look at.
READ_TYPES = ("user", "bot", "action", "slot", "active_loop", "session_started", "restart")
HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start", "action_extract_slots"})
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"utter_fallback", "action_default_fallback"})
OUTCOME_LABELS = {
    "emergency": "急症(120)",
    "result": "分诊结果",
    "stopped": "中途停止",
    "fallback": "最后没听懂",
    "answer": "问答",
}
URGENCY_LABELS = {"emergency": "紧急", "urgent": "尽快就诊", "routine": "择期就诊", "self_care": "自我护理"}
CHANNEL_LABELS = {"rest": "REST", "socketio": "网页", "wechat": "微信公众号", "wecom": "企业微信", "console": "控制台"}
# Conversations started from the console's "talk to the bot" pane carry this sender prefix; the REST channel
# stores them under its own prefix (settings.REST_SENDER_PREFIX, "rest:").
CONSOLE_PREFIX = "console-"


def is_console(sender: Text) -> bool:
    import settings

    return sender.startswith(CONSOLE_PREFIX) or sender.startswith(settings.REST_SENDER_PREFIX + CONSOLE_PREFIX)


class TrackerReader:
    """Read-only access to the tracker store's events table."""

    def __init__(self, url: Any) -> None:
        self.engine = sa.create_engine(url, future=True)

    def _has_events(self, conn: Any) -> bool:
        return sa.inspect(conn).has_table("events")

    def events(self, since: Optional[float] = None, senders: Optional[Sequence[Text]] = None) -> Dict[Text, List[Dict[Text, Any]]]:
        """sender -> its events (oldest first), each with its row id as `_id`."""
        query = "SELECT id, sender_id, data FROM events WHERE type_name IN :types"
        params: Dict[Text, Any] = {"types": READ_TYPES}
        if since is not None:
            query += " AND timestamp >= :since"
            params["since"] = since
        if senders is not None:
            query += " AND sender_id IN :senders"
            params["senders"] = tuple(senders) or ("",)
        statement = sa.text(query + " ORDER BY id").bindparams(
            sa.bindparam("types", expanding=True),
            *([sa.bindparam("senders", expanding=True)] if senders is not None else []),
        )
        found: Dict[Text, List[Dict[Text, Any]]] = {}
        with self.engine.connect() as conn:
            if not self._has_events(conn):
                return {}
            for row_id, sender, data in conn.execute(statement, params):
                event = json.loads(data)
                event["_id"] = row_id
                found.setdefault(sender, []).append(event)
        return found

    def conversation(self, sender: Text) -> List[Dict[Text, Any]]:
        return self.events(senders=[sender]).get(sender, [])


# ---------------------------------------------------------------- one user message

def is_payload(text: Optional[Text]) -> bool:
    """A button payload such as /describe_symptoms: the patient clicked, the NLU did not guess."""
    return bool(text) and text.startswith("/")


def intent_of(event: Dict[Text, Any]) -> Tuple[Text, float]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return intent.get("name") or "", float(intent.get("confidence") or 0.0)


def suggested_intent(event: Dict[Text, Any]) -> Text:
    """The best guess that is not the fallback: what the classifier ranked first before giving up."""
    parse = event.get("parse_data") or {}
    name, _ = intent_of(event)
    if name != FALLBACK_INTENT:
        return _with_faq_key(parse, name)
    for ranked in parse.get("intent_ranking") or []:
        if ranked.get("name") and ranked["name"] != FALLBACK_INTENT:
            return _with_faq_key(parse, ranked["name"])
    return ""


def _with_faq_key(parse: Dict[Text, Any], name: Text) -> Text:
    key = (((parse.get("response_selector") or {}).get(name) or {}).get("response") or {}).get("intent_response_key")
    return key or name


def message_key(sender: Text, event: Dict[Text, Any]) -> Text:
    return f"{sender}:{event.get('message_id') or (event.get('parse_data') or {}).get('message_id') or event.get('_id')}"


# ---------------------------------------------------------------- a conversation as turns

@dataclass
class Turn:
    """One user message and everything the bot did until the next one."""

    user: Optional[Dict[Text, Any]] = None
    bot: List[Dict[Text, Any]] = field(default_factory=list)
    actions: List[Text] = field(default_factory=list)
    slots: Dict[Text, Any] = field(default_factory=dict)  # slots set during this turn
    asked: Optional[Text] = None  # requested_slot after the turn
    triage_result: Optional[Dict[Text, Any]] = None
    result_slots: Optional[Dict[Text, Any]] = None  # every slot when a result was given
    at: float = 0.0
    fallback: bool = False


def turns(events: Sequence[Dict[Text, Any]]) -> List[Turn]:
    """The conversation as the patient lived it: user messages with what the NLU made of them, bot replies
    as sent (buttons and the triage card included), actions, slot changes and the question asked next."""
    found: List[Turn] = [Turn()]
    slots: Dict[Text, Any] = {}
    for event in events:
        kind = event.get("event")
        current = found[-1]
        if kind == "user":
            name, confidence = intent_of(event)
            text = event.get("text") or ""
            parse = event.get("parse_data") or {}
            found.append(Turn(
                user={
                    "text": text,
                    "intent": _with_faq_key(parse, name) if name else "",
                    "confidence": confidence,
                    "entities": [
                        {"entity": e.get("entity"), "value": e.get("value"), "text": text[e["start"]:e["end"]] if isinstance(e.get("start"), int) else e.get("value")}
                        for e in parse.get("entities") or []
                    ],
                    "payload": is_payload(text),
                    "channel": event.get("input_channel") or "",
                    "key": event.get("message_id") or parse.get("message_id") or str(event.get("_id")),
                },
                at=float(event.get("timestamp") or 0),
                fallback=name == FALLBACK_INTENT,
            ))
        elif kind == "bot":
            data = event.get("data") or {}
            message = {"text": event.get("text"), "buttons": data.get("buttons") or data.get("quick_replies") or [], "custom": data.get("custom")}
            current.bot.append(message)
            custom = data.get("custom")
            if isinstance(custom, dict) and custom.get("type") == "triage_result":
                current.triage_result = custom
                current.result_slots = {k: v for k, v in slots.items() if v is not None}
        elif kind == "action" and event.get("name") not in HIDDEN_ACTIONS:
            current.actions.append(event.get("name") or "")
            if event.get("name") in FALLBACK_ACTIONS:
                current.fallback = True
        elif kind == "slot":
            slots[event.get("name")] = event.get("value")
            if event.get("name") == "requested_slot":
                current.asked = event.get("value")
            else:
                current.slots[event.get("name")] = event.get("value")
        elif kind in ("session_started", "restart"):
            slots = {}
    return [t for t in found if t.user or t.bot or t.actions]


# ---------------------------------------------------------------- the list

@dataclass
class Summary:
    sender: Text
    started: float
    ended: float
    channel: Text
    turns: int
    outcome: Text
    urgency: Optional[Text]
    fallbacks: int
    min_confidence: Optional[float]
    feedback: Optional[Text]
    text: Text  # every user and bot text, for the search

    @property
    def console(self) -> bool:
        return is_console(self.sender)


def summarize(sender: Text, events: Sequence[Dict[Text, Any]]) -> Optional[Summary]:
    """One line of the conversation list; None for a conversation in which the user said nothing."""
    users = [e for e in events if e.get("event") == "user"]
    if not users:
        return None
    all_turns = turns(events)
    user_turns = [t for t in all_turns if t.user]
    actions = {a for t in all_turns for a in t.actions}
    results = [t.triage_result for t in all_turns if t.triage_result]
    if "action_emergency" in actions or any(r.get("urgency") == "emergency" for r in results):
        outcome = "emergency"
    elif "action_triage_result" in actions or results:
        outcome = "result"
    elif "action_stop_interview" in actions:
        outcome = "stopped"
    elif user_turns[-1].fallback:
        outcome = "fallback"
    else:
        outcome = "answer"
    confidences = [t.user["confidence"] for t in user_turns if not t.user["payload"]]
    feedback = None
    for e in events:
        if e.get("event") == "slot" and e.get("name") == "feedback":
            feedback = e.get("value")
    texts = [t.user["text"] for t in user_turns] + [m.get("text") or "" for t in all_turns for m in t.bot]
    channel = next((e.get("input_channel") for e in users if e.get("input_channel")), "") or ""
    if is_console(sender):
        channel = "console"
    return Summary(
        sender=sender,
        started=float(events[0].get("timestamp") or 0),
        ended=float(events[-1].get("timestamp") or 0),
        channel=channel,
        turns=len(user_turns),
        outcome=outcome,
        urgency=results[-1].get("urgency") if results else None,
        fallbacks=sum(1 for t in user_turns if t.fallback),
        min_confidence=min(confidences) if confidences else None,
        feedback=feedback,
        text="\n".join(texts),
    )


@dataclass
class Filters:
    emergency: bool = False
    fallback: bool = False
    low_confidence: bool = False
    channel: Text = ""
    date_from: Text = ""  # YYYY-MM-DD
    date_to: Text = ""
    q: Text = ""

    @classmethod
    def from_query(cls, query: Dict[Text, Text]) -> "Filters":
        return cls(
            emergency=query.get("emergency") == "1",
            fallback=query.get("fallback") == "1",
            low_confidence=query.get("low") == "1",
            channel=(query.get("channel") or "").strip(),
            date_from=(query.get("from") or "").strip(),
            date_to=(query.get("to") or "").strip(),
            q=(query.get("q") or "").strip(),
        )

    def since(self) -> Optional[float]:
        return _day_start(self.date_from)


def _day_start(day: Text) -> Optional[float]:
    try:
        return datetime.strptime(day, "%Y-%m-%d").timestamp() if day else None
    except ValueError:
        return None


def matches(summary: Summary, f: Filters, low_confidence: float) -> bool:
    if f.emergency and summary.outcome != "emergency":
        return False
    if f.fallback and not summary.fallbacks:
        return False
    if f.low_confidence and not (summary.min_confidence is not None and summary.min_confidence < low_confidence):
        return False
    if f.channel and summary.channel != f.channel:
        return False
    start = _day_start(f.date_from)
    if start is not None and summary.ended < start:
        return False
    end = _day_start(f.date_to)
    if end is not None and summary.started >= end + 86400:
        return False
    if f.q and f.q.lower() not in summary.text.lower() and f.q != summary.sender:
        return False
    return True


def summaries(by_sender: Dict[Text, List[Dict[Text, Any]]]) -> List[Summary]:
    """Every conversation, newest first."""
    found = [s for s in (summarize(sender, events) for sender, events in by_sender.items()) if s]
    return sorted(found, key=lambda s: s.ended, reverse=True)


# ---------------------------------------------------------------- the NLU inbox

@dataclass
class InboxItem:
    key: Text
    sender: Text
    text: Text
    intent: Text
    confidence: float
    suggested: Text
    entities: List[Dict[Text, Any]]
    at: float


def inbox_candidates(by_sender: Dict[Text, List[Dict[Text, Any]]], threshold: float) -> List[InboxItem]:
    """Typed messages the bot was unsure about (fallback or confidence under `threshold`), newest first."""
    found = []
    for sender, events in by_sender.items():
        for event in events:
            if event.get("event") != "user" or is_payload(event.get("text")) or not (event.get("text") or "").strip():
                continue
            name, confidence = intent_of(event)
            if name == FALLBACK_INTENT or confidence < threshold:
                found.append(InboxItem(
                    key=message_key(sender, event), sender=sender, text=event.get("text") or "",
                    intent=name, confidence=confidence, suggested=suggested_intent(event),
                    entities=(event.get("parse_data") or {}).get("entities") or [],
                    at=float(event.get("timestamp") or 0),
                ))
    return sorted(found, key=lambda i: i.at, reverse=True)


# ---------------------------------------------------------------- the overview

def overview(items: Sequence[Summary], by_sender: Dict[Text, List[Dict[Text, Any]]], threshold: float, days: int = 14,
             now: Optional[float] = None) -> Dict[Text, Any]:
    """Figures for the charts: conversations per day, outcomes, urgency mix, fallback rate, the most
    frequent misunderstood messages, and patient feedback."""
    now = now or time.time()
    today = datetime.fromtimestamp(now).date()
    day_keys = [datetime.fromordinal(today.toordinal() - i).strftime("%Y-%m-%d") for i in range(days - 1, -1, -1)]
    per_day = Counter(datetime.fromtimestamp(s.started).strftime("%Y-%m-%d") for s in items)
    user_turns = fallbacks = 0
    misunderstood: Counter = Counter()
    for events in by_sender.values():
        for event in events:
            if event.get("event") != "user" or is_payload(event.get("text")):
                continue
            user_turns += 1
            name, confidence = intent_of(event)
            if name == FALLBACK_INTENT:
                fallbacks += 1
            if name == FALLBACK_INTENT or confidence < threshold:
                misunderstood[(event.get("text") or "").strip()] += 1
    return {
        "total": len(items),
        "per_day": [(d, per_day.get(d, 0)) for d in day_keys],
        "outcomes": Counter(s.outcome for s in items),
        "urgency": Counter(s.urgency for s in items if s.urgency),
        "user_turns": user_turns,
        "fallbacks": fallbacks,
        "fallback_rate": fallbacks / user_turns if user_turns else 0.0,
        "misunderstood": misunderstood.most_common(10),
        "feedback": Counter(s.feedback for s in items if s.feedback),
    }
