"""The overview: conversations per day, outcomes, urgency mix, fallback rate, the most frequent misunderstood
messages and patient feedback, drawn as server-side SVG bars (no chart script)."""
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from staff import auth, tracker

DAYS = 14


@auth.page(role="viewer")
async def overview_page(request: Request) -> Response:
    services = request.app.state.services
    by_sender = await run_in_threadpool(services.tracker.events, time.time() - DAYS * 86400)
    items = tracker.summaries(by_sender)
    figures = tracker.overview(items, by_sender, services.config.low_confidence, days=DAYS)
    return services.render(request, "overview.html", {"f": figures, "days": DAYS})


ROUTES = [("/", overview_page, ["GET"])]
