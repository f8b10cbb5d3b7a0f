"""The stock `rasa init` bot, the yardstick of `make bench`: created with the project's own Rasa, trained once
and cached in bench/results/stock-bot/ (gitignored), then served as generated (its credentials.yml and
endpoints.yml: REST channel, in-memory tracker and lock stores) next to ours on the same messages."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import servers  # noqa: E402

CACHE = ROOT / "bench" / "results" / "stock-bot"


def rasa_version() -> str:
    out = subprocess.run([str(servers.BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def ensure(log: Callable[[str], None] = print) -> Path:
    """The cached stock project (model.tar.gz, config, domain, credentials, endpoints), made once."""
    home = CACHE / f"rasa-{rasa_version()}"
    if (home / "model.tar.gz").exists():
        return home
    log(f"creating and training the stock `rasa init` bot once (cached in {home.relative_to(ROOT)}) ...")
    with tempfile.TemporaryDirectory() as tmp:
        # `rasa init --no-prompt` writes the project and trains it (DIET, ResponseSelector, TED, ...).
        subprocess.run([str(servers.BIN / "rasa"), "init", "--no-prompt", "--init-dir", tmp, "--quiet"], cwd=tmp,
                       env=servers.base_env(Path(tmp)), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=1800)
        models = sorted(Path(tmp, "models").glob("*.tar.gz"))
        if not models:
            raise RuntimeError("rasa init --no-prompt produced no model")
        staging = home.with_name(home.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy(models[-1], staging / "model.tar.gz")
        for name in ("config.yml", "domain.yml", "credentials.yml", "endpoints.yml"):
            shutil.copy(Path(tmp, name), staging / name)
        staging.rename(home)
    return home


def start(workdir: Path, home: Path) -> "tuple[servers.Service, int]":
    """`rasa run` on the cached stock project, from its own folder, logging to workdir."""
    port = servers.free_port()
    service = servers.Service(
        f"stock-rasa-{port}",
        [str(servers.BIN / "rasa"), "run", "--model", str(home / "model.tar.gz"), "--endpoints",
         str(home / "endpoints.yml"), "--credentials", str(home / "credentials.yml"), "--port", str(port),
         "--interface", "127.0.0.1"],
        workdir / f"stock-rasa-{port}.log", servers.base_env(workdir), cwd=home,
    )
    try:
        service.wait_ready(servers.http_ok(f"http://127.0.0.1:{port}/webhooks/rest/"), 300)
    except BaseException:
        service.stop()
        raise
    return service, port


if __name__ == "__main__":
    print(ensure())
