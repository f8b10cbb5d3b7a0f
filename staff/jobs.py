"""The checks (story tests, NLU report) as background jobs: one at a time, a progress line from the job's
own output, cancel, results under reports/checks/<id>/ and a row per run in the staff database."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa

from staff import db

ROOT = Path(__file__).resolve().parent.parent
KIND_LABELS = {"stories": "对话故事测试", "nlu": "NLU 报告(意图识别)"}
STATUS_LABELS = {"running": "运行中", "passed": "通过", "failed": "未通过", "cancelled": "已取消", "error": "出错"}


class Busy(RuntimeError):
    """Another check is running."""


def story_files(paths: List[Path]) -> List[Path]:
    files = []
    for path in paths:
        files += sorted(path.glob("test_*.yml")) if path.is_dir() else ([path] if path.exists() else [])
    return files


def command(kind: Text, config: Any, out: Path, full_nlu: bool = False) -> List[Text]:
    python = sys.executable
    if kind == "stories":
        args = [python, str(ROOT / "scripts" / "run_stories.py"), "--stories", *map(str, story_files(config.check_stories)),
                "--model", str(config.model_path), "--out", str(out), "--results", str(out / "results")]
        if config.check_rasa_url:
            args += ["--rasa-url", config.check_rasa_url, "--tracker-db-url", config.check_tracker_url]
        return args
    if kind == "nlu":
        return [python, str(ROOT / "scripts" / "nlu_report.py"), "--out", str(out), "--model", str(config.model_path),
                *([] if full_nlu else ["--skip-cv"])]
    raise ValueError(kind)


def summarize(kind: Text, out: Path, code: int) -> Dict[Text, Any]:
    """(status, one-line summary) from what the job wrote."""
    if kind == "stories":
        data = out / "stories.json"
        if not data.exists():
            return {"status": "error", "summary": "没有生成报告,见日志"}
        results = json.loads(data.read_text(encoding="utf-8"))
        failed = sum(1 for r in results if not r["passed"])
        return {"status": "failed" if failed else "passed",
                "summary": f"共 {len(results)} 个故事:通过 {len(results) - failed} 个,失败 {failed} 个"}
    report = out / "nlu.md"
    if not report.exists():
        return {"status": "error", "summary": "没有生成报告,见日志"}
    scores = re.findall(r"意图 macro F1:\*\*([0-9.]+)\*\*", report.read_text(encoding="utf-8"))
    return {"status": "passed" if code == 0 else "failed", "summary": "意图 macro F1:" + " / ".join(scores)}


class Jobs:
    def __init__(self, config: Any, database: db.StaffDB) -> None:
        self.config = config
        self.db = database
        self._lock = threading.Lock()
        self._proc: Optional[subprocess.Popen] = None
        self._run_id: Optional[int] = None
        self._cancelled = False
        # A run left "running" by a console that stopped is not running any more.
        database.execute(db.check_runs.update().where(db.check_runs.c.status == "running")
                         .values(status="error", summary="控制台重启,运行中断", finished=time.time()))

    def start(self, kind: Text, user: Text, full_nlu: bool = False) -> int:
        with self._lock:
            if self._proc is not None:
                raise Busy("已有检查在运行,请等它结束或先取消")
            started = time.time()
            result = self.db.execute(db.check_runs.insert().values(
                kind=kind, user=user, started=started, status="running", summary="", directory=""))
            run_id = result.inserted_primary_key[0]
            out = Path(self.config.reports_dir) / f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(started))}-{run_id}-{kind}"
            out.mkdir(parents=True, exist_ok=True)
            self.db.execute(db.check_runs.update().where(db.check_runs.c.id == run_id).values(directory=str(out)))
            log = open(out / "job.log", "w")
            env = {**os.environ, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false"}
            # Its own process group: cancel stops the servers the story check starts, too.
            self._proc = subprocess.Popen(command(kind, self.config, out, full_nlu), cwd=ROOT, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            self._run_id, self._cancelled = run_id, False
            threading.Thread(target=self._wait, args=(self._proc, run_id, kind, out, log), daemon=True).start()
            return run_id

    def _wait(self, proc: subprocess.Popen, run_id: int, kind: Text, out: Path, log: Any) -> None:
        code = proc.wait()
        log.close()
        if self._cancelled:
            values = {"status": "cancelled", "summary": "已取消"}
        else:
            try:
                values = summarize(kind, out, code)
            except Exception as e:  # a broken report must not leave the run "running"
                values = {"status": "error", "summary": f"读取报告出错:{e}"}
        self.db.execute(db.check_runs.update().where(db.check_runs.c.id == run_id).values(finished=time.time(), **values))
        with self._lock:
            self._proc, self._run_id = None, None

    def cancel(self) -> bool:
        with self._lock:
            if self._proc is None:
                return False
            self._cancelled = True
            try:
                os.killpg(self._proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            return True

    def status(self) -> Dict[Text, Any]:
        """What the checks page polls: the running job's progress line, or the latest run."""
        with self._lock:
            run_id = self._run_id
        if run_id is None:
            latest = self.db.row(sa.select(db.check_runs).order_by(db.check_runs.c.id.desc()).limit(1))
            return {"running": False, "latest": _public(latest)}
        run = self.db.row(sa.select(db.check_runs).where(db.check_runs.c.id == run_id))
        return {"running": True, "run": _public(run), "elapsed": int(time.time() - run["started"]),
                "progress": progress_line(Path(run["directory"]) / "job.log")}

    def runs(self, limit: int = 50) -> List[Dict[Text, Any]]:
        return self.db.rows(sa.select(db.check_runs).order_by(db.check_runs.c.id.desc()).limit(limit))

    def run(self, run_id: int) -> Optional[Dict[Text, Any]]:
        return self.db.row(sa.select(db.check_runs).where(db.check_runs.c.id == run_id))

    def stop(self) -> None:
        """Cancel a running job and wait for it (the console is shutting down)."""
        proc = self._proc
        if proc is not None and self.cancel():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _public(run: Optional[Dict[Text, Any]]) -> Optional[Dict[Text, Any]]:
    if not run:
        return None
    return {"id": run["id"], "kind": run["kind"], "kind_label": KIND_LABELS.get(run["kind"], run["kind"]),
            "status": run["status"], "status_label": STATUS_LABELS.get(run["status"], run["status"]),
            "summary": run["summary"]}


PROGRESS = re.compile(r"^(进度|PROGRESS)[::]\s*(.*)$")


def progress_line(log: Path) -> Text:
    """The last progress line the job printed ("进度: ..."), else its last line."""
    if not log.exists():
        return "启动中…"
    lines = [l.strip() for l in log.read_text(encoding="utf-8", errors="replace").splitlines() if l.strip()]
    for line in reversed(lines):
        m = PROGRESS.match(line)
        if m:
            return m.group(2)
    return lines[-1][-200:] if lines else "启动中…"
