"""The scaled-out deployment on 127.0.0.1, started once per test session and shared by the modules that need it.

    client ──> nginx (deploy/nginx.conf) public :web   ── /socket.io/ by client address ──> Rasa A | Rasa B
                                         internal :rest ── /webhooks/rest/ round robin ───> Rasa A, Rasa B
               Rasa A ─────────────> PostgreSQL            Rasa A ──────────────> Redis (lock store)
               Rasa B ──pg_relay───> (same database)      Rasa B ──redis_relay─> (same Redis)
               Rasa A, B ──> nginx :actions ──round robin──> action_relays[0] ──> session action server
                                                            action_relays[1] ──> a second action server

Both Rasa servers run as in production: the HTTP API on behind JWT, REST behind a bearer token. Rasa takes
~30 s and ~700 MB to start, so this is the only place extra Rasa servers are started (two), and tests that
restart one reuse its port. A is restarted by tests/test_persistence.py, B killed by tests/test_faults.py;
each test leaves its server running.
"""
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests

from tests import infra, servers

MODEL = servers.ROOT / "models" / "triage.tar.gz"
# nginx gives up on the action servers after this long and answers 504: the bound on a slow action server
# (Rasa's own action timeout is a hard-coded 300 s).
ACTION_READ_TIMEOUT = 4.0
# A killed server's conversation lock expires after this long (Rasa's default is 60 s).
LOCK_LIFETIME = 20

_cluster: Optional["Cluster"] = None
_failure: Optional[str] = None  # a failed start is not retried by every module
_lock = threading.Lock()


class RasaInstance:
    """One Rasa server of the cluster; restart() and crash() keep its port, so nginx keeps reaching it."""

    def __init__(self, cluster: "Cluster", name: str, env: Dict[str, str]) -> None:
        self.cluster, self.name, self.env = cluster, name, env
        self.port = servers.free_port()
        self.proc: Optional[servers.Service] = None
        self.starts = 0
        self.rest = servers.RestClient(self.url, token=cluster.rest_token)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.proc.log

    def start(self, attempts: int = 2) -> float:
        """Start the server; returns the seconds it took until it answered.

        A server killed by a signal while loading (seen on the shared CI machine, from outside the tests) is
        started once more; any other failure is raised at once.
        """
        for attempt in range(attempts):
            try:
                return self._start_once()
            except RuntimeError as error:
                if attempt + 1 == attempts or "exited early (-" not in str(error):
                    raise
        raise AssertionError("unreachable")

    def _start_once(self) -> float:
        self.starts += 1
        workdir = self.cluster.workdir / f"{self.name}-{self.starts}"
        workdir.mkdir()
        began = time.time()
        self.proc, _ = servers.start_rasa_server(
            workdir, self.cluster.nginx.actions_port, servers.ROOT / "credentials.yml", MODEL,
            extra_env=self.env, port=self.port,
            extra_args=["--enable-api", "--jwt-secret", self.cluster.jwt_secret, "--jwt-method", "HS256",
                        "--cors", Cluster.ORIGIN],
        )
        return time.time() - began

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()

    def crash(self) -> None:
        """kill -9: no shutdown handlers, no flush."""
        self.proc.process.kill()
        self.proc.process.wait(timeout=10)
        self.proc.stop()

    def send(self, sender: str, text: str, timeout: float = 60) -> List[Dict[str, Any]]:
        return self.rest.send(text, sender, timeout)


class Cluster:
    ORIGIN = "https://triage.example.org"

    def __init__(self, workdir: Path, action_server_port: int) -> None:
        self.workdir = workdir
        self.jwt_secret = secrets.token_urlsafe(32)  # per run, never in the repository
        self.rest_token = secrets.token_urlsafe(24)  # REST_AUTH_TOKEN, likewise
        self._stoppers: List[Any] = []
        try:
            self._start(action_server_port)
        except BaseException:
            self.stop()
            raise

    def _start(self, action_server_port: int) -> None:
        server = infra.postgres()
        self._stoppers.append(server.stop)
        self.pg = server.create_database(f"triage_e2e_{uuid.uuid4().hex[:10]}")
        self._stoppers.append(lambda: server.drop_database(self.pg.db))
        self.redis = infra.redis_server(self.workdir)
        self._stoppers.append(self.redis.stop)
        self.redis_db = 2  # the lock store's database; the session's other tests use no Redis
        self.second_action_server, second_port = servers.start_action_server(self.workdir)
        self._stoppers.append(self.second_action_server.stop)
        self.action_relays = [servers.Relay(action_server_port), servers.Relay(second_port)]
        self.pg_relay = servers.Relay(self.pg.port)
        self.redis_relay = servers.Relay(self.redis.port)
        self._stoppers += [r.close for r in (*self.action_relays, self.pg_relay, self.redis_relay)]
        common = {
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME), "REST_AUTH_TOKEN": self.rest_token,
            # The web chat is served at the public origin: its socket accepts that origin (channels/socketio.py).
            "WEB_ORIGINS": Cluster.ORIGIN,
        }
        self.a = RasaInstance(self, "rasa-a", {**common, **self.redis.lock_env(self.redis_db),
                                               **self.pg.tracker_env()})
        self.b = RasaInstance(self, "rasa-b", {**common, **self.redis.lock_env(self.redis_db, self.redis_relay.port),
                                               **self.pg.tracker_env(port=self.pg_relay.port)})
        self.nginx = infra.Nginx(self.workdir, [self.a.port, self.b.port], [r.port for r in self.action_relays],
                                 ACTION_READ_TIMEOUT)
        self._stoppers.append(self.nginx.stop)
        self.rest = servers.RestClient(self.rest_url, token=self.rest_token)  # REST through nginx
        self._stoppers += [self.a.stop, self.b.stop]
        # Both at once: the start is mostly loading TensorFlow and the model.
        errors: List[BaseException] = []
        self.start_seconds: Dict[str, float] = {}

        def start(instance: RasaInstance) -> None:
            try:
                self.start_seconds[instance.name] = instance.start()
            except BaseException as error:  # noqa: B902 - re-raised below
                errors.append(error)

        threads = [threading.Thread(target=start, args=(i,)) for i in (self.a, self.b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    @property
    def web_url(self) -> str:
        """nginx's public server: /chat/, /socket.io/, the WeChat callbacks."""
        return f"http://127.0.0.1:{self.nginx.public_port}"

    @property
    def rest_url(self) -> str:
        """nginx's internal server: the REST channel."""
        return f"http://127.0.0.1:{self.nginx.internal_port}"

    def token(self, username: str = "ops", role: str = "admin", secret: Optional[str] = None) -> str:
        import jwt

        payload = {"user": {"username": username, "role": role}, "exp": int(time.time()) + 300}
        return jwt.encode(payload, secret or self.jwt_secret, algorithm="HS256")

    def events(self, conversation: str) -> List[Dict[str, Any]]:
        """The stored events of a conversation (its stored id: rest_id(sender) for REST), by id."""
        import json

        conn = self.pg.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (conversation,))
                return [json.loads(row[0]) for row in cur.fetchall()]
        finally:
            conn.close()

    def set_action_delay(self, seconds: float) -> None:
        for relay in self.action_relays:
            relay.delay = seconds

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            try:
                stop()
            except Exception:
                pass


def get(request: pytest.FixtureRequest) -> Cluster:
    """The session's cluster, started on first use and stopped when the session ends."""
    global _cluster, _failure
    with _lock:
        if _failure:
            pytest.fail(f"the cluster did not start: {_failure}")
        if _cluster is None:
            if not MODEL.exists():
                pytest.fail(f"{MODEL} is missing: run `make train` (make test does it first)")
            workdir = request.getfixturevalue("workdir") / "cluster"
            workdir.mkdir(exist_ok=True)
            action_port = request.getfixturevalue("action_server")
            try:
                _cluster = Cluster(workdir, action_port)
            except Exception as error:
                _failure = str(error)[-2000:]
                raise
            request.session.config.add_cleanup(_cluster.stop)
        return _cluster


rest_id = servers.RestClient.conversation_id


def _questions() -> Dict[str, str]:
    import yaml

    domain = yaml.safe_load((servers.ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        name[len("utter_ask_"):]: variants[0]["text"]
        for name, variants in domain["responses"].items()
        if name.startswith("utter_ask_") and variants and variants[0].get("text")
    }


def question(turn: List[Dict[str, Any]]) -> Optional[str]:
    """The interview fact (onset_age, ...) a bot turn asks about, or None."""
    texts = [m.get("text") or "" for m in turn]
    for fact, text in _questions().items():
        if text in texts:
            return fact
    return None


def is_apology(turn: List[Dict[str, Any]]) -> bool:
    from channels import turn as turns

    return any(m.get("text") == turns.APOLOGY for m in turn) and turn[-1].get("disclaimer") is True
