"""Real servers for end-to-end tests: the action server, the Rasa server, and a TCP relay between them
that a test can cut or slow down to play an unreachable or slow action server."""
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early ({process.returncode}); log:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} not up after {timeout}s; log:\n{log.read_text()[-4000:]}")


class Relay:
    """A TCP relay 127.0.0.1:port -> target; `cut` makes it drop connections, `delay` slows each one."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.cut = False
        self.delay = 0.0
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
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
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


class Process:
    """A server subprocess with its log file; stopped with terminate, then kill."""

    def __init__(self, name: str, args: List[str], env: Dict[str, str], workdir: Path) -> None:
        self.log = workdir / f"{name}.log"
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        terminate(self.process, 15)
        self._log_file.close()


# Fake credentials for the WeChat and WeCom channels (credentials.yml reads them from the environment).
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
        # endpoints.yml's lock store: in-memory unless a test passes a Redis one in extra (tests/cluster.py).
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


def start_action_server(workdir: Path, port: Optional[int] = None) -> "tuple[Process, int]":
    port = port or free_port()
    proc = Process(
        f"actions-{port}",
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        base_env(workdir),
        workdir,
    )
    wait_for(f"http://127.0.0.1:{port}/health", proc.process, 120, proc.log)
    return proc, port


def start_rasa_server(
    workdir: Path,
    action_port: int,
    credentials: Path,
    model: Path,
    extra_env: Optional[Dict[str, str]] = None,
    port: Optional[int] = None,
    extra_args: Optional[List[str]] = None,
) -> "tuple[Process, int]":
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
    proc = Process(
        f"rasa-{port}",
        [
            str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(ROOT / "endpoints.yml"),
            "--credentials", str(credentials), "--port", str(port), "--interface", "127.0.0.1",
            *(extra_args or []),
        ],
        env,
        workdir,
    )
    wait_for(f"http://127.0.0.1:{port}/webhooks/rest/", proc.process, 240, proc.log)
    return proc, port


def start_staff_console(
    workdir: Path, rasa_url: str, extra_env: Optional[Dict[str, str]] = None, port: Optional[int] = None
) -> "tuple[Process, int]":
    """The staff console (`python -m staff`) over the session's tracker store, talking to `rasa_url`."""
    port = port or free_port()
    env = base_env(workdir, {"STAFF_HOST": "127.0.0.1", "STAFF_PORT": str(port), "RASA_URL": rasa_url, **(extra_env or {})})
    proc = Process(f"staff-{port}", [str(BIN / "python"), "-m", "staff"], env, workdir)
    wait_for(f"http://127.0.0.1:{port}/health", proc.process, 60, proc.log)
    return proc, port
