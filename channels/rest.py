"""REST channel (POST /webhooks/rest/webhook): Rasa's REST protocol, with strict input checks and safe turns."""
import asyncio
import gc
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from channels import turn

logger = logging.getLogger(__name__)


class BadRequest(ValueError):
    """A request the channel refuses, with the message the client sees."""


def parse_body(body: bytes, max_bytes: int = settings.MAX_BODY_BYTES) -> Dict[Text, Any]:
    """The sender, message and metadata of a REST request, or BadRequest with a clear reason."""
    if len(body) > max_bytes:
        raise BadRequest(f"request body too large (limit {max_bytes} bytes)")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("request body is not valid UTF-8")
    except json.JSONDecodeError:
        raise BadRequest("request body is not valid JSON")
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 128:
        raise BadRequest("'sender' must be a non-empty string of at most 128 characters")
    if not isinstance(message, str):
        raise BadRequest("'message' must be a string")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("'metadata' must be an object")
    return {"sender": sender.strip(), "message": message[: settings.MAX_MESSAGE_CHARS], "metadata": metadata}


def authorized(header: Optional[Text], token: Text) -> bool:
    """Whether an Authorization header carries the bearer token; with no token configured, everyone is."""
    if not token:
        return True
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def sender_id(sender: Text) -> Text:
    """The conversation id of a REST sender: namespaced, so it never equals a web session or WeChat id."""
    return settings.REST_SENDER_PREFIX + sender


async def run_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    text: Text,
    sender_id: Text,
    input_channel: Text,
    metadata: Optional[Dict[Text, Any]] = None,
    deadline: Optional[float] = None,
) -> list:
    """Hand one message to Rasa and return the finalized turn; failures become an apology, never silence.

    Rasa waits up to 300 s for each custom action, so a slow action server could hold a patient for minutes:
    after `deadline` seconds (TURN_DEADLINE_SECONDS) the patient gets the apology while the turn finishes and
    is stored in the background.
    """
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, sender_id, input_channel=input_channel, metadata=metadata)
    task = asyncio.ensure_future(on_new_message(message))
    task.add_done_callback(_log_late_failure)
    try:
        await asyncio.wait_for(asyncio.shield(task), deadline or settings.TURN_DEADLINE_SECONDS)
    except asyncio.TimeoutError:
        logger.error("turn for a %s message exceeded its deadline; it goes on in the background", input_channel)
        return turn.finalize([], sender_id)
    except asyncio.CancelledError:
        logger.error("turn cancelled for a %s message", input_channel)
        return turn.finalize([], sender_id)
    except Exception:
        # Message text stays out of the log on purpose: it is patient data.
        logger.exception("turn failed for a %s message", input_channel)
        return turn.finalize([], sender_id)
    return turn.finalize(collector.messages, sender_id)


def _log_late_failure(task: "asyncio.Future") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("a turn failed: %s", type(task.exception()).__name__)


class RestChannel(InputChannel):
    """Rasa's `rest` protocol, registered as channels.rest.RestChannel: namespaced sender ids, optional bearer token."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("triage_rest_webhook", __name__)

        @webhook.listener("after_server_start")
        async def freeze_startup_objects(app: Any, loop: Any) -> None:
            # The loaded model leaves millions of long-lived objects; without this every full garbage collection
            # walks them all and stalls every conversation at once (a 180 ms step in the p99 at 8 users).
            gc.freeze()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorized(request.headers.get("Authorization"), settings.REST_AUTH_TOKEN):
                return response.json({"error": "missing or wrong bearer token"}, status=401,
                                     headers={"WWW-Authenticate": "Bearer"})
            try:
                data = parse_body(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            conversation = sender_id(data["sender"])
            messages = await run_turn(on_new_message, data["message"], conversation, self.name(), data["metadata"])
            # The caller sees its own sender as the recipient, not the namespaced conversation id.
            for message in messages:
                if message.get("recipient_id") == conversation:
                    message["recipient_id"] = data["sender"]
            return response.json(messages)

        return webhook
