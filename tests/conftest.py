"""Shared fixtures: the knowledge file, and the real servers started once per test session."""
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests import servers

MODEL = servers.ROOT / "models" / "triage.tar.gz"


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def action_server(workdir):
    proc, port = servers.start_action_server(workdir)
    yield port
    proc.stop()


@pytest.fixture(scope="session")
def relay(action_server):
    """The Rasa server reaches the action server through this relay, so tests can cut it."""
    relay = servers.Relay(action_server)
    yield relay
    relay.close()


@pytest.fixture(scope="session")
def wechat_api():
    """The fake WeChat/WeCom API (tokens, customer-service messages) the Rasa server's channels call."""
    api = servers.FakeWeChatAPI()
    yield api
    api.close()


@pytest.fixture(scope="session")
def rasa_server(workdir, relay, wechat_api):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it first)")
    proc, port = servers.start_rasa_server(
        workdir, relay.port, servers.ROOT / "credentials.yml", MODEL, extra_env=wechat_api.env
    )
    yield f"http://127.0.0.1:{port}"
    proc.stop()


@pytest.fixture(scope="session")
def rest(rasa_server) -> servers.RestClient:
    return servers.RestClient(rasa_server, timeout=30)


@pytest.fixture(autouse=True)
def _relay_restored(request):
    """A test that cuts or slows the relay cannot leak that into the next test."""
    yield
    if "relay" in request.fixturenames:
        relay = request.getfixturevalue("relay")
        relay.cut, relay.delay, relay.slow_marker = False, 0.0, None


# ---- fixtures for actions, without Rasa (financial-demo style) ----

import yaml  # noqa: E402
from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The domain as a dict, as the action server receives it."""
    return yaml.safe_load((servers.ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    text: str = "",
    intent: str = "describe_symptoms",
    slots: Dict[str, Any] = None,
    entities: List[Dict[str, Any]] = None,
    events: List[Dict[str, Any]] = None,
    latest_message: Dict[str, Any] = None,
) -> Tracker:
    message = latest_message or {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "message_id": uuid.uuid4().hex,
    }
    return Tracker(
        sender_id="unit-test",
        slots=slots or {},
        latest_message=message,
        events=events if events is not None else [{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def tracker_for():
    return make_tracker


# ---- the staff console (staff/), once per session, over the session's tracker store ----

STAFF_PASSWORD = "staff password 1"
STAFF_ACCOUNTS = {"editor1": "editor", "editor2": "editor", "viewer1": "viewer"}


@pytest.fixture(scope="session")
def staff_console(workdir, rasa_server, action_server):
    """The console's URL and its folders (reviewed NLU, saved stories, check reports), with three accounts.

    Its checks run the stories in `check_stories/` and `stories/` against the session's servers.
    """
    from staff import auth
    from staff.db import StaffDB

    home = workdir / "staff"
    folders = {name: home / name for name in ("reviewed", "stories", "reports", "check_stories")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{home / 'staff.db'}"
    database = StaffDB(db_url)
    for name, role in STAFF_ACCOUNTS.items():
        auth.set_user(database, name, STAFF_PASSWORD, role)
    database.engine.dispose()
    proc, port = servers.start_staff_console(workdir, rasa_server, {
        "STAFF_DB_URL": db_url,
        "STAFF_NLU_DIR": str(folders["reviewed"]),
        "STAFF_STORIES_DIR": str(folders["stories"]),
        "STAFF_REPORTS_DIR": str(folders["reports"]),
        "STAFF_CHECK_STORIES": f"{folders['check_stories']} {folders['stories']}",
        "STAFF_CHECK_RASA_URL": rasa_server,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_server}/webhook",
        "STAFF_CHECK_TRACKER_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "STAFF_LOGIN_MAX_FAILURES": "3",
        "STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS": "100",
    })
    yield {"url": f"http://127.0.0.1:{port}", "db_url": db_url, **folders}
    proc.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright, one per test module (widget, console, handoff)."""
    from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (.ci/run does this)")
    if not (servers.ROOT / "web" / "dist" / "app.js").exists():
        pytest.fail("web/dist is not built: run `make web` (make test does it first)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
