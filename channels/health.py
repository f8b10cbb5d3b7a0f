"""GET /health: 200 {"status": "ok"} once the model is loaded, else 503. For nginx, Kubernetes and the tests.

Rasa answers `/` with a greeting even before its model is loaded, and its /status needs the HTTP API, which
stays off; this route tells a readiness probe the server can take a turn. Registered in credentials.yml.
"""
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class Health(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "health"

    def url_prefix(self) -> Text:
        # An absolute path replaces Rasa's /webhooks/ part (as for the chat page).
        return "/health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("triage_health", __name__)

        @health.route("/", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "loading"}, status=503)
            return response.json({"status": "ok"})

        return health
