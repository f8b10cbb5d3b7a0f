"""Run the test stories two ways and write a readable report (reports/stories.md, reports/stories.html).

1. `rasa test core --e2e`: Rasa's check of the NLU (each user text's intent and entities) and of the rules'
   next action. It never calls the action server, so the form's questions are not checked there.
2. Live replay: every story's user texts are sent to a running Rasa server with the action server behind it,
   the conversation is read back from the tracker store and compared step by step with the story,
   the questions the form asks (requested_slot) included.

    python scripts/run_stories.py [--stories tests/test_stories.yml tests/stories] [--model models/triage.tar.gz]

--stories takes files and folders; a folder contributes its test_*.yml files (the only ones Rasa's e2e test
reads). Story names must be unique across all of them. Progress goes to stdout as "进度: ..." lines.

Without --rasa-url it starts an action server and a Rasa server on free ports and stops them after.
Exits 1 when any story fails.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import export_story  # noqa: E402
import settings  # noqa: E402
import story_report  # noqa: E402
from story_report import Divergence, Step  # noqa: E402

BIN = Path(sys.executable).parent


# ---------------------------------------------------------------- check 1: rasa test core

def run_rasa_test(stories: Path, model: Path, out_dir: Path, env: Optional[Dict[Text, Text]] = None) -> int:
    """`rasa test core --e2e` into `out_dir`; its exit code (0 even when stories fail).

    Not --fail-on-prediction-errors: that stops at the first wrong prediction with an exception and writes
    no failed_test_stories.yml, so the report could name one failure at most.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("failed_test_stories.yml", "story_report.json"):
        (out_dir / name).unlink(missing_ok=True)
    args = [
        str(BIN / "rasa"), "test", "core", "--e2e", "--stories", str(stories), "--model", str(model),
        "--out", str(out_dir), "--no-plot",
    ]
    log = out_dir / "rasa_test.log"
    with open(log, "w") as fh:
        proc = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=fh, stderr=subprocess.STDOUT)
    return proc.returncode


def as_test_file(path: Path) -> "tuple[Path, Optional[Path]]":
    """A path `rasa test core --e2e` reads: it silently skips files whose name does not start with test_."""
    if path.is_dir() or path.name.startswith("test_"):
        return path, None
    tmp = Path(tempfile.mkdtemp(prefix="stories-"))
    copy = tmp / f"test_{path.name}"
    shutil.copy(path, copy)
    return copy, tmp


def story_files(paths: Sequence[Path]) -> List[Path]:
    """The story files named: files as given, folders as their test_*.yml files."""
    files: List[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(path.glob("test_*.yml"))
        elif path.exists() or path.suffix in (".yml", ".yaml"):
            files.append(path)  # a missing file is an error later; a missing folder is an empty one
    return files


def as_test_input(files: Sequence[Path]) -> "tuple[Path, Optional[Path]]":
    """One path `rasa test core --e2e` reads for all `files`: the file itself, or a temp folder of copies."""
    if len(files) == 1:
        return as_test_file(files[0])
    tmp = Path(tempfile.mkdtemp(prefix="stories-"))
    for i, path in enumerate(files):
        shutil.copy(path, tmp / f"test_{i:03d}_{path.name}")
    return tmp, tmp


def load_all(files: Sequence[Path]) -> Dict[Text, List[Step]]:
    """Every story of every file, in order; a name used twice is an error (Rasa would keep only one)."""
    stories: Dict[Text, List[Step]] = {}
    for path in files:
        found = story_report.load_stories(path)
        clash = sorted(set(found) & set(stories))
        if clash:
            raise RuntimeError(f"story names used twice ({path}): {', '.join(clash)}")
        stories.update(found)
    return stories


def progress(text: Text) -> None:
    print(f"进度: {text}", flush=True)


def rasa_failures(out_dir: Path) -> Dict[Text, List[Divergence]]:
    failed_file = out_dir / "failed_test_stories.yml"
    if not failed_file.exists():
        raise RuntimeError(f"rasa test core wrote no {failed_file}; see {out_dir / 'rasa_test.log'}")
    return story_report.parse_failed_stories(failed_file.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- check 2: live replay

def message_for(step: Step) -> Optional[Text]:
    """What to send for a user step: its text, or `/intent` when the story gives only the intent."""
    if step.text:
        return step.text
    if step.value:
        return "/" + str(step.value).split("/", 1)[0]
    return None


def stored_steps(db_url: Any, sender: Text) -> List[Dict[Text, Any]]:
    """The conversation as stored, as story steps (the export's format)."""
    sessions = export_story.split_sessions(export_story.read_events(db_url, sender))
    return export_story.events_to_steps(sessions[-1] if sessions else [])


def replay(
    steps: Sequence[Step], rasa_url: Text, db_url: Any, timeout: float = 30
) -> "tuple[Optional[Divergence], List[Dict[Text, Any]]]":
    """Send one story's user messages to the live bot: the first divergence (or None) and what it did."""
    sender = f"story-{uuid.uuid4().hex}"
    for step in steps:
        if step.kind != "user":
            continue
        text = message_for(step)
        if text is None:
            continue
        reply = requests.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
        )
        reply.raise_for_status()
    raw = stored_steps(db_url, settings.REST_SENDER_PREFIX + sender)  # the REST channel namespaces sender ids
    return story_report.compare(steps, story_report.story_steps(raw), check="live"), raw


def replay_all(
    stories: Dict[Text, List[Step]], rasa_url: Text, db_url: Any
) -> "tuple[Dict[Text, Optional[Divergence]], Dict[Text, List[Dict[Text, Any]]]]":
    found, recorded = {}, {}
    for i, (name, steps) in enumerate(stories.items(), 1):
        progress(f"真实对话 {i}/{len(stories)}:{name}")
        found[name], recorded[name] = replay(steps, rasa_url, db_url)
    return found, recorded


# ---------------------------------------------------------------- servers for `make test-stories`

class Servers:
    """An action server and a Rasa server on free ports, with a SQLite tracker store in a temp folder."""

    def __init__(self, model: Path) -> None:
        from tests import servers  # the same helpers the pytest fixtures use

        self._servers = servers
        self.workdir = Path(tempfile.mkdtemp(prefix="stories-"))
        self.model = model
        self.procs: List[Any] = []
        self.action_port: Optional[int] = None
        self.rasa_url: Optional[Text] = None
        self.error: Optional[BaseException] = None

    def start(self, attempts: int = 2) -> None:
        for _ in range(attempts):  # a server killed from outside while loading gets one more chance
            self.error = None
            self._start_once()
            if not self.error:
                return
            self.stop(remove=False)

    def _start_once(self) -> None:
        try:
            proc, self.action_port = self._servers.start_action_server(self.workdir)
            self.procs.append(proc)
            proc, port = self._servers.start_rasa_server(
                self.workdir, self.action_port, ROOT / "credentials.yml", self.model
            )
            self.procs.append(proc)
            self.rasa_url = f"http://127.0.0.1:{port}"
        except BaseException as e:  # reported by the caller, after rasa test core has finished
            self.error = e

    @property
    def db_url(self) -> Text:
        return f"sqlite:///{self.workdir / 'tracker.db'}"

    def stop(self, remove: bool = True) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        self.procs = []
        if remove:
            shutil.rmtree(self.workdir, ignore_errors=True)


# ---------------------------------------------------------------- the whole run

def run(
    stories_path: "Path | Sequence[Path]",
    model: Path,
    out_dir: Path,
    results_dir: Path,
    rasa_url: Optional[Text] = None,
    db_url: Optional[Any] = None,
    action_port: Optional[int] = None,
    live: bool = True,
    record: Optional[Path] = None,
) -> List[story_report.StoryResult]:
    """Both checks and the report; the results, one per story.

    `record`: also write what the live bot did, as stories with the same names and user texts, to this
    file: review it against the story file (diff) after a deliberate change of behaviour.
    """
    started = time.time()
    files = story_files([stories_path] if isinstance(stories_path, (str, Path)) else stories_path)
    stories = load_all(files)
    if not stories:
        raise RuntimeError(f"no stories in {', '.join(map(str, files))}")
    rasa_input, tmp = as_test_input(files)
    servers = None
    starter = None
    if live and not rasa_url:
        servers = Servers(model)
        starter = threading.Thread(target=servers.start, daemon=True)
        starter.start()  # the servers load while rasa test core runs
    try:
        env = {"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook"} if action_port else {}
        progress(f"Rasa 测试(rasa test core --e2e),{len(stories)} 个故事")
        run_rasa_test(rasa_input, model, results_dir, env)
        from_rasa = rasa_failures(results_dir)
        totals = story_report.conversation_totals(results_dir / "story_report.json") or {}
        if totals.get("total") != len(stories):
            raise RuntimeError(
                f"rasa test core evaluated {totals.get('total', 0)} stories, the file has {len(stories)}; "
                f"see {results_dir / 'rasa_test.log'}"
            )
        from_live: Dict[Text, Optional[Divergence]] = {}
        if live:
            if servers:
                progress("等待测试用的机器人启动")
                starter.join()
                if servers.error:
                    raise RuntimeError(f"could not start the servers: {servers.error}")
                rasa_url, db_url = servers.rasa_url, servers.db_url
            from_live, recorded = replay_all(stories, rasa_url, db_url)
            if record:
                questions = export_story.question_texts()
                record.parent.mkdir(parents=True, exist_ok=True)
                record.write_text(
                    export_story.render_file([(n, recorded[n], None) for n in stories], questions), encoding="utf-8"
                )
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if servers:
            if starter and starter.is_alive():
                starter.join()
            servers.stop()
    results = story_report.build_results(stories, from_rasa, from_live)
    meta = {
        "故事文件": ", ".join(str(f) for f in files),
        "模型": model,
        "检查": "Rasa 测试 + 真实对话" if live else "只有 Rasa 测试(没有真实对话)",
        "耗时": f"{time.time() - started:.0f} 秒",
        "Rasa 原始结果": results_dir,
    }
    story_report.write_reports(results, out_dir, meta)
    return results


def main(argv: Optional[Sequence[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", nargs="+", default=[str(ROOT / "tests" / "test_stories.yml"), str(ROOT / "tests" / "stories")],
                        help="story files and folders (a folder: its test_*.yml files)")
    parser.add_argument("--model", default=str(ROOT / "models" / "triage.tar.gz"))
    parser.add_argument("--out", default=str(ROOT / "reports"), help="where stories.md / stories.html go")
    parser.add_argument("--results", default=str(ROOT / "results"), help="where Rasa writes its raw results")
    parser.add_argument("--rasa-url", help="use this running Rasa server for the live check")
    parser.add_argument("--tracker-db-url", help="SQLAlchemy URL of that server's tracker store")
    parser.add_argument("--no-live", action="store_true", help="only rasa test core")
    parser.add_argument("--record", help="also write what the live bot did as stories to this file, for review")
    args = parser.parse_args(argv)
    if args.rasa_url and not args.tracker_db_url:
        parser.error("--rasa-url needs --tracker-db-url")

    results = run(
        [Path(p) for p in args.stories], Path(args.model), Path(args.out), Path(args.results),
        rasa_url=args.rasa_url, db_url=args.tracker_db_url, live=not args.no_live,
        record=Path(args.record) if args.record else None,
    )
    print(story_report.summary_line(results))
    for r in story_report.failed(results):
        print(f"  ❌ {r.name}")
        for d in r.divergences:
            print(f"     {story_report.CHECK_WORDS.get(d.check, d.check)}:{story_report.explain(d)}")
    print(f"报告: {Path(args.out) / 'stories.html'}  {Path(args.out) / 'stories.md'}")
    return 1 if story_report.failed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
