"""Socket.IO channel for the web chat: Rasa's socketio protocol, with every bot turn made safe by channels.turn.

Registered in credentials.yml as channels.socketio.SocketChannel. The client sends `session_request
{session_id}`, gets `session_confirm <id>`, then sends `user_uttered {message, session_id}`; each message of
the finalized turn (apology if empty, disclaimer last with "disclaimer": true) comes back as `bot_uttered`.

Pushes outside a turn (a staff reply, the wait-limit message: channels/handoff.py) may start in a process that
does not hold the patient's socket. With shared state in Redis (several processes, docs/deploy.md) every
process subscribes to one pub/sub topic: the pushing process emits to its own sockets in the session's room
and publishes; the others emit to theirs. One process, or Redis down: its own sockets only, as before.
"""
import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

import settings
from channels import handoff
from channels.ratelimit import RateLimiter, client_address, wait_turn
from channels.rest import run_turn
from persistence import shared_state

logger = logging.getLogger(__name__)

# With session_persistence anyone who knows a session id receives that conversation's replies, so only
# long random ids are accepted (a UUID or 128-bit hex); anything else gets a fresh server-made id.
SESSION_ID = re.compile(r"^[A-Za-z0-9-]{32,64}$")
# The pub/sub topic of pushes to web chat sessions (persistence/shared_state.py; one per Redis prefix).
PUSH_TOPIC = "socketio_push"


def allowed_origins(value: Any = None) -> List[Text]:
    """The origins allowed to open the socket: the credentials value, else WEB_ORIGINS, else the page's own.

    A list, or one string of origins separated by spaces or commas. The default is the page served by this
    server at 127.0.0.1 and localhost on RASA_PORT.
    """
    if value is None:
        value = os.environ.get("WEB_ORIGINS", "").strip() or None
    if value is None:
        port = os.environ.get("RASA_PORT", "5005")
        return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    origins = [str(origin).strip().rstrip("/") for origin in value if str(origin).strip()]
    if not origins or "*" in origins:
        # [] would switch python-engineio's origin check off, "*" allows every site: refuse both.
        raise ValueError("the socketio channel needs explicit allowed origins (WEB_ORIGINS), not '*' or nothing")
    return origins


def to_wire(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """One finalized message in the shape Rasa's socketio channel emits (text, quick_replies), plus our keys."""
    wire = {key: value for key, value in message.items() if key not in ("recipient_id", "buttons")}
    if message.get("buttons"):
        wire["quick_replies"] = [
            {"content_type": "text", "title": button.get("title", ""), "payload": button.get("payload", "")}
            for button in message["buttons"]
        ]
    return wire


class SocketChannel(SocketIOInput):
    """Rasa's SocketIOInput with finalized turns, strict session ids and origins limited to the web page."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = allowed_origins(credentials.get("cors_allowed_origins"))
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins = allowed_origins()
        self.limiter = RateLimiter.from_settings(self.name())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        socketio_webhook.listener("after_server_start")(self._start_relay)
        sio = self.sio
        # Rasa creates the server with cors_allowed_origins=[], which turns python-engineio's Origin check
        # off, so any web site could open a socket to us from a patient's browser. Put the check back.
        sio.eio.cors_allowed_origins = self.cors_allowed_origins
        sio.eio.max_http_buffer_size = settings.MAX_BODY_BYTES

        # The handlers below replace Rasa's (python-socketio keeps one handler per event and namespace).
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.match(requested) else uuid.uuid4().hex
            if self.session_persistence:
                await self._join(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("socketio message without a text 'message' ignored")
                return
            if self.session_persistence:
                session_id = data.get("session_id")
                if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                    logger.warning("socketio message without a valid session_id ignored")
                    return
                # socket.io-client flushes messages buffered while offline before its own `connect`
                # handler re-sends session_request, so a message may arrive first: join here as well.
                await self._join(sid, session_id)
                sender_id = session_id
            else:
                sender_id = sid
            denial = await self.limiter.check(sender_id, self._address(sid))
            if denial:
                for message in wait_turn(sender_id):  # to this socket only; nothing reaches the bot
                    await sio.emit(self.bot_message_evt, to_wire(message), room=sid, namespace=self.namespace)
                return
            metadata = data.get(self.metadata_key)
            messages = await run_turn(
                on_new_message,
                data["message"][: settings.MAX_MESSAGE_CHARS],
                sender_id,
                self.name(),
                metadata if isinstance(metadata, dict) else None,
            )
            if not messages:
                # Held for a person (handoff): no reply now, but the page stops showing "typing".
                await sio.emit("handoff_held", {}, room=sender_id, namespace=self.namespace)
            for message in messages:
                await sio.emit(self.bot_message_evt, to_wire(message), room=sender_id, namespace=self.namespace)

        handoff.register_pusher(self.name(), self.push)
        return socketio_webhook

    async def push(self, sender: Text, messages: List[Dict[Text, Any]], row: Optional[Dict[Text, Any]] = None,
                   ) -> Optional[Dict[Text, Any]]:
        """A finalized turn to every socket of session `sender`, whichever process holds it (channels/handoff.py
        pusher): None, or a note when it surely reached nobody (Redis down and no socket of it here)."""
        wire = [to_wire(message) for message in messages]
        here = await self._emit_here(sender, wire)
        if shared_state.enabled() and await shared_state.publish(PUSH_TOPIC, {"room": sender, "messages": wire}) is None:
            return None if here else {"code": "not_live"}
        return None

    async def _emit_here(self, room: Text, wire: List[Dict[Text, Any]]) -> bool:
        """Emit to this process's sockets in `room`; whether it had any."""
        present = bool(self.sio.manager.rooms.get(self.namespace or "/", {}).get(room))
        for message in wire:
            await self.sio.emit(self.bot_message_evt, message, room=room, namespace=self.namespace)
        return present

    async def _relayed(self, payload: Dict[Text, Any]) -> None:
        """Another process's push: to the sockets of that session held here, if any."""
        room, wire = payload.get("room"), payload.get("messages")
        if isinstance(room, str) and isinstance(wire, list):
            await self._emit_here(room, [message for message in wire if isinstance(message, dict)])

    async def _start_relay(self, app: Any, loop: Any = None) -> None:
        """after_server_start: adopt the lock store's Redis (persistence/shared_state.py), and if there is one,
        hear the other processes' pushes for as long as the server runs."""
        await shared_state.adopt_on_start(app, loop)
        if shared_state.enabled():
            app.add_task(shared_state.subscribe(PUSH_TOPIC, self._relayed))

    def _address(self, sid: Text) -> Optional[Text]:
        """The client's address, from the HTTP request that opened the socket (behind a proxy: docs/deploy.md)."""
        try:
            environ = self.sio.get_environ(sid, namespace=self.namespace or "/") or {}
        except Exception:
            return None
        request = environ.get("sanic.request")
        return client_address(request) if request is not None else environ.get("REMOTE_ADDR")

    async def _join(self, sid: Text, session_id: Text) -> None:
        """Put the socket in the session's room, and out of any other session's room."""
        # Rasa 3.6 calls sio.enter_room without await, but python-socketio >= 5.10 made it a coroutine, so
        # with Rasa's own handler the socket never joins the room and replies go nowhere.
        for room in self.sio.rooms(sid, namespace=self.namespace or "/"):
            if room not in (sid, session_id):
                await self.sio.leave_room(sid, room, namespace=self.namespace)
        await self.sio.enter_room(sid, session_id, namespace=self.namespace)
