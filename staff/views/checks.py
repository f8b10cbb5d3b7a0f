"""Run the checks (story tests, NLU report) in the background, poll their progress, read their reports."""
import json
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from scripts import story_report
from staff import auth, jobs

SAFE_FILE = re.compile(r"^[A-Za-z0-9_.-]+\.(png|md|html|json|log)$")


@auth.page(role="viewer")
async def checks_page(request: Request) -> Response:
    services = request.app.state.services
    return services.render(request, "checks.html", {
        "runs": services.jobs.runs(), "status": services.jobs.status(), "error": request.query_params.get("error", ""),
        "story_files": jobs.story_files(services.config.check_stories),
    })


@auth.page(role="editor", audit="start_check")
async def start(request: Request) -> Response:
    services = request.app.state.services
    form = await request.form()
    kind = str(form.get("kind") or "")
    if kind not in jobs.KIND_LABELS:
        return RedirectResponse("/checks?error=未知的检查", status_code=303)
    try:
        run_id = services.jobs.start(kind, request.state.user.name, full_nlu=form.get("full") == "1")
    except jobs.Busy as e:
        return RedirectResponse(f"/checks?error={e}", status_code=303)
    request.state.audit_detail = f"{kind} #{run_id}"
    return RedirectResponse("/checks", status_code=303)


@auth.page(role="editor", audit="cancel_check")
async def cancel(request: Request) -> Response:
    request.app.state.services.jobs.cancel()
    return RedirectResponse("/checks", status_code=303)


@auth.page(role="viewer")
async def status(request: Request) -> Response:
    return JSONResponse(request.app.state.services.jobs.status())


def _story_results(directory: Path):
    data = directory / "stories.json"
    if not data.exists():
        return None
    results = []
    for r in json.loads(data.read_text(encoding="utf-8")):
        divergences = [story_report.Divergence(**d) for d in r.get("divergences") or []]
        results.append({"name": r["name"], "passed": r["passed"], "explanations": [
            (story_report.CHECK_WORDS.get(d.check, d.check), story_report.explain(d)) for d in divergences]})
    return sorted(results, key=lambda r: r["passed"])  # failures first


@auth.page(role="viewer")
async def report(request: Request) -> Response:
    services = request.app.state.services
    run = services.jobs.run(request.path_params["run_id"])
    if not run:
        return services.render(request, "error.html", {"message": "没有这次运行。"}, status_code=404)
    directory = Path(run["directory"])
    nlu_md = directory / "nlu.md"
    return services.render(request, "check.html", {
        "run": run, "stories": _story_results(directory),
        "nlu": nlu_md.read_text(encoding="utf-8") if nlu_md.exists() else None,
        "images": sorted(p.name for p in directory.glob("*confusion_matrix.png")),
        "log": jobs.progress_line(directory / "job.log") if run["status"] == "error" else "",
    })


@auth.page(role="viewer")
async def report_file(request: Request) -> Response:
    services = request.app.state.services
    run = services.jobs.run(request.path_params["run_id"])
    name = request.path_params["name"]
    if not run or not SAFE_FILE.match(name) or not (Path(run["directory"]) / name).is_file():
        return services.render(request, "error.html", {"message": "没有这个文件。"}, status_code=404)
    return FileResponse(Path(run["directory"]) / name)


ROUTES = [
    ("/checks", checks_page, ["GET"]),
    ("/checks/start", start, ["POST"]),
    ("/checks/cancel", cancel, ["POST"]),
    ("/checks/status", status, ["GET"]),
    ("/checks/{run_id:int}", report, ["GET"]),
    ("/checks/{run_id:int}/files/{name}", report_file, ["GET"]),
]
