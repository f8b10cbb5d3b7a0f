"""Human handoff in the console: the queue (live), claiming a conversation, replying, ending it, and the
messages patients left for a call-back. The queue lives in the staff database (staff/handoff.py); replies
reach the patient through the Rasa process's internal endpoint (channels/handoff.py)."""
import time
from typing import Any, Dict, List, Optional, Text, Tuple

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from staff import auth, handoff, labels, tracker
from triage import knowledge

MAX_TEXT = 2000
STAFF_KEY = "handoff_staff"  # channels/handoff.py marks a staff member's message with it


def _row_json(row: Dict[Text, Any], now: float) -> Dict[Text, Any]:
    return {
        "id": row["id"], "status": row["status"], "status_label": handoff.STATUS_LABELS.get(row["status"], row["status"]),
        "channel": tracker.CHANNEL_LABELS.get(row["channel"], row["channel"]), "claimed_by": row["claimed_by"] or "",
        "waited": int(now - row["created"]), "urgent": bool(row["urgent"]),
        "has_summary": bool(row["summary"]), "has_result": bool(row["triage_result"]),
    }


def history(events: List[Dict[Text, Any]], after: int = 0) -> List[Dict[Text, Any]]:
    """The conversation as the patient saw it, one line per message: {id, who, text, at, ...}."""
    lines = []
    for event in events:
        if event.get("_id", 0) <= after or event.get("event") not in ("user", "bot"):
            continue
        if event["event"] == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            lines.append({"id": event["_id"], "who": "patient", "text": event.get("text") or "", "at": event.get("timestamp"),
                          "emergency": intent == "red_flag"})
            continue
        metadata = event.get("metadata") or {}
        data = event.get("data") or {}
        custom = data.get("custom") if isinstance(data.get("custom"), dict) else None
        text = event.get("text") or ""
        if custom and custom.get("type") == "triage_result":
            text = (text + "\n" if text else "") + f"[分诊结果] {tracker.URGENCY_LABELS.get(custom.get('urgency'), custom.get('urgency'))} · {custom.get('department') or ''}"
        if not text:
            continue
        who = "staff" if metadata.get(STAFF_KEY) else "bot"
        lines.append({"id": event["_id"], "who": who, "staff": metadata.get(STAFF_KEY) or "", "text": text,
                      "at": event.get("timestamp")})
    return lines


async def call_rasa(services: Any, path: Text, body: Dict[Text, Any]) -> Tuple[Optional[Text], Dict[Text, Any]]:
    """POST to Rasa's internal handoff endpoint: (None if delivered, else a note for the staff member; its answer)."""
    cfg = services.config
    if not cfg.handoff_token:
        return "没有配置 HANDOFF_TOKEN,控制台无法把消息交给机器人服务器(见 docs/handoff.md)。", {}
    try:
        async with httpx.AsyncClient(timeout=15) as client:
            reply = await client.post(f"{cfg.rasa_url}/webhooks/handoff/{path}", json=body,
                                      headers={"Authorization": f"Bearer {cfg.handoff_token}"})
        data = reply.json()
    except (httpx.HTTPError, ValueError) as error:
        return f"连不上机器人服务器({cfg.rasa_url}):{type(error).__name__}。", {}
    if reply.status_code >= 400:
        return f"机器人服务器拒绝了请求(HTTP {reply.status_code}):{data.get('error', '')}", data
    note = data.get("note")
    return (labels.handoff_note(note, tracker.CHANNEL_LABELS) if note else None), data


@auth.page(role="viewer")
async def queue_page(request: Request) -> Response:
    services = request.app.state.services
    rows = await run_in_threadpool(handoff.queue, services.db)
    left = await run_in_threadpool(handoff.callbacks, services.db)
    now = time.time()
    return services.render(request, "handoff_queue.html", {
        "rows": [_row_json(r, now) for r in rows], "callbacks": left, "note": request.query_params.get("note", ""),
        "wait_limit": int(services.config.handoff_wait_seconds),
    })


@auth.page(role="viewer")
async def queue_json(request: Request) -> Response:
    services = request.app.state.services
    rows = await run_in_threadpool(handoff.queue, services.db)
    now = time.time()
    return JSONResponse({"rows": [_row_json(r, now) for r in rows]})


@auth.page(role="editor", audit="handoff_claim")
async def claim(request: Request) -> Response:
    services = request.app.state.services
    handoff_id = int(request.path_params["id"])
    user = request.state.user
    if not await run_in_threadpool(handoff.claim, services.db, handoff_id, user.name):
        row = await run_in_threadpool(handoff.get, services.db, handoff_id)
        who = f"已由 {row['claimed_by']} 接入" if row and row["claimed_by"] else "已结束或不存在"
        return services.render(request, "error.html", {"message": f"没能接入这段对话:{who}。"}, status_code=409)
    row = await run_in_threadpool(handoff.get, services.db, handoff_id)
    note, _ = await call_rasa(services, "send", {"sender": row["sender"], "response": "utter_handoff_joined"})
    target = f"/handoff/{handoff_id}" + (f"?note={note}" if note else "")
    return RedirectResponse(target, status_code=303)


@auth.page(role="viewer", audit="handoff_view")
async def conversation(request: Request) -> Response:
    services = request.app.state.services
    row = await run_in_threadpool(handoff.get, services.db, int(request.path_params["id"]))
    if row is None:
        return services.render(request, "error.html", {"message": "没有这条转人工记录。"}, status_code=404)
    events = await run_in_threadpool(services.tracker.conversation, row["sender"])
    lines = history(events)
    user = request.state.user
    return services.render(request, "handoff_conversation.html", {
        "row": row, "result": handoff.triage_result_of(row), "lines": lines, "last_id": lines[-1]["id"] if lines else 0,
        "mine": row["status"] == handoff.CLAIMED and row["claimed_by"] == user.name and user.can_edit,
        "STATUS": handoff.STATUS_LABELS, "ENDS": handoff.END_LABELS, "disclaimer": knowledge.disclaimer(),
        "note": request.query_params.get("note", ""),
    })


@auth.page(role="viewer")
async def conversation_json(request: Request) -> Response:
    """New lines after ?after=<event id>, and the handoff's status (the page polls this)."""
    services = request.app.state.services
    row = await run_in_threadpool(handoff.get, services.db, int(request.path_params["id"]))
    if row is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    try:
        after = int(request.query_params.get("after", "0"))
    except ValueError:
        after = 0
    events = await run_in_threadpool(services.tracker.conversation, row["sender"])
    return JSONResponse({"lines": history(events, after), "status": row["status"],
                         "status_label": handoff.STATUS_LABELS.get(row["status"], row["status"]),
                         "claimed_by": row["claimed_by"] or "", "urgent": bool(row["urgent"])})


def _held_by_me(row: Optional[Dict[Text, Any]], request: Request) -> bool:
    return bool(row) and row["status"] == handoff.CLAIMED and row["claimed_by"] == request.state.user.name


@auth.page(role="editor", audit="handoff_reply")
async def reply(request: Request) -> Response:
    services = request.app.state.services
    row = await run_in_threadpool(handoff.get, services.db, int(request.path_params["id"]))
    if not _held_by_me(row, request):
        return JSONResponse({"error": "这段对话不在您手上(未接入、已被别人接入或已结束)。"}, status_code=409)
    body = await request.json()
    text = str(body.get("text") or "").strip()[:MAX_TEXT]
    if not text:
        return JSONResponse({"error": "消息是空的。"}, status_code=400)
    note, _ = await call_rasa(services, "send", {"sender": row["sender"], "text": text, "staff": request.state.user.name})
    request.state.audit_detail = f"{len(text)} 字" + (f";未送达:{note}" if note else "")
    return JSONResponse({"delivered": note is None, "note": note or ""})


@auth.page(role="editor", audit="handoff_end")
async def end(request: Request) -> Response:
    services = request.app.state.services
    handoff_id = int(request.path_params["id"])
    row = await run_in_threadpool(handoff.get, services.db, handoff_id)
    if not _held_by_me(row, request):
        return services.render(request, "error.html", {"message": "这段对话不在您手上,不能结束。"}, status_code=409)
    note, answer = await call_rasa(services, "end", {"sender": row["sender"]})
    if note and not answer.get("ended") and "no open handoff" not in note:
        # The bot did not take over: the handoff stays open so the patient is not left with nobody.
        return RedirectResponse(f"/handoff/{handoff_id}?note=没能结束:{note}", status_code=303)
    done = "已结束人工服务,机器人已恢复回答。" + (f"但病人没有收到结束的通知:{note}" if note else "")
    return RedirectResponse(f"/handoff?note={done}", status_code=303)


@auth.page(role="editor", audit="handoff_callback_done")
async def callback_done(request: Request) -> Response:
    services = request.app.state.services
    await run_in_threadpool(handoff.callback_done, services.db, int(request.path_params["id"]), request.state.user.name)
    return RedirectResponse("/handoff", status_code=303)


ROUTES = [
    ("/handoff", queue_page, ["GET"]),
    ("/handoff/queue.json", queue_json, ["GET"]),
    ("/handoff/{id:int}", conversation, ["GET"]),
    ("/handoff/{id:int}/lines.json", conversation_json, ["GET"]),
    ("/handoff/{id:int}/claim", claim, ["POST"]),
    ("/handoff/{id:int}/reply", reply, ["POST"]),
    ("/handoff/{id:int}/end", end, ["POST"]),
    ("/handoff/{id:int}/callback-done", callback_done, ["POST"]),
]
