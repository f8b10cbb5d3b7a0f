"""The handoff queue rules (claim by one, timeouts, service hours) and the plain parts of the handoff actions
and console, without servers."""
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.events import ConversationPaused

import settings
from actions import handoff as handoff_actions
from staff import handoff
from staff.db import StaffDB
from staff.views.handoff import history

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def db(tmp_path):
    database = StaffDB(f"sqlite:///{tmp_path / 'staff.db'}")
    yield database
    database.engine.dispose()


def at(year, month, day, hour, minute=0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


# ---- the queue

def test_a_conversation_is_claimed_by_one_person_only(db):
    handoff_id = handoff.enqueue(db, "s1", "socketio", now=100)
    results = {}
    barrier = threading.Barrier(8)

    def try_claim(name):
        barrier.wait()
        results[name] = handoff.claim(db, handoff_id, name)

    threads = [threading.Thread(target=try_claim, args=(f"staff{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [name for name, won in results.items() if won]
    assert len(winners) == 1
    assert handoff.get(db, handoff_id)["claimed_by"] == winners[0]


def test_one_open_handoff_per_conversation_and_a_new_one_after_the_end(db):
    first = handoff.enqueue(db, "s1", "rest")
    assert handoff.enqueue(db, "s1", "rest") == first
    assert handoff.end(db, first, "staff")
    assert not handoff.end(db, first, "staff")  # already closed: the second end changes nothing
    assert handoff.enqueue(db, "s1", "rest") != first


def test_only_the_holder_releases_and_an_ended_one_cannot_be_claimed(db):
    handoff_id = handoff.enqueue(db, "s1", "rest")
    assert handoff.claim(db, handoff_id, "a")
    assert not handoff.release(db, handoff_id, "b")
    assert handoff.release(db, handoff_id, "a")
    assert handoff.get(db, handoff_id)["status"] == handoff.WAITING
    handoff.end(db, handoff_id, "staff")
    assert not handoff.claim(db, handoff_id, "b")


def test_waiting_too_long_offers_a_message_then_gives_up(db):
    waiting = handoff.enqueue(db, "late", "rest", now=1000)
    claimed = handoff.enqueue(db, "taken", "rest", now=1000)
    handoff.claim(db, claimed, "a")
    fresh = handoff.enqueue(db, "fresh", "rest", now=1250)
    timed_out, abandoned = handoff.expired(db, wait_limit=300, message_limit=600, now=1300)
    assert [r["id"] for r in timed_out] == [waiting] and abandoned == []
    assert handoff.get(db, waiting)["status"] == handoff.MESSAGE
    assert handoff.get(db, claimed)["status"] == handoff.CLAIMED  # someone is on it: no timeout
    assert handoff.get(db, fresh)["status"] == handoff.WAITING
    # A second process checking at the same time moves nothing twice.
    assert handoff.expired(db, 300, 600, now=1300) == ([], [])
    _, abandoned = handoff.expired(db, 300, 600, now=1000 + 300 + 600)
    assert [r["id"] for r in abandoned] == [waiting]
    row = handoff.get(db, waiting)
    assert row["status"] == handoff.ENDED and row["end_reason"] == "no_message"


def test_timers_of_several_processes_at_once_move_each_expiry_once(db):
    """Every Rasa process runs the timer over the one staff database: each expired row is claimed by one."""
    ids = [handoff.enqueue(db, f"s{i}", "socketio", now=1000) for i in range(20)]
    engines = [StaffDB(db.url) for _ in range(4)]  # a connection pool per process
    claimed = []
    barrier = threading.Barrier(len(engines))

    def timer(database):
        barrier.wait()
        timed_out, _ = handoff.expired(database, 300, 600, now=1400)
        claimed.extend(row["id"] for row in timed_out)

    threads = [threading.Thread(target=timer, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.engine.dispose()
    assert sorted(claimed) == ids  # every one told once, none twice


def test_a_message_left_is_stored_and_listed_until_done(db):
    handoff_id = handoff.enqueue(db, "s1", "wechat", status=handoff.MESSAGE)
    handoff.set_reply_to(db, "s1", "openid-1")
    assert handoff.get(db, handoff_id)["reply_to"] == "openid-1"
    assert handoff.end(db, handoff_id, "message", callback="请回电 138")
    row = handoff.get(db, handoff_id)
    assert row["callback"] == "请回电 138" and row["reply_to"] is None
    assert [c["id"] for c in handoff.callbacks(db)] == [handoff_id]
    assert handoff.callback_done(db, handoff_id, "a") and not handoff.callback_done(db, handoff_id, "b")
    assert handoff.callbacks(db) == []


def test_urgent_ones_come_first(db):
    calm = handoff.enqueue(db, "calm", "rest", now=1)
    urgent = handoff.enqueue(db, "urgent", "rest", now=2)
    handoff.mark_urgent(db, urgent)
    assert [r["id"] for r in handoff.queue(db)] == [urgent, calm]


@pytest.mark.parametrize("text, declines", [("不用了", True), ("算了算了", True), ("取消", True),
                                            ("请给我回电话,不用发短信,电话13800000000", False), ("腿没劲", False)])
def test_declining_to_leave_a_message(text, declines):
    assert handoff.is_no_message(text) is declines


# ---- service hours

@pytest.mark.parametrize("when, is_open", [
    (at(2026, 11, 26, 7, 59), False), (at(2026, 11, 26, 8, 0), True), (at(2026, 11, 26, 19, 59), True),
    (at(2026, 11, 26, 20, 0), False), (at(2026, 11, 28, 10), False),  # a Saturday
])
def test_service_hours_on_weekdays(when, is_open):
    hours = handoff.ServiceHours.parse("08:00-20:00", "12345", "Asia/Shanghai")
    assert hours.is_open(when) is is_open


def test_all_day_and_the_description():
    hours = handoff.ServiceHours.parse("00:00-24:00", "1234567")
    assert hours.is_open(at(2026, 11, 29, 23, 59)) and hours.describe() == "每天 00:00-24:00"
    assert handoff.ServiceHours.parse("09:00-17:30", "135").describe() == "周一、三、五 09:00-17:30"


@pytest.mark.parametrize("hours, days", [("8-20", "12345"), ("20:00-08:00", "12345"), ("08:00-20:00", "8"), ("08:00-25:00", "1")])
def test_bad_service_hours_are_refused(hours, days):
    with pytest.raises(ValueError):
        handoff.ServiceHours.parse(hours, days)


# ---- the actions' plain parts

def _user(intent):
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def test_two_misunderstood_messages_in_a_row():
    assert handoff_actions.fallbacks_in_a_row([_user("greet"), _user("nlu_fallback")]) == 1
    assert handoff_actions.fallbacks_in_a_row([_user("nlu_fallback"), {"event": "bot"}, _user("nlu_fallback")]) == 2
    assert handoff_actions.fallbacks_in_a_row([_user("nlu_fallback"), _user("greet"), _user("nlu_fallback")]) == 1


def test_the_latest_triage_result_is_found():
    first, last = {"type": "triage_result", "urgency": "routine"}, {"type": "triage_result", "urgency": "urgent"}
    events = [{"event": "bot", "data": {"custom": first}}, {"event": "bot", "data": {"custom": last}},
              {"event": "bot", "data": {"custom": {"type": "handoff"}}}]
    assert handoff_actions.latest_triage_result(events) == last
    assert handoff_actions.latest_triage_result([]) is None


async def test_the_handoff_action_queues_and_pauses(tmp_path, monkeypatch, dispatcher, tracker_for, domain):
    monkeypatch.setattr(settings, "STAFF_DB_URL", f"sqlite:///{tmp_path / 'staff.db'}")
    monkeypatch.setattr(settings, "HANDOFF_HOURS", "00:00-24:00")
    monkeypatch.setattr(handoff_actions, "_db", None)
    tracker = tracker_for("转人工", intent="request_human")
    events = await handoff_actions.ActionHandoff().run(dispatcher, tracker, domain)
    assert ConversationPaused() in events
    assert [m["response"] for m in dispatcher.messages if m.get("response")] == ["utter_handoff_waiting"]
    row = handoff.open_for(handoff_actions.staff_db(), tracker.sender_id)
    assert row["status"] == handoff.WAITING
    handoff_actions.staff_db().engine.dispose()


async def test_outside_service_hours_the_patient_is_told_and_may_leave_a_message(tmp_path, monkeypatch, dispatcher, tracker_for, domain):
    monkeypatch.setattr(settings, "STAFF_DB_URL", f"sqlite:///{tmp_path / 'staff.db'}")
    monkeypatch.setattr(settings, "HANDOFF_HOURS", "00:00-00:01")
    monkeypatch.setattr(settings, "HANDOFF_DAYS", "1")
    monkeypatch.setattr(handoff_actions, "_db", None)
    monkeypatch.setattr(handoff.ServiceHours, "is_open", lambda self, now=None: False)
    tracker = tracker_for("转人工", intent="request_human")
    events = await handoff_actions.ActionHandoff().run(dispatcher, tracker, domain)
    assert ConversationPaused() in events
    assert dispatcher.messages[0]["response"] == "utter_handoff_closed" and "周一" in dispatcher.messages[0]["hours"]
    assert handoff.open_for(handoff_actions.staff_db(), tracker.sender_id)["status"] == handoff.MESSAGE
    handoff_actions.staff_db().engine.dispose()


# ---- the console's view of the conversation

def test_history_marks_staff_messages_and_emergencies():
    events = [
        {"_id": 1, "event": "user", "text": "转人工", "parse_data": {"intent": {"name": "request_human"}}},
        {"_id": 2, "event": "bot", "text": "已为您转接人工客服", "metadata": {}},
        {"_id": 3, "event": "bot", "text": "您好", "metadata": {"handoff_staff": "editor1"}},
        {"_id": 4, "event": "user", "text": "突然说话不清", "parse_data": {"intent": {"name": "red_flag"}}},
        {"_id": 5, "event": "action", "name": "action_listen"},
    ]
    lines = history(events)
    assert [(l["who"], l.get("staff", "")) for l in lines] == [("patient", ""), ("bot", ""), ("staff", "editor1"), ("patient", "")]
    assert lines[3]["emergency"] and not lines[0]["emergency"]
    assert [l["id"] for l in history(events, after=2)] == [3, 4]


def test_the_staff_page_summary_is_the_patients_summary(tracker_for, domain):
    tracker = tracker_for("转人工", intent="request_human", slots={"complaint": "两条腿没劲", "location": ["legs_both"]})
    text = handoff_actions.summary_text(tracker, domain)
    assert text.startswith("【病情摘要") and "两条腿没劲" in text
    assert handoff_actions.summary_text(tracker_for("转人工", intent="request_human"), domain) == ""


# ---- delivery notes: codes from the Rasa process, words from the console (staff/texts.yml)

@pytest.mark.parametrize("note,words", [
    ({"code": "wechat_refused", "errcode": 45015, "errmsg": "out of time"}, ["45015", "48小时"]),
    ({"code": "wechat_refused", "errcode": 99999, "errmsg": "something new"}, ["99999", "something new"]),
    ({"code": "no_pusher", "channel": "rest"}, ["REST", "不能主动发消息"]),
    ({"code": "not_live"}, ["实时推送"]),
    ({"code": "store_unavailable"}, ["暂时不可用"]),
    ({"code": "push_failed"}, ["push_failed"]),  # a parameter missing: still a readable line
    ({"code": "from_the_future"}, ["from_the_future"]),
])
def test_delivery_notes_are_worded_for_staff(note, words):
    from staff import labels
    from staff.tracker import CHANNEL_LABELS

    text = labels.handoff_note(note, CHANNEL_LABELS)
    assert all(word in text for word in words), text


async def test_a_line_the_stores_cannot_take_is_not_sent_and_the_console_is_told(monkeypatch):
    """Redis (the lock store) or the tracker store down: nothing is stored, nothing pushed, a note instead."""
    from channels import handoff as channel_handoff

    class DownLockStore:
        def lock(self, sender):
            raise ConnectionError("redis down")

    pushed = []

    async def pusher(sender, messages, row):
        pushed.append(messages)

    monkeypatch.setattr(channel_handoff.STATE, "agent", type("Agent", (), {"lock_store": DownLockStore()})())
    monkeypatch.setitem(channel_handoff.STATE.pushers, "socketio", pusher)
    row = {"id": 1, "sender": "s" * 32, "channel": "socketio"}
    assert await channel_handoff.say(row, "您好", staff="editor1") == {"code": "store_unavailable"}
    assert pushed == []
