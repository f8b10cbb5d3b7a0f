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

    def close(self) -> None:
        self._stopped = True
        self._server.close()


class Process:
    """A server subprocess with its log file; stopped with terminate, then kill."""

    def __init__(self, name: str, args: List[str], env: Dict[str, str], workdir: Path) -> None:
        self.log = workdir / f"{name}.log"
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()


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
    env = base_env(workdir, {"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook", **(extra_env or {})})
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
