"""The conversation list (filters, search) and one conversation, turn by turn; a conversation as a test story."""
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pathlib import Path

from staff import auth, jobs, stories, tracker
from triage import knowledge

PAGE_SIZE = 50


@auth.page(role="viewer")
async def conversation_list(request: Request) -> Response:
    services = request.app.state.services
    filters = tracker.Filters.from_query(dict(request.query_params))
    by_sender = await run_in_threadpool(services.tracker.events, filters.since())
    every = tracker.summaries(by_sender)
    shown = [s for s in every if tracker.matches(s, filters, services.config.low_confidence)]
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    channels = sorted({s.channel for s in every if s.channel})
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    return services.render(request, "conversations.html", {
        "items": shown[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "total": len(shown), "page": page,
        "pages": max(1, -(-len(shown) // PAGE_SIZE)), "filters": filters, "channels": channels, "query": query,
    })


@auth.page(role="viewer", audit="view_conversation")
async def conversation(request: Request) -> Response:
    services = request.app.state.services
    sender = request.path_params["sender"]
    events = await run_in_threadpool(services.tracker.conversation, sender)
    if not events:
        return services.render(request, "error.html", {"message": "没有这段对话。"}, status_code=404)
    return services.render(request, "conversation.html", {
        "sender": sender, "summary": tracker.summarize(sender, events), "turns": tracker.turns(events),
        "disclaimer": knowledge.disclaimer(),
    })


@auth.page(role="editor", audit="view_conversation_as_story")
async def story_draft(request: Request) -> Response:
    services = request.app.state.services
    sender = request.path_params["sender"]
    try:
        text = await run_in_threadpool(stories.draft, services.config.tracker_url, sender)
    except stories.StoryError as e:
        return services.render(request, "error.html", {"message": str(e)}, status_code=404)
    return services.render(request, "story.html", {"sender": sender, "text": text, "file_name": "", "error": "",
                                                    "stories_dir": services.config.stories_dir})


@auth.page(role="editor", audit="save_story")
async def story_save(request: Request) -> Response:
    services = request.app.state.services
    form = await request.form()
    sender, text, file_name = str(form.get("sender") or ""), str(form.get("text") or ""), str(form.get("file_name") or "")
    cfg = services.config
    files = {*jobs.story_files(cfg.check_stories), *Path(cfg.stories_dir).glob("test_*.yml")}
    taken = stories.story_names(sorted(files))
    try:
        path = stories.save(cfg.stories_dir, file_name, text, taken)
    except stories.StoryError as e:
        return services.render(request, "story.html", {"sender": sender, "text": text, "file_name": file_name,
                                                        "error": str(e), "stories_dir": cfg.stories_dir}, status_code=400)
    request.state.audit_detail = f"{path.name} (来自 {sender})"
    return services.render(request, "story_saved.html", {"saved": path, "sender": sender, "text": text})


ROUTES = [
    ("/conversations", conversation_list, ["GET"]),
    ("/conversations/{sender}", conversation, ["GET"]),
    ("/conversations/{sender}/story", story_draft, ["GET"]),
    ("/stories", story_save, ["POST"]),
]
