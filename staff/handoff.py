"""The human-handoff queue: plain functions over the staff database, shared by the action server (enqueue),
the Rasa process (patient messages, timeouts, delivery) and the console (claim, end, call-backs).

Every state change is one UPDATE ... WHERE status = <expected>, so of two processes (or two staff members)
doing the same thing at once exactly one wins, on SQLite and PostgreSQL alike.
"""
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import sqlalchemy as sa

from staff.db import StaffDB, handoffs

WAITING, CLAIMED, MESSAGE, ENDED = "waiting", "claimed", "message", "ended"
OPEN = (WAITING, CLAIMED, MESSAGE)
STATUS_LABELS = {WAITING: "等待接入", CLAIMED: "人工服务中", MESSAGE: "等待留言", ENDED: "已结束"}
END_LABELS = {
    "staff": "工作人员结束", "timeout": "无人接入(超时)", "closed": "非服务时间", "message": "已留言",
    "cancelled": "病人取消", "no_message": "未留言", "lost": "记录丢失",
}
# A patient answering the "leave a message?" offer with one of these leaves none.
NO_MESSAGE_WORDS = ("不用", "不需要", "算了", "取消", "没有了", "不留")


# ---------------------------------------------------------------- service hours


@dataclass(frozen=True)
class ServiceHours:
    """Days (ISO weekday numbers, 1 = Monday) and a daily window [start, end) in minutes, in one time zone."""

    days: Tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
    start: int = 8 * 60
    end: int = 20 * 60
    tz: Text = "Asia/Shanghai"

    @classmethod
    def parse(cls, hours: Text = "08:00-20:00", days: Text = "1234567", tz: Text = "Asia/Shanghai") -> "ServiceHours":
        """From HANDOFF_HOURS ("08:00-20:00", "00:00-24:00" for all day), HANDOFF_DAYS ("12345") and HANDOFF_TZ."""
        try:
            first, last = (part.strip() for part in hours.split("-", 1))
            start, end = _minutes(first), _minutes(last)
            weekdays = tuple(sorted({int(d) for d in days if d.strip()}))
        except ValueError:
            raise ValueError(f"service hours must look like 08:00-20:00 and days like 12345, not {hours!r} {days!r}")
        if not weekdays or any(d < 1 or d > 7 for d in weekdays) or not 0 <= start < end <= 24 * 60:
            raise ValueError(f"service hours out of range: {hours!r} {days!r}")
        return cls(weekdays, start, end, tz)

    def is_open(self, now: Optional[float] = None) -> bool:
        from zoneinfo import ZoneInfo

        local = datetime.fromtimestamp(time.time() if now is None else now, ZoneInfo(self.tz))
        minute = local.hour * 60 + local.minute
        return local.isoweekday() in self.days and self.start <= minute < self.end

    def describe(self) -> Text:
        names = "一二三四五六日"
        days = "每天" if len(self.days) == 7 else "周" + "、".join(names[d - 1] for d in self.days)
        return f"{days} {self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"


def _minutes(clock: Text) -> int:
    hour, minute = clock.split(":")
    if not 0 <= int(minute) < 60:
        raise ValueError(clock)
    return int(hour) * 60 + int(minute)


# ---------------------------------------------------------------- the queue


def open_for(db: StaffDB, sender: Text) -> Optional[Dict[Text, Any]]:
    """The open handoff of a conversation, if any (the newest, should there ever be two)."""
    return db.row(sa.select(handoffs).where(handoffs.c.sender == sender, handoffs.c.status.in_(OPEN))
                  .order_by(handoffs.c.id.desc()).limit(1))


def get(db: StaffDB, handoff_id: int) -> Optional[Dict[Text, Any]]:
    return db.row(sa.select(handoffs).where(handoffs.c.id == handoff_id))


def enqueue(db: StaffDB, sender: Text, channel: Text, summary: Text = "", triage_result: Optional[Dict] = None,
            status: Text = WAITING, now: Optional[float] = None) -> int:
    """Put a conversation in the queue (status WAITING, or MESSAGE outside service hours); an open one is reused."""
    existing = open_for(db, sender)
    if existing:
        return existing["id"]
    result = db.execute(handoffs.insert().values(
        sender=sender, channel=channel or "", status=status, created=time.time() if now is None else now,
        summary=summary or "", triage_result=json.dumps(triage_result, ensure_ascii=False) if triage_result else "",
        urgent=False, end_reason="closed" if status == MESSAGE else None,
    ))
    return int(result.inserted_primary_key[0])


def _move(db: StaffDB, handoff_id: int, expected: Sequence[Text], **values: Any) -> bool:
    """One atomic transition: True if this call made it (the row was in an expected status)."""
    result = db.execute(handoffs.update().where(handoffs.c.id == handoff_id, handoffs.c.status.in_(expected)).values(**values))
    return result.rowcount == 1


def claim(db: StaffDB, handoff_id: int, user: Text, now: Optional[float] = None) -> bool:
    """Take a waiting conversation; of several staff claiming at once exactly one gets it."""
    return _move(db, handoff_id, (WAITING,), status=CLAIMED, claimed_by=user, claimed_at=time.time() if now is None else now)


def release(db: StaffDB, handoff_id: int, user: Text) -> bool:
    """Give a claimed conversation back to the queue (only the one holding it)."""
    result = db.execute(handoffs.update().where(handoffs.c.id == handoff_id, handoffs.c.status == CLAIMED,
                                                handoffs.c.claimed_by == user).values(status=WAITING, claimed_by=None,
                                                                                      claimed_at=None))
    return result.rowcount == 1


def end(db: StaffDB, handoff_id: int, reason: Text, now: Optional[float] = None, callback: Optional[Text] = None) -> bool:
    """Close an open handoff (the WeChat address is forgotten); False if it was already closed."""
    values: Dict[Text, Any] = dict(status=ENDED, end_reason=reason, ended_at=time.time() if now is None else now, reply_to=None)
    if callback is not None:
        values.update(callback=callback, callback_at=values["ended_at"])
    return _move(db, handoff_id, OPEN, **values)


def offer_message(db: StaffDB, handoff_id: int, reason: Text) -> bool:
    """Nobody can take it (timeout): the patient may leave a message instead."""
    return _move(db, handoff_id, (WAITING,), status=MESSAGE, end_reason=reason)


def expired(db: StaffDB, wait_limit: float, message_limit: float, now: Optional[float] = None) -> Tuple[List[Dict], List[Dict]]:
    """Handoffs this call moved on: (waiting longer than wait_limit -> MESSAGE, offered a message longer than
    message_limit ago -> ENDED). Several processes may call it; each row is moved by exactly one."""
    now = time.time() if now is None else now
    waited = db.rows(sa.select(handoffs).where(handoffs.c.status == WAITING, handoffs.c.created <= now - wait_limit))
    timed_out = [row for row in waited if offer_message(db, row["id"], "timeout")]
    # The message offer is timed from the request (closed hours) or from the timeout that made it.
    stale = db.rows(sa.select(handoffs).where(handoffs.c.status == MESSAGE,
                                              handoffs.c.created <= now - wait_limit - message_limit))
    abandoned = [row for row in stale if end(db, row["id"], "no_message", now)]
    return timed_out, abandoned


def set_reply_to(db: StaffDB, sender: Text, address: Text) -> None:
    """Remember where WeChat's customer-service API reaches the patient, while a handoff is open."""
    db.execute(handoffs.update().where(handoffs.c.sender == sender, handoffs.c.status.in_(OPEN)).values(reply_to=address))


def mark_urgent(db: StaffDB, handoff_id: int) -> None:
    db.execute(handoffs.update().where(handoffs.c.id == handoff_id).values(urgent=True))


def is_no_message(text: Text) -> bool:
    return any(word in (text or "") for word in NO_MESSAGE_WORDS) and len(text or "") <= 12


def queue(db: StaffDB) -> List[Dict[Text, Any]]:
    """Open handoffs, urgent first, then oldest first."""
    return db.rows(sa.select(handoffs).where(handoffs.c.status.in_(OPEN))
                   .order_by(handoffs.c.urgent.desc(), handoffs.c.created))


def callbacks(db: StaffDB, include_done: bool = False, limit: int = 100) -> List[Dict[Text, Any]]:
    """Messages left for a call-back, newest first."""
    query = sa.select(handoffs).where(handoffs.c.callback.is_not(None))
    if not include_done:
        query = query.where(handoffs.c.callback_done_by.is_(None))
    return db.rows(query.order_by(handoffs.c.callback_at.desc()).limit(limit))


def callback_done(db: StaffDB, handoff_id: int, user: Text) -> bool:
    result = db.execute(handoffs.update().where(handoffs.c.id == handoff_id, handoffs.c.callback.is_not(None),
                                                handoffs.c.callback_done_by.is_(None)).values(callback_done_by=user))
    return result.rowcount == 1


def triage_result_of(row: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
    try:
        return json.loads(row.get("triage_result") or "null")
    except ValueError:
        return None
