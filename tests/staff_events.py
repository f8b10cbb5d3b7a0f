"""Synthetic tracker-store events for the staff console's tests, shaped as Rasa 3.6 stores them."""
import json
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

T0 = 1_790_000_000.0  # a fixed instant (2026-09-21), so dates in the tests do not depend on today


def user(text: str, intent: str, confidence: float = 0.95, t: float = T0, entities=None, channel: str = "rest",
         ranking: Optional[List[Dict[str, Any]]] = None, message_id: Optional[str] = None) -> Dict[str, Any]:
    return {
        "event": "user", "timestamp": t, "text": text, "input_channel": channel,
        "message_id": message_id or f"m{int(t * 1000)}",
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
                       "text": text, "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]},
    }


def bot(text: Optional[str] = None, t: float = T0, buttons=None, custom=None) -> Dict[str, Any]:
    return {"event": "bot", "timestamp": t, "text": text,
            "data": {"buttons": buttons, "custom": custom, "quick_replies": None}}


def action(name: str, t: float = T0) -> Dict[str, Any]:
    return {"event": "action", "timestamp": t, "name": name}


def slot(name: str, value: Any, t: float = T0) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": t, "name": name, "value": value}


def result(urgency: str = "routine") -> Dict[str, Any]:
    return {"type": "triage_result", "urgency": urgency, "department": "神经内科", "red_flags": [], "red_flag_reasons": [],
            "causes": [{"id": "myopathic", "name": "肌肉疾病", "score": 0.67, "reasons": ["双侧对称"]}]}


def interview(t: float = T0) -> List[Dict[str, Any]]:
    """A short interview that ends with a result and helpful feedback."""
    return [
        action("action_session_start", t), {"event": "session_started", "timestamp": t}, action("action_listen", t),
        user("我最近两条腿没劲", "describe_symptoms", 0.99, t + 1,
             entities=[{"entity": "symptom_term", "value": "没劲", "start": 6, "end": 8}]),
        action("action_begin_interview", t + 1), bot("好的,我来帮您梳理一下。", t + 1), action("interview_form", t + 1),
        slot("requested_slot", "onset_age", t + 1), bot("这种没劲或肌肉变细,大概是从什么年龄开始的?", t + 1,
                                                         buttons=[{"title": "成年后", "payload": "成年后"}]),
        action("action_listen", t + 1),
        user("不知道", "dont_know", 0.99, t + 2), action("interview_form", t + 2), slot("onset_age", ["unknown"], t + 2),
        slot("requested_slot", None, t + 2), {"event": "active_loop", "timestamp": t + 2, "name": None},
        action("action_triage_result", t + 2), bot("根据您描述的情况……", t + 2), bot(None, t + 2, custom=result()),
        bot("这个结果对您有帮助吗?", t + 2, buttons=[{"title": "有帮助", "payload": '/feedback{"helpful": "yes"}'}]),
        slot("interview_done", True, t + 2), action("action_listen", t + 2),
        user('/feedback{"helpful": "yes"}', "feedback", 1.0, t + 3, entities=[{"entity": "helpful", "value": "yes"}]),
        action("action_store_feedback", t + 3), bot("谢谢您的反馈", t + 3), slot("feedback", "yes", t + 3),
    ]


def emergency(t: float = T0) -> List[Dict[str, Any]]:
    return [
        user("我爸突然说话不清楚右手拿不住东西", "red_flag", 1.0, t, channel="socketio"),
        action("action_emergency", t), bot("⚠️ 这可能是急症,请立即拨打120", t), bot(None, t, custom=result("emergency")),
    ]


def fallback(t: float = T0, text: str = "今天股票会涨吗") -> List[Dict[str, Any]]:
    return [
        user(text, "nlu_fallback", 0.3, t, channel="wechat",
             ranking=[{"name": "nlu_fallback", "confidence": 0.35}, {"name": "out_of_scope", "confidence": 0.3}]),
        action("utter_fallback", t), bot("抱歉,我没太理解您的意思。", t),
    ]


def write_store(path, conversations: Dict[str, List[Dict[str, Any]]]) -> str:
    """A SQLite tracker store with Rasa's events table holding `conversations`; its URL."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"))
        for sender, events in conversations.items():
            for e in events:
                conn.execute(sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                    "VALUES (:s, :t, :ts, :i, :a, :d)"),
                    {"s": sender, "t": e["event"], "ts": e.get("timestamp"),
                     "i": (e.get("parse_data") or {}).get("intent", {}).get("name"), "a": e.get("name"),
                     "d": json.dumps(e, ensure_ascii=False)})
    engine.dispose()
    return url
