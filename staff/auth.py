"""Accounts, sessions, CSRF, roles, login throttling and the audit log: the one layer every route passes
through (`guard`). Views never check a session or a token themselves."""
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from functools import wraps
from typing import Any, Awaitable, Callable, Optional, Text, Tuple

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from staff import db

ROLES = ("viewer", "editor")
ROLE_LABELS = {"viewer": "只读", "editor": "编辑"}
SESSION_COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_hasher = PasswordHasher()
# Verified against when the account does not exist, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
# Pages need their own script and style only; forms post to the console itself.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class User:
    id: int
    name: Text
    role: Text
    csrf: Text = ""

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


# ---------------------------------------------------------------- accounts

def hash_password(password: Text) -> Text:
    return _hasher.hash(password)


def set_user(database: db.StaffDB, name: Text, password: Text, role: Text = "editor") -> Text:
    """Create the account or reset its password and role; its open sessions end. 'created' or 'reset'."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("name must be 1-64 characters")
    if len(password) < 8:
        raise ValueError("password must be at least 8 characters")
    hashed = hash_password(password)
    existing = database.row(sa.select(db.users).where(db.users.c.name == name))
    if existing:
        database.execute(db.users.update().where(db.users.c.id == existing["id"]).values(password_hash=hashed, role=role))
        database.execute(db.sessions.delete().where(db.sessions.c.user_id == existing["id"]))
        database.record("(make staff-user)", "reset_account", name, f"role={role}")
        return "reset"
    database.execute(db.users.insert().values(name=name, password_hash=hashed, role=role, created=time.time()))
    database.record("(make staff-user)", "create_account", name, f"role={role}")
    return "created"


def check_password(database: db.StaffDB, name: Text, password: Text) -> Optional[User]:
    row = database.row(sa.select(db.users).where(db.users.c.name == name.strip()))
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row["id"], row["name"], row["role"]) if row else None


# ---------------------------------------------------------------- login throttling

def login_blocked(database: db.StaffDB, name: Text, address: Text, max_failures: int, window: int,
                  lockout: int, now: Optional[float] = None, max_per_address: Optional[int] = None) -> int:
    """Seconds to wait before this account or address may try again (0: go ahead).

    After `max_failures` failures within `window` seconds, each further attempt waits `lockout` seconds
    after the last failure, doubled for every failure beyond the limit (capped at the window).
    """
    now = now or time.time()
    t = db.login_failures
    recent = sa.select(t.c.at).where(t.c.at >= now - window)
    worst = 0
    limits = ((t.c.name == name.strip(), max_failures), (t.c.address == address, max_per_address or max_failures * 4))
    for where, limit in limits:
        times = [r["at"] for r in database.rows(recent.where(where))]
        if len(times) >= limit:
            wait = min(lockout * 2 ** (len(times) - limit), window)
            worst = max(worst, int(max(times) + wait - now + 0.999))
    return max(worst, 0)


def record_failure(database: db.StaffDB, name: Text, address: Text) -> None:
    database.execute(db.login_failures.insert().values(name=name.strip()[:64], address=address[:64], at=time.time()))


def clear_failures(database: db.StaffDB, name: Text) -> None:
    database.execute(db.login_failures.delete().where(db.login_failures.c.name == name.strip()))


# ---------------------------------------------------------------- sessions

def _digest(token: Text) -> Text:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(database: db.StaffDB, user: User, hours: int) -> Text:
    token = secrets.token_urlsafe(32)
    database.execute(db.sessions.delete().where(db.sessions.c.expires < time.time()))
    database.execute(db.sessions.insert().values(
        token_hash=_digest(token), user_id=user.id, csrf=secrets.token_urlsafe(32), expires=time.time() + hours * 3600,
    ))
    return token


def end_session(database: db.StaffDB, token: Optional[Text]) -> None:
    if token:
        database.execute(db.sessions.delete().where(db.sessions.c.token_hash == _digest(token)))


def session_user(database: db.StaffDB, token: Optional[Text]) -> Optional[User]:
    if not token:
        return None
    s, u = db.sessions, db.users
    row = database.row(
        sa.select(u.c.id, u.c.name, u.c.role, s.c.csrf, s.c.expires)
        .select_from(s.join(u, s.c.user_id == u.c.id))
        .where(s.c.token_hash == _digest(token))
    )
    if not row or row["expires"] < time.time():
        return None
    return User(row["id"], row["name"], row["role"], row["csrf"])


def set_session_cookie(response: Response, token: Text, hours: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=hours * 3600, httponly=True, samesite="strict", secure=secure, path="/")


# ---------------------------------------------------------------- the layer every route passes through

Endpoint = Callable[[Request], Awaitable[Response]]


def page(role: Optional[Text] = "viewer", audit: Optional[Text] = None) -> Callable[[Endpoint], Endpoint]:
    """Declare who may use a route (None: anyone, e.g. the login page) and what the audit log calls it."""

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.staff_role = role  # type: ignore[attr-defined]
        endpoint.staff_audit = audit  # type: ignore[attr-defined]
        return endpoint

    return mark


def client_address(request: Request) -> Text:
    return request.client.host if request.client else "unknown"


async def _sent_token(request: Request) -> Text:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return str((await request.form()).get("csrf") or "")
    return ""


def guard(endpoint: Endpoint) -> Endpoint:
    """Wrap a view: session, login required, role, CSRF on every unsafe method, audit, security headers."""
    role = getattr(endpoint, "staff_role", "viewer")
    action = getattr(endpoint, "staff_audit", None)

    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        services = request.app.state.services
        database = services.db
        user = session_user(database, request.cookies.get(SESSION_COOKIE))
        request.state.user = user
        request.state.audit_detail = ""
        if role is not None and user is None:
            if request.method in SAFE_METHODS:
                return _headers(RedirectResponse(f"/login?next={request.url.path}", status_code=303))
            return _headers(PlainTextResponse("请先登录", status_code=401))
        if request.method not in SAFE_METHODS:
            expected = user.csrf if user else request.cookies.get(LOGIN_CSRF_COOKIE, "")
            sent = await _sent_token(request)
            if not expected or not sent or not hmac.compare_digest(sent, expected):
                database.record(user.name if user else "(未登录)", "csrf_refused", request.url.path)
                return _headers(services.render(request, "error.html", {"message": "表单已过期或来源不明(缺少 CSRF 令牌),请刷新页面后重试。"}, status_code=403))
        if role == "editor" and not user.can_edit:
            database.record(user.name, "refused_viewer", request.url.path)
            return _headers(services.render(request, "error.html", {"message": "只读账号不能修改训练数据和测试故事,请联系管理员。"}, status_code=403))
        response = await endpoint(request)
        if action and user and response.status_code < 400:
            target = "/".join(str(v) for v in request.path_params.values()) or request.url.path
            database.record(user.name, action, target, request.state.audit_detail)
        return _headers(response)

    return guarded


def _headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def new_login_token() -> Text:
    return secrets.token_urlsafe(32)


def throttle_message(seconds: int) -> Text:
    return f"登录失败次数过多,请 {seconds} 秒后再试。"


def login_attempt(services: Any, name: Text, password: Text, address: Text) -> Tuple[Optional[User], int]:
    """(user, 0) on success; (None, 0) for a wrong name or password; (None, seconds) while throttled."""
    cfg = services.config
    wait = login_blocked(services.db, name, address, cfg.login_max_failures, cfg.login_window_seconds,
                         cfg.login_lockout_seconds, max_per_address=cfg.login_max_failures_per_address)
    if wait:
        services.db.record(name.strip()[:64] or "(空)", "login_throttled", address)
        return None, wait
    user = check_password(services.db, name, password)
    if user is None:
        record_failure(services.db, name, address)
        services.db.record(name.strip()[:64] or "(空)", "login_failed", address)
        return None, 0
    clear_failures(services.db, name)
    services.db.record(user.name, "login", address)
    return user, 0
