"""Log in, log out, the audit log, and a health check."""
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from staff import auth


def _safe_next(target: str) -> str:
    """Only a path on this site: never an open redirect to another host."""
    parsed = urlparse(target or "/")
    if parsed.scheme or parsed.netloc or not (target or "/").startswith("/") or target.startswith("//"):
        return "/"
    return target or "/"


@auth.page(role=None)
async def login_page(request: Request) -> Response:
    services = request.app.state.services
    token = auth.new_login_token()
    response = services.render(request, "login.html", {"login_csrf": token, "next": _safe_next(request.query_params.get("next", "/")), "error": ""})
    response.set_cookie(auth.LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=services.config.secure_cookie, path="/login")
    return response


@auth.page(role=None)
async def login(request: Request) -> Response:
    services = request.app.state.services
    form = await request.form()
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    next_url = _safe_next(str(form.get("next") or "/"))
    user, wait = auth.login_attempt(services, name, password, auth.client_address(request))
    if user is None:
        message = auth.throttle_message(wait) if wait else "用户名或密码不对。"
        token = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
        response = services.render(request, "login.html", {"login_csrf": token, "next": next_url, "error": message},
                                   status_code=429 if wait else 401)
        if wait:
            response.headers["Retry-After"] = str(wait)
        return response
    token = auth.start_session(services.db, user, services.config.session_hours)
    response = RedirectResponse(next_url, status_code=303)
    auth.set_session_cookie(response, token, services.config.session_hours, services.config.secure_cookie)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/login")
    return response


@auth.page(role="viewer", audit="logout")
async def logout(request: Request) -> Response:
    services = request.app.state.services
    auth.end_session(services.db, request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@auth.page(role="viewer")
async def audit_log(request: Request) -> Response:
    services = request.app.state.services
    return services.render(request, "audit.html", {"entries": services.db.audit_log(300)})


@auth.page(role=None)
async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


ROUTES = [
    ("/login", login_page, ["GET"]),
    ("/login", login, ["POST"]),
    ("/logout", logout, ["POST"]),
    ("/audit", audit_log, ["GET"]),
    ("/health", health, ["GET"]),
]
