"""The console's wiring: services (config, staff database, tracker reader, jobs, templates) and the routes,
every one wrapped by auth.guard. Run with `python -m staff` (make run starts it next to Rasa)."""
import time
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Optional, Text

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from staff import auth, labels, tracker
from staff.config import Config
from staff.db import StaffDB
from staff.jobs import KIND_LABELS, STATUS_LABELS, Jobs
from staff.tracker import TrackerReader

HERE = Path(__file__).resolve().parent


def fmt_time(ts: Optional[float], with_seconds: bool = False) -> Text:
    if not ts:
        return ""
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


class Services:
    """Everything a view needs, made once per app."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.db = StaffDB(config.staff_db_url)
        self.tracker = TrackerReader(config.tracker_url)
        self.jobs = Jobs(config, self.db)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        from staff.views import NAV

        env = self.templates.env
        env.globals.update(
            NAV=NAV,
            intent_label=labels.intent_label, action_label=labels.action_label, slot_label=labels.slot_label,
            fmt_time=fmt_time, OUTCOMES=tracker.OUTCOME_LABELS, URGENCY=tracker.URGENCY_LABELS,
            CHANNELS=tracker.CHANNEL_LABELS, ROLES=auth.ROLE_LABELS, CHECK_KINDS=KIND_LABELS, CHECK_STATUS=STATUS_LABELS,
        )

    def render(self, request: Request, name: Text, context: Dict[Text, Any], status_code: int = 200) -> Response:
        user = getattr(request.state, "user", None)
        base = {"user": user, "csrf": user.csrf if user else "", "low_confidence": self.config.low_confidence,
                "current_path": request.url.path}
        return self.templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def create_app(config: Optional[Config] = None) -> Starlette:
    from staff.views import ROUTES

    config = config or Config.from_env()
    services = Services(config)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        services.jobs.stop()

    routes = [Route(path, auth.guard(endpoint), methods=methods) for path, endpoint, methods in ROUTES]
    routes.append(Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = services
    app.state.started = time.time()
    return app
