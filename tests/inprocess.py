"""A channel's blueprint served by Sanic in a background thread, with a fake Rasa behind it.

Exercises a channel over real HTTP (and socket.io) without a model: what the channel does before and after
the bot (limits, protocol checks, replies) is tested in seconds. Clients are the ordinary blocking ones.
"""
import asyncio
import threading
import uuid
from typing import Any, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic


class FakeRasa:
    """Plays on_new_message: answers each text with a reply, optionally slowly, and counts the turns."""

    def __init__(self, delay: float = 0.0, reply: Optional[Callable[[str], List[Dict[str, Any]]]] = None) -> None:
        self.delay, self.texts, self.senders = delay, [], []
        self.reply = reply or (lambda text: [{"text": f"echo:{text}"}])

    async def __call__(self, message: UserMessage) -> None:
        self.texts.append(message.text)
        self.senders.append(message.sender_id)
        await asyncio.sleep(self.delay)
        for m in self.reply(message.text):
            await message.output_channel.send_response(message.sender_id, m)


class ChannelServer:
    """Serves `channel` at its Rasa URL prefix (/webhooks/<name>/...) on 127.0.0.1, in its own event loop."""

    def __init__(self, channel: InputChannel, rasa: Optional[FakeRasa] = None) -> None:
        self.channel, self.rasa = channel, rasa or FakeRasa()
        self.app = Sanic(f"test_{channel.name()}_{uuid.uuid4().hex[:8]}", configure_logging=False)
        # Sanic 21.12's TouchUp rewrites shared class methods at each start; outside test mode a second app in
        # the same process then fails with KeyError 'http1_response_header' (test mode keeps the originals).
        Sanic.test_mode = True  # class-level in Sanic 21.12; only in-process test apps run in this process
        self.app.blueprint(channel.blueprint(self.rasa), url_prefix=f"/webhooks/{channel.name()}")
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(20) or self._error:
            raise RuntimeError(f"in-process server did not start: {self._error}")

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.server = self.loop.run_until_complete(
                self.app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False)
            )
            self.loop.run_until_complete(self.server.startup())
            self.port = self.server.server.sockets[0].getsockname()[1]
        except BaseException as error:  # reported to the constructor
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, coroutine: Any, timeout: float = 10) -> Any:
        """Run a coroutine in the server's loop (where the channel's state lives) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()
            await self.server.wait_closed()

        try:
            self.call(close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
