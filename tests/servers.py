"""Real servers for end-to-end tests, all started through one helper (Service: start, readiness, stop, log):
the action server and the Rasa server; a TCP relay between them that a test can cut or slow down to play an
unreachable or slow action server; the one REST client; a fake WeChat API. tests/infra.py starts PostgreSQL,
Redis and nginx with the same Service."""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def terminate(process: Optional[subprocess.Popen], timeout: float) -> None:
    """Stop a server we started: SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Service:
    """A program a test starts, with its log: `wait_ready` polls a check until it passes, `stop` ends it.

    The one harness for every server the tests run (Rasa, the action server, PostgreSQL, Redis, nginx): a
    start that failed raises with the end of the log, and stop() is SIGTERM, then SIGKILL after `stop_timeout`.
    """

    def __init__(self, name: str, args: List[str], log: Path, env: Optional[Dict[str, str]] = None,
                 cwd: Path = ROOT, stop_timeout: float = 15) -> None:
        self.name, self.log, self.stop_timeout = name, Path(log), stop_timeout
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, check: Callable[[], bool], timeout: float) -> "Service":
        """Poll `check` (an exception counts as not yet) until it passes; raise if the program exits first."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early ({self.process.returncode}); log:\n{self.log_tail()}")
            try:
                if check():
                    return self
            except Exception:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; log:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        terminate(self.process, self.stop_timeout)
        self._log_file.close()


def http_ok(url: str, below: int = 400) -> Callable[[], bool]:
    """A readiness check: GET `url` answers with a status under `below`."""
    return lambda: requests.get(url, timeout=2).status_code < below


def accepts(*ports: int) -> Callable[[], bool]:
    """A readiness check: every port on 127.0.0.1 accepts a TCP connection."""
    def check() -> bool:
        for port in ports:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    return check


class RestClient:
    """Talks to POST /webhooks/rest/webhook as a patient (or an integration, with `token`) would."""

    def __init__(self, base_url: str, token: Optional[str] = None, timeout: float = 60) -> None:
        self.base_url, self.token, self.timeout = base_url, token, timeout

    def post(self, body: Any, timeout: Optional[float] = None, headers: Optional[Dict[str, str]] = None,
             ) -> requests.Response:
        """The raw response to `body` (a dict is sent as JSON, bytes as they are)."""
        headers = {"Content-Type": "application/json", **(headers or {})}
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        return requests.post(f"{self.base_url}/webhooks/rest/webhook", data=data, headers=headers,
                             timeout=timeout or self.timeout)

    def send(self, text: str, sender: str, timeout: Optional[float] = None) -> List[Dict[str, Any]]:
        reply = self.post({"sender": sender, "message": text}, timeout)
        reply.raise_for_status()
        return reply.json()

    @staticmethod
    def new_sender() -> str:
        return f"test-{uuid.uuid4().hex}"

    @staticmethod
    def conversation_id(sender: str) -> str:
        """The id the tracker store keeps a REST sender's conversation under (channels/rest.py namespaces it)."""
        import settings

        return settings.REST_SENDER_PREFIX + sender


class Relay:
    """A TCP relay 127.0.0.1:port -> target; `cut` makes it drop connections, `delay` slows each new one,
    `slow_marker` slows the requests that carry a marker."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.cut = False
        self.delay = 0.0
        # The responses to requests whose bytes contain `slow_marker` (e.g. one conversation's sender id in an
        # action call) are held `slow_seconds`; other requests, even on the same connection, are not.
        self.slow_marker: Optional[bytes] = None
        self.slow_seconds = 0.0
        self._open: set = set()  # live sockets, so drop() can end established connections too
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._server.settimeout(0.5)
        self._stopped = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        if self.cut:
            client.close()
            return
        if self.delay:
            time.sleep(self.delay)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        self._open.update((client, upstream))
        held = threading.Event()  # set when a marked request went out: its response is held back
        for a, b, outbound in ((client, upstream, True), (upstream, client, False)):
            threading.Thread(target=self._pipe, args=(a, b, outbound, held), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, outbound: bool, held: threading.Event) -> None:
        # The response is held, not the request: an upstream left idle mid-request would close the connection
        # (Sanic's keep-alive timeout is 5 s).
        tail = b""  # the end of the previous chunk, so a marker split between two chunks is still seen
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                marker = self.slow_marker
                if outbound and marker and marker in tail + data:
                    held.set()
                tail = data[-len(marker):] if marker else b""
                if not outbound and held.is_set():
                    held.clear()
                    time.sleep(self.slow_seconds)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def drop(self) -> None:
        """End every established connection (with `cut`, the target looks down: a database that went away)."""
        for s in list(self._open):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._open.clear()

    def close(self) -> None:
        self._stopped = True
        self._server.close()


# Fake credentials for the WeChat and WeCom channels (settings.py reads them from the environment).
WECHAT_TEST_ENV = {
    "WECHAT_TOKEN": "test-wechat-token",
    "WECHAT_APP_ID": "wx0123456789abcdef",
    "WECHAT_APP_SECRET": "test-app-secret",
    "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECHAT_API_BASE_URL": "http://127.0.0.1:9/cgi-bin/",
    "WECHAT_SENDER_KEY": "test-sender-key",
    "WECHAT_REPLY_BUDGET": "2.5",
    "WECOM_TOKEN": "test-wecom-token",
    "WECOM_CORP_ID": "ww0123456789abcdef",
    "WECOM_SECRET": "test-wecom-secret",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_ENCODING_AES_KEY": "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut",
    "WECOM_API_BASE_URL": "http://127.0.0.1:9/cgi-bin/",
}


class FakeWeChatAPI:
    """The WeChat and WeCom HTTP APIs on 127.0.0.1: token endpoints and text message sends, recorded.

    Official Account under /wechat/cgi-bin/, WeCom under /wecom/cgi-bin/. `expire_tokens()` makes every issued
    token invalid (errcode 40001), as WeChat does when a token is refreshed elsewhere.
    """

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlparse
        import json

        api = self
        self.lock = threading.Lock()
        self.sent: List[Dict] = []
        self.token_requests: List[str] = []
        self._tokens: set = set()
        # touser -> errcode: sends to these users are refused (45015: the user has been silent for 48 h).
        self.refuse: Dict[str, int] = {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, body: Dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                env = WECHAT_TEST_ENV
                if url.path == "/wechat/cgi-bin/token":
                    ok = query.get("appid") == env["WECHAT_APP_ID"] and query.get("secret") == env["WECHAT_APP_SECRET"]
                elif url.path == "/wecom/cgi-bin/gettoken":
                    ok = query.get("corpid") == env["WECOM_CORP_ID"] and query.get("corpsecret") == env["WECOM_SECRET"]
                else:
                    self.send_error(404)
                    return
                if not ok:
                    self._answer({"errcode": 40013, "errmsg": "invalid appid or secret"})
                    return
                with api.lock:
                    token = f"fake-token-{len(api.token_requests) + 1}"
                    api.token_requests.append(url.path)
                    api._tokens.add(token)
                self._answer({"access_token": token, "expires_in": 7200})

            def do_POST(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if url.path not in ("/wechat/cgi-bin/message/custom/send", "/wecom/cgi-bin/message/send"):
                    self.send_error(404)
                    return
                with api.lock:
                    if query.get("access_token") not in api._tokens:
                        self._answer({"errcode": 40001, "errmsg": "invalid credential"})
                        return
                    sent = json.loads(body.decode("utf-8"))
                    refused = api.refuse.get(sent.get("touser") or "")
                    if not refused:
                        api.sent.append({"path": url.path, "json": sent})
                if refused:
                    self._answer({"errcode": refused, "errmsg": "response out of time limit or subscription is canceled"})
                    return
                self._answer({"errcode": 0, "errmsg": "ok"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def env(self) -> Dict[str, str]:
        """The environment that points the Rasa server's WeChat and WeCom clients here."""
        return {
            "WECHAT_API_BASE_URL": f"http://127.0.0.1:{self.port}/wechat/cgi-bin/",
            "WECOM_API_BASE_URL": f"http://127.0.0.1:{self.port}/wecom/cgi-bin/",
        }

    def expire_tokens(self) -> None:
        with self.lock:
            self._tokens.clear()

    def sent_to(self, user: str, timeout: float = 0.0) -> List[Dict]:
        """The messages sent to `user` (an OpenID or WeCom UserID), waiting up to `timeout` for the first."""
        deadline = time.time() + timeout
        while True:
            with self.lock:
                found = [s["json"] for s in self.sent if user in (s["json"].get("touser") or "").split("|")]
            if found or time.time() >= deadline:
                return found
            time.sleep(0.05)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def socketio_client_over_websocket() -> None:
    """Let python-socketio's AsyncClient (the tests' patient) upgrade to a WebSocket.

    python-engineio 4.15's client builds aiohttp.ClientWSTimeout (aiohttp >= 3.10) for the upgrade; Rasa 3.6
    pins aiohttp 3.9, whose ws_connect takes the timeout as a float. Only the tests' client needs it: the Rasa
    server is python-engineio's server side, which does not use aiohttp. (Over long-polling alone the client's
    disconnect waits for the 25 s ping interval.)
    """
    import aiohttp

    if not hasattr(aiohttp, "ClientWSTimeout"):
        aiohttp.ClientWSTimeout = lambda ws_close=None, **_: ws_close or 10.0


def base_env(workdir: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TRACKER_DIALECT=env.get("TRACKER_DIALECT", "sqlite"),
        TRACKER_HOST=env.get("TRACKER_HOST", ""),
        TRACKER_DB=str(workdir / "tracker.db"),
        TRACKER_USER=env.get("TRACKER_USER", ""),
        TRACKER_PASSWORD=env.get("TRACKER_PASSWORD", ""),
        # deploy/endpoints.env.yml's lock store: in-memory unless a test passes a Redis one in extra (tests/cluster.py).
        LOCK_STORE_TYPE="in_memory",
        REDIS_HOST="127.0.0.1",
        REDIS_PORT="6379",
        REDIS_PASSWORD="",
        REDIS_DB="1",
        # The staff database (the handoff queue lives there; the console fixture uses the same file) and the
        # handoff endpoint's token; a person is reachable all day unless a test says otherwise.
        STAFF_DB_URL=f"sqlite:///{workdir / 'staff' / 'staff.db'}",
        HANDOFF_TOKEN="test-handoff-token",
        HANDOFF_HOURS="00:00-24:00",
        HANDOFF_DAYS="1234567",
        # Test-only WeChat/WeCom settings, never a shell's real ones; the API points nowhere unless a test's
        # FakeWeChatAPI is passed in extra.
        **WECHAT_TEST_ENV,
    )
    env.update(extra or {})
    return env


ENDPOINTS = ROOT / "deploy" / "endpoints.env.yml"  # every value from the environment (base_env)


def start_action_server(workdir: Path, port: Optional[int] = None, extra_env: Optional[Dict[str, str]] = None,
                        ) -> "tuple[Service, int]":
    port = port or free_port()
    service = Service(
        f"actions-{port}",
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        workdir / f"actions-{port}.log",
        base_env(workdir, extra_env),
    )
    service.wait_ready(http_ok(f"http://127.0.0.1:{port}/health"), 120)
    return service, port


def start_rasa_server(
    workdir: Path,
    action_port: int,
    credentials: Path,
    model: Path,
    extra_env: Optional[Dict[str, str]] = None,
    port: Optional[int] = None,
    extra_args: Optional[List[str]] = None,
) -> "tuple[Service, int]":
    port = port or free_port()
    env = base_env(
        workdir,
        {
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            # The web chat's socket accepts only the page's own origin (channels/socketio.py).
            "WEB_ORIGINS": f"http://127.0.0.1:{port} http://localhost:{port}",
            **(extra_env or {}),
        },
    )
    service = Service(
        f"rasa-{port}",
        [
            str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(ENDPOINTS),
            "--credentials", str(credentials), "--port", str(port), "--interface", "127.0.0.1",
            *(extra_args or []),
        ],
        workdir / f"rasa-{port}.log",
        env,
    )
    service.wait_ready(http_ok(f"http://127.0.0.1:{port}/health"), 240)  # 200 once the model is loaded
    return service, port


def start_staff_console(
    workdir: Path, rasa_url: str, extra_env: Optional[Dict[str, str]] = None, port: Optional[int] = None
) -> "tuple[Service, int]":
    """The staff console (`python -m staff`) over the session's tracker store, talking to `rasa_url`."""
    port = port or free_port()
    env = base_env(workdir, {"STAFF_HOST": "127.0.0.1", "STAFF_PORT": str(port), "RASA_URL": rasa_url, **(extra_env or {})})
    service = Service(f"staff-{port}", [str(BIN / "python"), "-m", "staff"], workdir / f"staff-{port}.log", env)
    service.wait_ready(http_ok(f"http://127.0.0.1:{port}/health"), 60)
    return service, port
