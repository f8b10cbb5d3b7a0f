"""Serves the patient chat page (web/dist, built by `make web`) from the Rasa server itself, at /chat/.

Registered in credentials.yml as channels.webpage.WebPage. It handles no messages: the page talks to
channels.socketio.SocketChannel on the same origin.
"""
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings

DIST = settings.ROOT / "web" / "dist"
# The page needs nothing but its own script and style, and the socket on its own origin ('self' covers
# ws:/wss: to the same host in CSP 3). Sent as a header so frame-ancestors applies too.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")


class WebPage(InputChannel):
    """The chat page and its assets under /chat/."""

    def __init__(self, directory: Optional[Path] = None) -> None:
        self.directory = Path(directory or DIST)

    @classmethod
    def name(cls) -> Text:
        return "webpage"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls((credentials or {}).get("directory"))

    def url_prefix(self) -> Text:
        # Rasa mounts a channel at urljoin("/webhooks/", url_prefix()); an absolute path replaces the
        # /webhooks/ part, so the page gets a URL a patient can type.
        return "/chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("triage_webpage", __name__)

        @page.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            return await self._file("index.html")

        @page.route("/<name>", methods=["GET"])
        async def asset(request: Request, name: Text) -> HTTPResponse:
            # Sanic matches /chat/ here with an empty name (and /chat above).
            return await self._file(name or "index.html")

        return page

    async def _file(self, name: Text) -> HTTPResponse:
        path = self.directory / name
        if not SAFE_NAME.match(name) or path.suffix not in CONTENT_TYPES or not path.is_file():
            if not (self.directory / "index.html").is_file():
                return response.text("web chat not built: run `make web`", status=503, headers=SECURITY_HEADERS)
            return response.text("not found", status=404, headers=SECURITY_HEADERS)
        return response.raw(path.read_bytes(), content_type=CONTENT_TYPES[path.suffix], headers=SECURITY_HEADERS)
