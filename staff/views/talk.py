"""Talk to the running assistant through its REST webhook, with a debug column per turn read back from the
tracker store (intent, confidence, entities, actions, the question asked next, the triage_result)."""
import secrets
from typing import Any, Dict, List

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import settings
from staff import auth, labels, tracker

MAX_TEXT = 2000


def debug(turn: tracker.Turn) -> Dict[str, Any]:
    """What the debug column shows for one turn, with Chinese labels."""
    user = turn.user or {}
    return {
        "intent": user.get("intent", ""),
        "intent_label": labels.intent_label(user.get("intent")),
        "confidence": round(user.get("confidence") or 0.0, 3),
        "entities": user.get("entities") or [],
        "actions": [{"name": a, "label": labels.action_label(a)} for a in turn.actions],
        "asked": turn.asked,
        "asked_label": labels.slot_label(turn.asked) if turn.asked else "",
        "triage_result": turn.triage_result,
        "fallback": turn.fallback,
    }


@auth.page(role="editor")
async def talk_page(request: Request) -> Response:
    services = request.app.state.services
    sender = tracker.CONSOLE_PREFIX + secrets.token_hex(12)
    return services.render(request, "talk.html", {
        "sender": sender, "conversation_id": settings.REST_SENDER_PREFIX + sender, "rasa_url": services.config.rasa_url})


@auth.page(role="editor")
async def send(request: Request) -> Response:
    services = request.app.state.services
    body = await request.json()
    sender, text = str(body.get("sender") or ""), str(body.get("text") or "").strip()[:MAX_TEXT]
    # Only the console's own conversations: never a patient's sender id.
    if not sender.startswith(tracker.CONSOLE_PREFIX) or len(sender) > 64 or not text:
        return JSONResponse({"error": "无效的请求"}, status_code=400)
    headers = {"Authorization": f"Bearer {services.config.rest_token}"} if services.config.rest_token else {}
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            reply = await client.post(f"{services.config.rasa_url}/webhooks/rest/webhook",
                                      json={"sender": sender, "message": text}, headers=headers)
            reply.raise_for_status()
            messages: List[Dict[str, Any]] = reply.json()
    except (httpx.HTTPError, ValueError) as e:
        return JSONResponse({"error": f"连不上机器人({services.config.rasa_url}):{type(e).__name__}。请确认 make run 在运行。"}, status_code=502)
    # The REST channel keeps the conversation under its namespaced id.
    events = await run_in_threadpool(services.tracker.conversation, settings.REST_SENDER_PREFIX + sender)
    turns = [t for t in tracker.turns(events) if t.user]
    return JSONResponse({"messages": messages, "debug": debug(turns[-1]) if turns else None})


ROUTES = [
    ("/talk", talk_page, ["GET"]),
    ("/talk/send", send, ["POST"]),
]
