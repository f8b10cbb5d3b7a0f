"""Human handoff on the Rasa side: what a paused conversation does with a patient's message, the internal
endpoint the staff console calls to reach a patient, and the timer that tells waiting patients nobody came.

Registered in credentials.yml as channels.handoff.HandoffChannel (routes under /webhooks/handoff/). Why an
endpoint here rather than the console writing to Rasa's store itself: only this process holds the patient's
socket.io connection and the WeChat API client, and tracker writes must go through Rasa's lock store. The
endpoint takes a bearer token (HANDOFF_TOKEN); without one configured it refuses everything.

Channels register a pusher (`register_pusher`): an async function that delivers a finalized turn to a patient
outside a Rasa turn (socket.io emit to the session's room, through Redis to whichever process holds it; WeChat
customer-service message). What went wrong travels back to the console as a note, `{"code": ..., params}`;
the console words it for staff (staff/texts.yml). Every wait-limit expiry is claimed in the staff database
(one UPDATE ... WHERE status), so of all the processes running the timer exactly one tells the patient.
"""
import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from channels import turn
from persistence.tracker_store import _UNAVAILABLE as UNAVAILABLE
from staff import handoff

logger = logging.getLogger(__name__)

RED_FLAG_INTENT = "red_flag"
EMERGENCY_ACTION = "action_emergency"
# Lines the console may ask this process to send (beyond a staff member's own text).
SYSTEM_LINES = ("utter_handoff_joined",)
# Marks a staff member's message in the tracker (BotUttered metadata) and on the wire.
STAFF_KEY = "handoff_staff"

# A note for the console: {"code": "no_pusher" | "push_failed" | "store_unavailable" | a channel's own, ...}.
Note = Dict[Text, Any]
Pusher = Callable[[Text, List[Dict[Text, Any]], Dict[Text, Any]], Awaitable[Optional[Note]]]


class _State:
    agent: Any = None
    db: Any = None
    pushers: Dict[Text, Pusher] = {}


STATE = _State()


def register_pusher(channel: Text, pusher: Pusher) -> None:
    """`pusher(sender, messages, handoff_row)` delivers a finalized turn; returns None or a note saying why not."""
    STATE.pushers[channel] = pusher


def in_handoff(messages: List[Dict[Text, Any]]) -> bool:
    """Whether a finalized turn belongs to a handoff: held for a person (empty) or action_handoff's marker."""
    return not messages or any(isinstance(m.get("custom"), dict) and m["custom"].get("type") == "handoff"
                               for m in messages)


def staff_db() -> Any:
    if STATE.db is None:
        from staff.db import StaffDB

        STATE.db = StaffDB(settings.STAFF_DB_URL)
    return STATE.db


def response_text(name: Text) -> Text:
    """The Chinese text of a domain response (the first variant)."""
    variants = STATE.agent.domain.responses.get(name) or [{}]
    return variants[0].get("text") or ""


async def _db(function: Callable, *args: Any) -> Any:
    return await asyncio.to_thread(function, staff_db(), *args)


async def append_to_tracker(sender: Text, events: List[Any]) -> None:
    """Add events to a conversation under its lock, as a turn would."""
    agent = STATE.agent
    async with agent.lock_store.lock(sender):
        tracker = await agent.tracker_store.get_or_create_tracker(sender)
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)


async def push(row: Dict[Text, Any], messages: List[Dict[Text, Any]]) -> Optional[Note]:
    """Deliver a finalized turn to the patient of a handoff; None, or a note saying why it was not delivered."""
    pusher = STATE.pushers.get(row.get("channel") or "")
    if pusher is None:
        return {"code": "no_pusher", "channel": row.get("channel") or ""}
    try:
        return await pusher(row["sender"], messages, row)
    except Exception as error:  # a delivery problem must not break the console's request or the timer
        logger.exception("handoff: delivery on %s failed", row.get("channel"))
        return {"code": "push_failed", "error": type(error).__name__}


async def say(row: Dict[Text, Any], text: Text, staff: Optional[Text] = None, resume: bool = False) -> Optional[Note]:
    """Store a line in the conversation (and resume the bot first if asked), then push it with the disclaimer."""
    metadata = {STAFF_KEY: staff} if staff else {"handoff": True}
    events: List[Any] = [ConversationResumed()] if resume else []
    events.append(BotUttered(text, {}, metadata))
    if resume:
        events.append(_listen())
    try:
        await append_to_tracker(row["sender"], events)
    except Exception as error:  # lock store (Redis) or tracker store down: nothing stored, nothing sent
        logger.error("handoff: could not store the line (%s): not sent", type(error).__name__)
        return {"code": "store_unavailable"}
    message: Dict[Text, Any] = {"text": text}
    if staff:
        message[STAFF_KEY] = True
    return await push(row, turn.finalize([message], row["sender"]))


def _listen() -> ActionExecuted:
    """A paused conversation never ran action_listen; without one before the next message the rules (which
    all start from action_listen) match nothing and the bot falls back."""
    return ActionExecuted(ACTION_LISTEN_NAME)


async def paused_turn(sender: Text) -> Optional[List[Dict[Text, Any]]]:
    """The reply to a message that ran no action: None if the conversation is not paused (the caller
    apologises as for any empty turn), else the turn to send, possibly empty (a person will answer).

    Rasa 3.6 logs a paused conversation's message (NLU included, so the red-flag gate has run) and stops.
    An emergency still gets action_emergency at once; the handoff stays open and is marked urgent.
    """
    agent = STATE.agent
    if agent is None:
        return None
    tracker = await agent.tracker_store.retrieve(sender)
    if tracker is None or not tracker.is_paused() or getattr(tracker, UNAVAILABLE, False):
        return None  # not in a handoff, or the store's outage stand-in (persistence/tracker_store.py): apology
    row = await _db(handoff.open_for, sender)
    latest = tracker.latest_message
    intent = (latest.intent or {}).get("name") if latest else None
    if intent == RED_FLAG_INTENT:
        if row:
            await _db(handoff.mark_urgent, row["id"])
        collector = CollectingOutputChannel()
        async with agent.lock_store.lock(sender):
            await agent.processor.execute_action(
                sender, EMERGENCY_ACTION, collector, agent.processor.nlg,
                PolicyPrediction.for_action_name(agent.domain, EMERGENCY_ACTION),
            )
        await append_to_tracker(sender, [_listen()])
        return turn.finalize(collector.messages, sender)
    text = (latest.text if latest else "") or ""
    if row is None:
        # Paused with no open handoff (ended while this message was on its way): the bot takes over again.
        return await resume_now(sender, "utter_handoff_back")
    if row["status"] == handoff.MESSAGE:
        if handoff.is_no_message(text):
            await _db(handoff.end, row["id"], "cancelled")
            return await resume_now(sender, "utter_handoff_back")
        await _db(handoff.end, row["id"], "message", None, text)
        return await resume_now(sender, "utter_handoff_message_taken")
    return []  # the console shows the message (it reads the tracker); a person answers


async def resume_now(sender: Text, response_name: Text) -> List[Dict[Text, Any]]:
    """Resume the bot with a line, returned as this turn's reply (the patient is the one talking)."""
    text = response_text(response_name)
    await append_to_tracker(sender, [ConversationResumed(), BotUttered(text, {}, {"handoff": True}), _listen()])
    return turn.finalize([{"text": text}], sender)


async def expire_once() -> None:
    """Tell patients nobody came in time (they may leave a message); resume those who left none."""
    timed_out, abandoned = await _db(handoff.expired, settings.HANDOFF_WAIT_SECONDS, settings.HANDOFF_MESSAGE_SECONDS)
    for row in timed_out:  # this process claimed these rows (staff/handoff.py expired): no other one sends
        logger.info("handoff %s: nobody claimed it in time; telling the patient", row["id"])
        await say(row, response_text("utter_handoff_timeout"))
    for row in abandoned:
        await append_to_tracker(row["sender"], [ConversationResumed(), _listen()])


def _authorized(request: Request) -> bool:
    token = settings.HANDOFF_TOKEN
    sent = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
    return bool(token) and bool(sent) and hmac.compare_digest(sent.encode(), token.encode())


class HandoffChannel(InputChannel):
    """The internal endpoint (/webhooks/handoff/send, /webhooks/handoff/end) and the waiting-time timer."""

    @classmethod
    def name(cls) -> Text:
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("triage_handoff", __name__)

        @hook.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            STATE.agent = app.ctx.agent
            app.add_task(self._timer())

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(settings.HANDOFF_TOKEN)})

        @hook.route("/send", methods=["POST"])
        async def send(request: Request) -> HTTPResponse:
            """{"sender", "text", "staff"} a staff member's reply, or {"sender", "response"} a system line."""
            body, row, refused = await self._open_handoff(request)
            if refused:
                return refused
            if body.get("response") in SYSTEM_LINES:
                note = await say(row, response_text(body["response"]))
            else:
                text = str(body.get("text") or "").strip()[: settings.MAX_MESSAGE_CHARS]
                if not text or row["status"] != handoff.CLAIMED:
                    return response.json({"error": "empty text or handoff not claimed"}, status=400)
                note = await say(row, text, staff=str(body.get("staff") or "staff"))
            return response.json({"delivered": note is None, "note": note})

        @hook.route("/end", methods=["POST"])
        async def end(request: Request) -> HTTPResponse:
            """{"sender"}: the bot takes over again (ConversationResumed) and says so."""
            _, row, refused = await self._open_handoff(request)
            if refused:
                return refused
            note = await say(row, response_text("utter_handoff_back"), resume=True)
            ended = note is None or note["code"] != "store_unavailable"  # resumed, whether told or not
            if ended:
                await _db(handoff.end, row["id"], "staff")
            return response.json({"delivered": note is None, "note": note, "ended": ended})

        return hook

    async def _open_handoff(self, request: Request) -> Tuple[Dict[Text, Any], Optional[Dict[Text, Any]], Optional[HTTPResponse]]:
        """The request's body and its conversation's open handoff, or the response refusing the request."""
        refused = self._refuse(request)
        if refused:
            return {}, None, refused
        body = request.json if isinstance(request.json, dict) else {}
        row = await _db(handoff.open_for, str(body.get("sender") or ""))
        if row is None:
            return body, None, response.json({"error": "no open handoff for this conversation"}, status=404)
        return body, row, None

    @staticmethod
    def _refuse(request: Request) -> Optional[HTTPResponse]:
        if not settings.HANDOFF_TOKEN:
            return response.json({"error": "handoff endpoint not configured (HANDOFF_TOKEN)"}, status=503)
        if not _authorized(request):
            return response.json({"error": "unauthorized"}, status=401)
        if STATE.agent is None:
            return response.json({"error": "model not loaded"}, status=503)
        return None

    @staticmethod
    async def _timer() -> None:
        tick = max(0.5, min(5.0, settings.HANDOFF_WAIT_SECONDS / 4))
        while True:
            await asyncio.sleep(tick)
            try:
                await expire_once()
            except Exception:
                logger.exception("handoff: the waiting-time check failed")
