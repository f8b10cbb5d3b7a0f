"""PostgreSQL, Redis and nginx on 127.0.0.1 for the end-to-end tests, started with tests/servers.Service.

CI (.ci/run) starts Debian's postgresql and redis-server and exports TEST_PG_* and TEST_REDIS_*; the tests use
those. Without them the tests start throwaway instances here from the installed Debian packages. A test
skips only when the program is not installed at all (and CI is not set); once it is installed, any failure
to start or reach it fails the test, so a machine with the packages cannot look green without running them.
nginx runs deploy/nginx.conf itself, with local addresses (production_nginx).
"""
import glob
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.servers import ROOT, Service, accepts, free_port


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def not_installed(reason: str) -> None:
    """Skip a test whose program is not installed on a developer's machine; fail in CI, where it must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: .ci/run installs and starts it)")
    pytest.skip(reason)


@dataclass
class Postgres:
    """Connection settings for one database; tracker_env() is what deploy/endpoints.env.yml reads."""

    host: str
    port: int
    user: str
    password: str
    db: str
    service: Optional[Service] = None
    datadir: Optional[str] = None

    def tracker_env(self, port: Optional[int] = None) -> Dict[str, str]:
        """TRACKER_* for a Rasa server, optionally reaching the database through another port (a relay)."""
        return {
            "TRACKER_DIALECT": "postgresql",
            "TRACKER_HOST": f"{self.host}:{port or self.port}",
            "TRACKER_DB": self.db,
            "TRACKER_USER": self.user,
            "TRACKER_PASSWORD": self.password,
        }

    def connect(self, db: Optional[str] = None):
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=db or self.db,
            connect_timeout=5,
        )

    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.db}"

    def create_database(self, name: str) -> "Postgres":
        """A fresh, empty database on the same server (each test module gets its own)."""
        conn = self.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return Postgres(self.host, self.port, self.user, self.password, name)

    def drop_database(self, name: str) -> None:
        conn = self.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()

    def stop(self) -> None:
        if self.service:
            self.service.stop()  # SIGTERM: PostgreSQL's smart shutdown
        if self.datadir:
            shutil.rmtree(self.datadir, ignore_errors=True)


def postgres() -> Postgres:
    """The server from TEST_PG_* (CI), else a throwaway cluster from the installed Debian postgresql."""
    if os.environ.get("TEST_PG_HOST"):
        server = Postgres(
            os.environ["TEST_PG_HOST"], int(os.environ.get("TEST_PG_PORT", "5432")),
            os.environ.get("TEST_PG_USER", "triage"), os.environ.get("TEST_PG_PASSWORD", ""),
            os.environ.get("TEST_PG_DB", "triage_test"),
        )
        try:
            server.connect().close()
        except Exception as error:  # the settings are there, so a failure is a real failure
            pytest.fail(f"PostgreSQL from TEST_PG_* is not reachable: {error}")
        return server
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = binaries[-1] if binaries else shutil.which("initdb")
    if not initdb:
        not_installed("PostgreSQL is not installed (apt-get install postgresql) and TEST_PG_HOST is not set")
    bindir = Path(initdb).parent
    # PostgreSQL refuses to run as root; run it as the postgres user the Debian package creates.
    as_user: List[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:  # installed, so a failure, not a skip
            pytest.fail("running as root and there is no postgres user to run PostgreSQL as")
        as_user = ["runuser", "-u", "postgres", "--"]
    datadir = tempfile.mkdtemp(prefix="triage-pg-")
    if as_user:
        shutil.chown(datadir, "postgres", "postgres")
    password = secrets.token_urlsafe(16)
    pwfile = Path(datadir) / "pw"
    pwfile.write_text(password)
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    data = Path(datadir) / "data"
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "triage", f"--pwfile={pwfile}",
         "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    pwfile.unlink()
    port = free_port()
    service = Service(
        "postgres",
        [*as_user, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", datadir,
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
        Path(datadir) / "postgres.log", stop_timeout=20,
    )
    server = Postgres("127.0.0.1", port, "triage", password, "postgres", service, datadir)
    service.wait_ready(lambda: server.connect().close() is None, 60)
    return server


@dataclass
class Redis:
    host: str
    port: int
    password: str = ""
    service: Optional[Service] = None

    def lock_env(self, db: int, port: Optional[int] = None) -> Dict[str, str]:
        """deploy/endpoints.env.yml's lock store on this Redis, database `db`, optionally through another port."""
        return {
            "LOCK_STORE_TYPE": "persistence.lock_store.AtomicRedisLockStore", "REDIS_HOST": self.host,
            "REDIS_PORT": str(port or self.port),
            "REDIS_PASSWORD": self.password, "REDIS_DB": str(db),
        }

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host=self.host, port=self.port, password=self.password or None, db=db, socket_timeout=5)

    def stop(self) -> None:
        if self.service:
            self.service.stop()


def redis_server(workdir: Path) -> Redis:
    """The Redis from TEST_REDIS_* (CI), else a throwaway redis-server without persistence."""
    if os.environ.get("TEST_REDIS_HOST"):
        server = Redis(
            os.environ["TEST_REDIS_HOST"], int(os.environ.get("TEST_REDIS_PORT", "6379")),
            os.environ.get("TEST_REDIS_PASSWORD", ""),
        )
        try:
            server.client().ping()
        except Exception as error:
            pytest.fail(f"Redis from TEST_REDIS_* is not reachable: {error}")
        return server
    binary = shutil.which("redis-server")
    if not binary:
        not_installed("redis-server is not installed (apt-get install redis-server) and TEST_REDIS_HOST is not set")
    port = free_port()
    service = Service(
        f"redis-{port}",
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        workdir / f"redis-{port}.log", stop_timeout=10,
    )
    server = Redis("127.0.0.1", port, "", service)
    service.wait_ready(lambda: bool(server.client().ping()), 20)
    return server


# An nginx access log line in deploy/nginx.conf's `triage` format.
LOG_LINE = re.compile(r'^(?P<addr>\S+) \[[^\]]*\] "(?P<method>\S+) (?P<uri>\S*) [^"]*" (?P<status>\d+) \S+ \S+ '
                      r'"(?P<upstream>[^"]*)"$')


class Nginx:
    """deploy/nginx.conf run on 127.0.0.1: the production layout with local addresses, ports and no TLS.

    `rasa` and `actions` are the upstream ports standing in for rasa-1/rasa-2 and actions-1/actions-2;
    `public_port`, `internal_port` and `actions_port` replace 443, 8080 and 5055; `action_read_timeout`
    replaces the 10 s bound on a slow action server. Every substitution must apply, so a change in the
    production file's shape fails here instead of testing something else.
    """

    PRODUCTION = ROOT / "deploy" / "nginx.conf"

    def __init__(self, workdir: Path, rasa: List[int], actions: List[int], action_read_timeout: float) -> None:
        binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if not binary:
            not_installed("nginx is not installed (apt-get install nginx-light)")
        self.prefix = workdir / f"nginx-{uuid.uuid4().hex[:6]}"
        self.prefix.mkdir()
        self.access_log = self.prefix / "access.log"
        self.public_port, self.internal_port, self.actions_port = free_port(), free_port(), free_port()
        site = production_nginx(
            self.PRODUCTION.read_text(),
            {"rasa-1:5005": f"127.0.0.1:{rasa[0]}", "rasa-2:5005": f"127.0.0.1:{rasa[1]}",
             "actions-1:5055": f"127.0.0.1:{actions[0]}", "actions-2:5055": f"127.0.0.1:{actions[1]}"},
            {"443 ssl http2": f"127.0.0.1:{self.public_port}", "8080": f"127.0.0.1:{self.internal_port}",
             "5055": f"127.0.0.1:{self.actions_port}"},
            self.access_log, action_read_timeout,
        )
        (self.prefix / "site.conf").write_text(site)
        temp = "".join(f"  {kind}_temp_path {self.prefix}/{kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # Started as root, nginx's workers would run as nobody, who cannot enter the tests' 0700 temporary
        # directories: request bodies over 16 KB (every action call) would fail with 500.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.prefix / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {self.prefix}/nginx.pid;\nerror_log {self.prefix}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n{temp}  include {self.prefix}/site.conf;\n}}\n"
        )
        self.service = Service(
            "nginx", [binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
                      "-e", str(self.prefix / "error.log")],
            self.prefix / "stderr.log", stop_timeout=10,
        )
        self.service.wait_ready(accepts(self.public_port, self.internal_port, self.actions_port), 20)

    def requests_logged(self) -> List[Dict[str, str]]:
        """Every request in the access log, parsed (addr, method, uri, status, upstream)."""
        if not self.access_log.exists():
            return []
        lines = self.access_log.read_text().splitlines()
        parsed = [LOG_LINE.match(line) for line in lines]
        assert all(parsed), f"access log lines not in the triage format: {[l for l, p in zip(lines, parsed) if not p]}"
        return [match.groupdict() for match in parsed]

    def upstreams_used(self, uri_part: str, addr: Optional[str] = None) -> List[str]:
        """The upstream that served each logged request whose URI contains `uri_part` (from `addr`), in order."""
        used = []
        for entry in self.requests_logged():
            # "-" when nginx answered itself (413, 404); "a, b" when it moved on from a: b answered.
            if uri_part in entry["uri"] and ":" in entry["upstream"] and addr in (None, entry["addr"]):
                used.append(entry["upstream"].split(",")[-1].strip())
        return used

    def stop(self) -> None:
        self.service.stop()


def production_nginx(conf: str, upstreams: Dict[str, str], listens: Dict[str, str], access_log: Path,
                     action_read_timeout: float) -> str:
    """deploy/nginx.conf with local upstreams, listen addresses and log, TLS removed."""

    def swap(text: str, old: str, new: str) -> str:
        if old not in text:
            raise AssertionError(f"deploy/nginx.conf no longer contains {old!r}: update tests/infra.py")
        return text.replace(old, new)

    for name, address in upstreams.items():
        conf = swap(conf, f"server {name}", f"server {address}")
    for listen, address in listens.items():
        conf = swap(conf, f"listen {listen};", f"listen {address};")
    conf = swap(conf, "/var/log/nginx/triage.access.log", str(access_log))
    conf = swap(conf, "proxy_read_timeout 10s;", f"proxy_read_timeout {int(action_read_timeout * 1000)}ms;")
    tls = [line for line in conf.splitlines() if line.strip().startswith("ssl_certificate")]
    if len(tls) != 2:
        raise AssertionError("deploy/nginx.conf: expected ssl_certificate and ssl_certificate_key")
    return "\n".join(line for line in conf.splitlines() if line not in tls) + "\n"
