"""The staff database (STAFF_DB_URL): accounts, sessions, login failures, the audit log, inbox decisions and
check runs. SQLAlchemy Core; the tables are created on first use. The tracker store is never written."""
import time
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "staff_users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), unique=True, nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)

sessions = sa.Table(
    "staff_sessions", metadata,
    # sha256 of the cookie value: a copy of the database does not give working sessions.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
)

login_failures = sa.Table(
    "staff_login_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("address", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
)

audit = sa.Table(
    "staff_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.Text, nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

inbox = sa.Table(
    "staff_inbox_decisions", metadata,
    sa.Column("message_key", sa.String(128), primary_key=True),  # sender:message_id
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),  # confirmed | corrected | not_useful
    sa.Column("intent", sa.String(128)),
    sa.Column("example", sa.Text),  # the text with entity markup, as written to the YAML
    sa.Column("file", sa.Text),
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

check_runs = sa.Table(
    "staff_check_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # stories | nlu
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("finished", sa.Float),
    sa.Column("status", sa.String(16), nullable=False),  # running | passed | failed | cancelled | error
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("directory", sa.Text, nullable=False),
)


class StaffDB:
    """A thin handle on the staff database: one engine, small named queries."""

    def __init__(self, url: Any) -> None:
        self.url = url
        kwargs: Dict[Text, Any] = {"future": True}
        if str(url).startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            path = str(url).split("sqlite:///", 1)[-1]
            if path and path != ":memory:":
                from pathlib import Path

                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(url, **kwargs)
        try:
            metadata.create_all(self.engine)
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError):
            # Several processes (Rasa, action servers, the console) starting on an empty database at once:
            # another one created a table between our check and our CREATE. Its tables are there now.
            metadata.create_all(self.engine)

    def execute(self, statement: Any, params: Any = None) -> Any:
        with self.engine.begin() as conn:
            return conn.execute(statement, params) if params is not None else conn.execute(statement)

    def rows(self, statement: Any) -> List[Dict[Text, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(statement)]

    def row(self, statement: Any) -> Optional[Dict[Text, Any]]:
        found = self.rows(statement)
        return found[0] if found else None

    # ---- audit
    def record(self, user: Text, action: Text, target: Text = "", detail: Text = "") -> None:
        self.execute(audit.insert().values(at=time.time(), user=user, action=action, target=target, detail=detail))

    def audit_log(self, limit: int = 200) -> List[Dict[Text, Any]]:
        return self.rows(sa.select(audit).order_by(audit.c.id.desc()).limit(limit))


# ---- human handoff (staff/handoff.py): one row per request for a person, shared by every Rasa and console
# process, so a claim is one atomic UPDATE whichever process makes it.
handoffs = sa.Table(
    "staff_handoffs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender", sa.String(128), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False, default=""),
    # waiting | claimed | message (the patient may leave a call-back message) | ended
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("claimed_at", sa.Float),
    sa.Column("ended_at", sa.Float),
    # staff | timeout | closed | message | cancelled | no_message
    sa.Column("end_reason", sa.String(16)),
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("triage_result", sa.Text, nullable=False, default=""),  # JSON, or ""
    sa.Column("urgent", sa.Boolean, nullable=False, default=False),  # an emergency was typed while waiting
    # Where WeChat's customer-service API sends (the OpenID): kept only while the handoff is open.
    sa.Column("reply_to", sa.String(128)),
    sa.Column("callback", sa.Text),  # the message left for a call-back
    sa.Column("callback_at", sa.Float),
    sa.Column("callback_done_by", sa.String(64)),
)
