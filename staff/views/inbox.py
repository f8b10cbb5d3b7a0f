"""The NLU inbox: messages the bot was unsure about; an editor confirms or corrects the intent (with entity
markup) and the example is written to data/nlu/reviewed/, or marks the message not useful."""
import time

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from staff import auth, db, labels, nludata, tracker

DECISIONS = {"confirmed": "确认", "corrected": "改正", "not_useful": "没用"}


def _decisions(services):
    return services.db.rows(sa.select(db.inbox).order_by(db.inbox.c.at.desc()))


@auth.page(role="viewer")
async def inbox_page(request: Request) -> Response:
    services = request.app.state.services
    by_sender = await run_in_threadpool(services.tracker.events)
    decided = _decisions(services)
    done = {d["message_key"] for d in decided}
    items = [i for i in tracker.inbox_candidates(by_sender, services.config.low_confidence) if i.key not in done]
    for item in items:
        item.markup = nludata.suggested_markup(item.text, item.entities)
    model = services.config.model_path
    for d in decided:
        d["pending"] = d["decision"] != "not_useful" and nludata.pending(d["at"], model)
    return services.render(request, "inbox.html", {
        "items": items[:100], "total": len(items), "decided": decided[:100], "DECISIONS": DECISIONS,
        "intents": labels.trainable_intents(), "error": request.query_params.get("error", ""),
        "nlu_dir": services.config.nlu_dir,
    })


@auth.page(role="editor", audit="inbox_decision")
async def decide(request: Request) -> Response:
    services = request.app.state.services
    form = await request.form()
    key, text = str(form.get("key") or ""), str(form.get("text") or "")
    action = str(form.get("action") or "")
    original = str(form.get("original") or "")
    user = request.state.user
    row = {"message_key": key[:128], "text": text, "user": user.name, "at": time.time()}
    if not key or not text:
        return RedirectResponse("/inbox?error=缺少消息", status_code=303)
    if action == "not_useful":
        row.update(decision="not_useful", intent=None, example=None, file=None)
    else:
        intent = str(form.get("intent") or "")
        example = str(form.get("example") or text)
        if nludata.plain(example) != " ".join(text.split()) and nludata.plain(example) != text.strip():
            return RedirectResponse("/inbox?error=例句的文字必须和用户原话一致(只能加实体标注)", status_code=303)
        try:
            path, _ = nludata.add_example(
                services.config.nlu_dir, [nludata.ROOT / "data" / "nlu"], intent, example,
                labels.trainable_intents(), labels.domain_entities(),
            )
        except nludata.ExampleError as e:
            return RedirectResponse(f"/inbox?error={e}", status_code=303)
        row.update(decision="confirmed" if intent == original else "corrected", intent=intent, example=example, file=str(path))
    services.db.execute(db.inbox.delete().where(db.inbox.c.message_key == row["message_key"]))
    services.db.execute(db.inbox.insert().values(**row))
    request.state.audit_detail = f"{row['decision']} {row.get('intent') or ''}: {text}"
    return RedirectResponse("/inbox", status_code=303)


ROUTES = [
    ("/inbox", inbox_page, ["GET"]),
    ("/inbox/decide", decide, ["POST"]),
]
