"""Turn real conversations from the SQL tracker store into test stories to review and add to tests/.

    python scripts/export_story.py --sender SENDER_ID [--out FILE]
    python scripts/export_story.py --last 5 [--out FILE]

The connection comes from the same variables as deploy/endpoints.env.yml: TRACKER_DIALECT, TRACKER_HOST,
TRACKER_DB, TRACKER_USER, TRACKER_PASSWORD. The store is only read, never written.
"""
import argparse
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

ROOT = Path(__file__).resolve().parent.parent
# Rasa's and SQLAlchemy's import-time deprecation noise would bury the one line this script prints.
warnings.filterwarnings("ignore")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

# Events that carry no step of a test story: the test harness replays or emulates them itself.
_SKIPPED_ACTIONS = frozenset({"action_listen", "action_session_start", "action_extract_slots", "action_restart"})
# Slots every story keeps: the form's question in progress (what the bot asked) steers the rules.
ALWAYS_KEPT_SLOTS = frozenset({"requested_slot"})


# ---------------------------------------------------------------- reading the tracker store

def db_url_from_env(env: Optional[Dict[Text, Text]] = None) -> Any:
    """The SQLAlchemy URL for the tracker store, built the way Rasa's SQLTrackerStore builds it."""
    from rasa.core.tracker_store import SQLTrackerStore

    env = dict(os.environ if env is None else env)
    return SQLTrackerStore.get_db_url(
        dialect=env.get("TRACKER_DIALECT") or "sqlite",
        host=env.get("TRACKER_HOST") or None,
        db=env.get("TRACKER_DB") or "rasa.db",
        username=env.get("TRACKER_USER") or None,
        password=env.get("TRACKER_PASSWORD") or None,
    )


def _engine(url: Any) -> Any:
    import sqlalchemy as sa

    return sa.create_engine(url)


def read_events(url: Any, sender_id: Text) -> List[Dict[Text, Any]]:
    """Every stored event of one conversation, oldest first."""
    import sqlalchemy as sa

    with _engine(url).connect() as conn:
        rows = conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender_id}
        )
        return [json.loads(row[0]) for row in rows]


def last_senders(url: Any, n: int) -> List[Text]:
    """The sender ids of the `n` conversations with the most recent events, newest first."""
    import sqlalchemy as sa

    with _engine(url).connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT sender_id, MAX(id) AS last_id FROM events GROUP BY sender_id ORDER BY last_id DESC LIMIT :n"
            ),
            {"n": n},
        )
        return [row[0] for row in rows]


# ---------------------------------------------------------------- events -> story steps

def split_sessions(events: Sequence[Dict[Text, Any]]) -> List[List[Dict[Text, Any]]]:
    """One list of events per session; a new session or a restart starts a new story."""
    sessions: List[List[Dict[Text, Any]]] = [[]]
    for event in events:
        starts = event.get("event") in ("session_started", "restart")
        if starts and any(e.get("event") == "user" for e in sessions[-1]):
            sessions.append([])
        if not starts:
            sessions[-1].append(event)
    return [s for s in sessions if any(e.get("event") == "user" for e in s)]


def story_intent(parse_data: Dict[Text, Any]) -> Text:
    """The intent as a test story names it: `faq/hereditary` for a retrieval intent, else its name."""
    name = (parse_data.get("intent") or {}).get("name") or ""
    selector = parse_data.get("response_selector") or {}
    if name in (selector.get("all_retrieval_intents") or []) or name in selector:
        key = ((selector.get(name) or {}).get("response") or {}).get("intent_response_key")
        if key:
            return key
    return name


def annotate(text: Text, entities: Iterable[Dict[Text, Any]]) -> Text:
    """`text` with entities marked up as in Rasa training data: [腿没劲]{"entity": ..., "value": ...}."""
    spans = sorted(
        (e for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)),
        key=lambda e: (e["start"], e["end"]),
    )
    out, cursor = [], 0
    for e in spans:
        if e["start"] < cursor:
            continue  # overlapping spans cannot be written; the first one wins
        word = text[e["start"]:e["end"]]
        out.append(text[cursor:e["start"]])
        if str(e.get("value")) == word:
            out.append(f"[{word}]({e['entity']})")
        else:
            spec = json.dumps({"entity": e["entity"], "value": str(e.get("value"))}, ensure_ascii=False)
            out.append(f"[{word}]{spec}")
        cursor = e["end"]
    out.append(text[cursor:])
    return "".join(out)


def events_to_steps(events: Sequence[Dict[Text, Any]], kept_slots: Iterable[Text] = ()) -> List[Dict[Text, Any]]:
    """Story steps for one session: user turns, bot actions, and the loop and slot changes the rules need.

    Only changes are kept: a slot set to the value it already had, or the loop closed when none was
    open, adds nothing to what the dialogue policies see.
    """
    kept = set(kept_slots) | ALWAYS_KEPT_SLOTS
    steps: List[Dict[Text, Any]] = []
    slots: Dict[Text, Any] = {}
    loop: Optional[Text] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse_data = event.get("parse_data") or {}
            text = event.get("text") or ""
            step: Dict[Text, Any] = {"intent": story_intent(parse_data)}
            if text and not text.startswith("/"):
                step = {"user": annotate(text, parse_data.get("entities") or []), **step}
            steps.append(step)
        elif kind == "action" and event.get("name") and event["name"] not in _SKIPPED_ACTIONS:
            steps.append({"action": event["name"]})
        elif kind == "active_loop":
            name = event.get("name")
            if name != loop:
                loop = name
                steps.append({"active_loop": name})
        elif kind == "slot" and event.get("name") in kept:
            name, value = event["name"], event.get("value")
            if slots.get(name) != value:
                slots[name] = value
                steps.append({"slot_was_set": [{name: value}]})
    return steps


def question_texts(domain_path: Path = ROOT / "domain.yml") -> Dict[Text, Text]:
    """slot -> the first line of its utter_ask_<slot> question, for comments in exported stories."""
    import yaml

    found: Dict[Text, Text] = {}
    responses = (yaml.safe_load(Path(domain_path).read_text(encoding="utf-8")) or {}).get("responses") or {}
    for name, variants in responses.items():
        if name.startswith("utter_ask_") and variants and variants[0].get("text"):
            found[name[len("utter_ask_"):]] = variants[0]["text"].splitlines()[0]
    return found


def featurized_slots(domain_path: Path = ROOT / "domain.yml") -> List[Text]:
    """Slots that influence the dialogue: a story must set them or the policies see another state."""
    from rasa.shared.core.domain import Domain

    return [s.name for s in Domain.load(str(domain_path)).slots if s.influence_conversation]


# ---------------------------------------------------------------- writing YAML

_PLAIN = re.compile(r"^[a-z][a-z0-9_]*$")
_YAML_WORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


def _scalar(value: Any) -> Text:
    if value is None:
        return "null"
    if isinstance(value, str) and _PLAIN.match(value) and value not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def render_story(
    name: Text,
    steps: Sequence[Dict[Text, Any]],
    comment: Optional[Text] = None,
    questions: Optional[Dict[Text, Text]] = None,
) -> Text:
    """One story in the Rasa 3.1 test-story format, Chinese kept readable.

    `questions` (slot -> question text) adds the question the bot asked as a comment next to requested_slot.
    """
    questions = questions or {}
    lines = []
    if comment:
        lines += [f"  # {line}" for line in comment.splitlines()]
    lines += [f"  - story: {_scalar(name)}", "    steps:"]
    for step in steps:
        if "user" in step:
            lines += ["      - user: |", f"          {step['user']}", f"        intent: {step['intent']}"]
        elif "intent" in step:
            lines.append(f"      - intent: {step['intent']}")
        elif "action" in step:
            lines.append(f"      - action: {step['action']}")
        elif "active_loop" in step:
            lines.append(f"      - active_loop: {_scalar(step['active_loop'])}")
        elif "slot_was_set" in step:
            lines.append("      - slot_was_set:")
            for slot in step["slot_was_set"]:
                for key, value in slot.items():
                    asked = questions.get(value) if key == "requested_slot" else None
                    note = f"  # 问:{asked}" if asked else ""
                    lines.append(f"          - {key}: {_scalar(value)}{note}")
    return "\n".join(lines) + "\n"


def render_file(
    stories: Sequence[Tuple[Text, Sequence[Dict[Text, Any]], Optional[Text]]],
    questions: Optional[Dict[Text, Text]] = None,
) -> Text:
    body = "\n".join(render_story(name, steps, comment, questions) for name, steps, comment in stories)
    return 'version: "3.1"\nstories:\n' + body


def export(url: Any, senders: Sequence[Text], kept_slots: Iterable[Text] = ()) -> List[Tuple[Text, List, Text]]:
    """(name, steps, comment) for every session of every sender."""
    kept_slots = list(kept_slots)
    stories = []
    for sender in senders:
        sessions = split_sessions(read_events(url, sender))
        for i, session in enumerate(sessions, 1):
            suffix = f" (第{i}段)" if len(sessions) > 1 else ""
            stories.append(
                (f"来自真实对话 {sender}{suffix}", events_to_steps(session, kept_slots), f"导出自 sender_id={sender},请核对后再加入 tests/")
            )
    return stories


def main(argv: Optional[Sequence[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--sender", action="append", help="sender id of the conversation (may be repeated)")
    who.add_argument("--last", type=int, help="export the N most recent conversations")
    parser.add_argument("--out", help="file to write (default: print)")
    parser.add_argument("--name", help="story name (one conversation only)")
    args = parser.parse_args(argv)

    url = db_url_from_env()
    senders = args.sender or last_senders(url, args.last)
    stories = export(url, senders, featurized_slots())
    if not stories:
        print(f"没有找到对话: {', '.join(senders) or '(数据库为空)'}", file=sys.stderr)
        return 1
    if args.name and len(stories) == 1:
        stories = [(args.name, stories[0][1], stories[0][2])]
    text = render_file(stories, question_texts())
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"已写入 {len(stories)} 个故事到 {args.out};请核对每一步,再把它们加入 tests/test_stories.yml", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
