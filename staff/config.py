"""The console's settings, read from the environment once; nothing here connects to anything."""
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Text

ROOT = Path(__file__).resolve().parent.parent


def _int(env: Mapping[Text, Text], key: Text, default: int) -> int:
    return int(env.get(key) or default)


def _float(env: Mapping[Text, Text], key: Text, default: float) -> float:
    return float(env.get(key) or default)


@dataclass
class Config:
    host: Text = "127.0.0.1"
    port: int = 5006
    # The staff database: users, sessions, audit log, inbox decisions, check runs.
    staff_db_url: Text = f"sqlite:///{ROOT / '.rasa' / 'staff.db'}"
    # The tracker store, as endpoints.yml names it (read only).
    tracker: Dict[Text, Optional[Text]] = field(default_factory=dict)
    rasa_url: Text = "http://127.0.0.1:5005"
    # The REST channel's bearer token (settings.REST_AUTH_TOKEN), when the Rasa server requires one.
    rest_token: Text = ""
    # Below this intent confidence a message goes to the NLU inbox (and counts as "low confidence").
    low_confidence: float = 0.6
    # Login throttling: this many failures for one account or address within the window lock it out.
    login_max_failures: int = 5
    # Per address it is higher: one address trying many account names is spraying passwords.
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900
    login_lockout_seconds: int = 60
    session_hours: int = 12
    secure_cookie: bool = False
    nlu_dir: Path = ROOT / "data" / "nlu" / "reviewed"
    stories_dir: Path = ROOT / "tests" / "stories"
    model_path: Path = ROOT / "models" / "triage.tar.gz"
    reports_dir: Path = ROOT / "reports" / "checks"
    # The story files a check runs: tests/test_stories.yml and every tests/stories/test_*.yml.
    check_stories: List[Path] = field(default_factory=lambda: [ROOT / "tests" / "test_stories.yml", ROOT / "tests" / "stories"])
    # Empty: the story check starts its own servers (patients' conversations stay apart from test runs).
    check_rasa_url: Text = ""
    check_tracker_url: Text = ""

    @classmethod
    def from_env(cls, env: Optional[Mapping[Text, Text]] = None) -> "Config":
        env = dict(os.environ if env is None else env)
        stories = env.get("STAFF_CHECK_STORIES")
        return cls(
            host=env.get("STAFF_HOST") or "127.0.0.1",
            port=_int(env, "STAFF_PORT", 5006),
            staff_db_url=env.get("STAFF_DB_URL") or cls.staff_db_url,
            tracker={
                "dialect": env.get("TRACKER_DIALECT") or "sqlite",
                "host": env.get("TRACKER_HOST") or None,
                "db": env.get("TRACKER_DB") or str(ROOT / ".rasa" / "tracker.db"),
                "username": env.get("TRACKER_USER") or None,
                "password": env.get("TRACKER_PASSWORD") or None,
            },
            rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{env.get('RASA_PORT') or 5005}").rstrip("/"),
            rest_token=env.get("REST_AUTH_TOKEN") or "",
            low_confidence=_float(env, "STAFF_LOW_CONFIDENCE", 0.6),
            login_max_failures=_int(env, "STAFF_LOGIN_MAX_FAILURES", 5),
            login_max_failures_per_address=_int(env, "STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
            login_window_seconds=_int(env, "STAFF_LOGIN_WINDOW_SECONDS", 900),
            login_lockout_seconds=_int(env, "STAFF_LOGIN_LOCKOUT_SECONDS", 60),
            session_hours=_int(env, "STAFF_SESSION_HOURS", 12),
            secure_cookie=(env.get("STAFF_SECURE_COOKIE") or "") == "1",
            nlu_dir=Path(env.get("STAFF_NLU_DIR") or cls.nlu_dir),
            stories_dir=Path(env.get("STAFF_STORIES_DIR") or cls.stories_dir),
            model_path=Path(env.get("STAFF_MODEL") or cls.model_path),
            reports_dir=Path(env.get("STAFF_REPORTS_DIR") or cls.reports_dir),
            check_stories=[Path(p) for p in stories.split()] if stories else cls().check_stories,
            check_rasa_url=env.get("STAFF_CHECK_RASA_URL") or "",
            check_tracker_url=env.get("STAFF_CHECK_TRACKER_URL") or "",
        )

    @property
    def tracker_url(self):
        """The tracker store's SQLAlchemy URL, built as Rasa's SQLTrackerStore.get_db_url builds it
        (without importing Rasa, which would add seconds and hundreds of MB to the console)."""
        return tracker_db_url(**self.tracker)


def tracker_db_url(dialect=None, host=None, db=None, username=None, password=None, port=None):
    """sqlite: the file path; other dialects: host[:port], user, password, database (Rasa's rules)."""
    from sqlalchemy.engine.url import URL

    dialect = dialect or "sqlite"
    db = db or "rasa.db"
    if dialect == "sqlite":
        return f"sqlite:///{db}"
    if host and ":" in host and port is None:
        host, _, port = host.partition(":")
    return URL.create(
        drivername=dialect, username=username, password=password, host=host,
        port=int(port) if port else None, database=db,
    )
