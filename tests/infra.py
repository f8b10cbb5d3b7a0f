"""PostgreSQL, Redis and nginx on 127.0.0.1 for the end-to-end tests.

CI (.ci/run) starts Debian's postgresql and redis-server and exports TEST_PG_* and TEST_REDIS_*; the tests use
those. A developer without them gets throwaway instances started here from the installed Debian packages;
without the packages the tests skip with the reason, except under CI=true, where they fail.
nginx is always started here, because its upstreams are the tests' own ports.
"""
import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.servers import free_port, terminate


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip a test for a missing service on a developer's machine; fail in CI, where it must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: .ci/run installs and starts it)")
    pytest.skip(reason)


def _wait(check, timeout: float, what: str, log: Optional[Path] = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} not ready after {timeout}s\n{tail}")


@dataclass
class Postgres:
    """Connection settings for one database; `env` is what endpoints.yml's tracker store reads."""

    host: str
    port: int
    user: str
    password: str
    db: str
    process: Optional[subprocess.Popen] = None
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
        terminate(self.process, 20)  # SIGTERM: PostgreSQL's smart shutdown
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
        unavailable("PostgreSQL is not installed (apt-get install postgresql) and TEST_PG_HOST is not set")
    bindir = Path(initdb).parent
    # PostgreSQL refuses to run as root; run it as the postgres user the Debian package creates.
    as_user: List[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no postgres user to run PostgreSQL as")
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
    log = Path(datadir) / "postgres.log"
    log_file = open(log, "w")
    if as_user:
        shutil.chown(log, "postgres", "postgres")
    process = subprocess.Popen(
        [*as_user, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", datadir,
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
        stdout=log_file, stderr=subprocess.STDOUT,
    )
    server = Postgres("127.0.0.1", port, "triage", password, "postgres", process, datadir)

    def ready() -> bool:
        try:
            server.connect().close()
            return True
        except Exception:
            return False

    _wait(ready, 60, "PostgreSQL", log)
    return server


@dataclass
class Redis:
    host: str
    port: int
    password: str = ""
    process: Optional[subprocess.Popen] = None

    def lock_env(self, db: int) -> Dict[str, str]:
        """endpoints.yml's lock store on this Redis, database `db`."""
        return {
            "LOCK_STORE_TYPE": "persistence.lock_store.AtomicRedisLockStore", "REDIS_HOST": self.host, "REDIS_PORT": str(self.port),
            "REDIS_PASSWORD": self.password, "REDIS_DB": str(db),
        }

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host=self.host, port=self.port, password=self.password or None, db=db, socket_timeout=5)

    def stop(self) -> None:
        terminate(self.process, 10)


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
        unavailable("redis-server is not installed (apt-get install redis-server) and TEST_REDIS_HOST is not set")
    port = free_port()
    log = workdir / "redis.log"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=open(log, "w"), stderr=subprocess.STDOUT,
    )
    server = Redis("127.0.0.1", port, "", process)

    def ready() -> bool:
        try:
            return bool(server.client().ping())
        except Exception:
            return False

    _wait(ready, 20, "redis-server", log)
    return server


class Nginx:
    """nginx on 127.0.0.1 with a round-robin upstream per listening port: {port: [upstream ports]}.

    `read_timeouts` sets proxy_read_timeout per listening port; the access log records which upstream served
    each request.
    """

    def __init__(self, workdir: Path, sites: Dict[int, List[int]], read_timeouts: Dict[int, float]) -> None:
        binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if not binary:
            unavailable("nginx is not installed (apt-get install nginx-light)")
        self.prefix = workdir / f"nginx-{uuid.uuid4().hex[:6]}"
        self.prefix.mkdir()
        self.access_log = self.prefix / "access.log"
        servers = []
        for i, (listen, upstreams) in enumerate(sites.items()):
            members = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n" for p in upstreams)
            servers.append(
                f"  upstream site{i} {{\n{members}  }}\n"
                f"  server {{\n"
                f"    listen 127.0.0.1:{listen};\n"
                f"    error_page 413 @too_large;\n"
                f"    location @too_large {{\n"
                f"      default_type application/json;\n"
                f"      return 413 '{{\"error\": \"request body too large (limit 1 MB)\"}}';\n"
                f"    }}\n"
                f"    location / {{\n"
                f"      proxy_pass http://site{i};\n"
                f"      proxy_http_version 1.1;\n"
                f"      proxy_set_header Connection \"\";\n"
                f"      proxy_read_timeout {int(read_timeouts.get(listen, 60) * 1000)}ms;\n"
                f"      proxy_next_upstream error;\n"
                f"    }}\n"
                f"  }}\n"
            )
        temp = "".join(
            f"  {kind}_temp_path {self.prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.prefix / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\ndaemon off;\npid {self.prefix}/nginx.pid;\n"
            f"error_log {self.prefix}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "  log_format upstreams '$request_uri\\t$status\\t$upstream_addr';\n"
            f"  access_log {self.access_log} upstreams;\n"
            "  client_max_body_size 1m;\n"
            f"{temp}"
            f"{''.join(servers)}"
            "}\n"
        )
        self.process = subprocess.Popen(
            [binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e", str(self.prefix / "error.log")],
            stdout=subprocess.DEVNULL, stderr=open(self.prefix / "stderr.log", "w"),
        )
        import socket

        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.prefix / 'stderr.log').read_text()}")
            try:
                for listen in sites:
                    socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                return True
            except OSError:
                return False

        _wait(ready, 20, "nginx", self.prefix / "error.log")

    def upstreams_used(self, uri_part: str) -> List[str]:
        """The upstream address of every logged request whose URI contains `uri_part`, in order."""
        if not self.access_log.exists():
            return []
        used = []
        for line in self.access_log.read_text().splitlines():
            uri, _, upstream = (line.split("\t") + ["", ""])[:3]
            # "-" when nginx answered itself (413); "a, b" when it moved on from a: b answered.
            if uri_part in uri and ":" in upstream:
                used.append(upstream.split(",")[-1].strip())
        return used

    def stop(self) -> None:
        terminate(self.process, 10)
