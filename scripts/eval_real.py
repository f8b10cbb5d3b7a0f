"""Score the running bot on the real evaluation set (tests/real/, texts from scripts/real_set.py).

Every message is the first turn of a new conversation over the REST webhook; how it was handled is read
from that conversation's events in the tracker store (as scripts/run_stories.py and export_story.py do).
Descriptions with an expected category are then answered 不知道 until a triage_result arrives (8 turns at
most). The dev half is reported with each miss; the test half only as aggregate figures, never its texts.
A set of our own writing (--set, texts inline, e.g. tests/independent/set.yml) is reported with every miss,
except a set file named test*.yml (e.g. tests/independent2/test.yml) or any set with --aggregates-only:
then only aggregate figures, never a message or its id.

    python scripts/eval_real.py [--split dev|test|all] [--report reports/eval-real.md]
    python scripts/eval_real.py --set tests/independent/set.yml [--report reports/eval-indep.md]
    python scripts/eval_real.py --set tests/independent2/test.yml --report reports/eval-indep2-test.md
    python scripts/eval_real.py --rasa-url http://127.0.0.1:5005 --tracker-db .rasa/tracker.db

Without --rasa-url it starts an action server and a Rasa server (temporary SQLite tracker store) and stops
them after. Exits 2 when the data mirrors are missing, 1 when the servers fail.
"""
import argparse
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import real_set  # noqa: E402

HANDLINGS = ("interview", "answer", "emergency", "clarify_fatigue", "out_of_scope")
OUTCOMES = HANDLINGS + ("fallback",)
MAX_TURNS = 8
DONT_KNOW = "不知道"
FALLBACK_NAMES = {"utter_fallback", "action_default_fallback"}
CLARIFY_NAMES = {"utter_clarify_fatigue", "action_clarify_fatigue"}
CATEGORIES = ("genetic", "neurogenic", "myopathic", "disuse", "nutritional")


# ---------------------------------------------------------------- a set with its texts inline

class SetError(ValueError):
    """An inline set that cannot be scored as it stands."""


def load_inline_set(path: Any) -> Tuple[List[Dict[Text, Any]], Dict[Text, Text]]:
    """Items and texts of a set written by us (texts inline): `items: [{id, text, handling, category, category2}]`.

    A category may sit on an emergency too (what its ranking should put first); only interview items are graded.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    items, texts = [], {}
    for raw in data.get("items") or []:
        item = dict(raw)
        where = f"{path}: item {item.get('id')!r}"
        if not item.get("id") or not isinstance(item.get("text"), str) or not item["text"].strip():
            raise SetError(f"{where}: needs an id and a text")
        if item["id"] in texts:
            raise SetError(f"{where}: duplicate id")
        if item.get("handling") not in HANDLINGS:
            raise SetError(f"{where}: handling {item.get('handling')!r} is not one of {HANDLINGS}")
        for key in ("category", "category2"):
            item.setdefault(key, None)
            if item[key] is not None and item[key] not in CATEGORIES:
                raise SetError(f"{where}: {key} {item[key]!r} is not one of {CATEGORIES}")
        if item["category2"] and not item["category"]:
            raise SetError(f"{where}: category2 without a category")
        texts[item["id"]] = item.pop("text")
        items.append(item)
    if not items:
        raise SetError(f"{path}: no items")
    return items, texts


# ---------------------------------------------------------------- reading one conversation

def triage_result(messages: Iterable[Dict[Text, Any]]) -> Optional[Dict[Text, Any]]:
    """The triage_result payload among REST replies or stored bot events (their `data.custom`)."""
    for message in messages:
        custom = message.get("custom") or (message.get("data") or {}).get("custom")
        if isinstance(custom, dict) and custom.get("type") == "triage_result":
            return custom
    return None


# First-turn replies that put the warning signs and a one-tap 120 button before anything else.
SCREEN_NAMES = {"utter_red_flag_check", "utter_red_flag_warning", "utter_clarify_fatigue"}


def screened(events: Sequence[Dict[Text, Any]]) -> bool:
    """Whether the bot showed the red-flag check (a safety net under the gate) in these events."""
    return any((e.get("metadata") or {}).get("utter_action") in SCREEN_NAMES for e in events if e.get("event") == "bot")


def classify(events: Sequence[Dict[Text, Any]]) -> Text:
    """How the bot handled the conversation so far: one of OUTCOMES (see tests/real/README.md)."""
    actions = {e.get("name") for e in events if e.get("event") == "action"}
    utters = {(e.get("metadata") or {}).get("utter_action") for e in events if e.get("event") == "bot"}
    names = actions | utters
    loops = {e.get("name") for e in events if e.get("event") == "active_loop"}
    if "action_emergency" in names:
        return "emergency"
    if names & CLARIFY_NAMES:
        return "clarify_fatigue"
    if "interview_form" in loops or triage_result([e for e in events if e.get("event") == "bot"]):
        return "interview"
    if "utter_out_of_scope" in names:
        return "out_of_scope"
    if names & FALLBACK_NAMES:
        return "fallback"
    return "answer"


@dataclass
class Outcome:
    item: Dict[Text, Any]
    handled: Text
    result: Optional[Dict[Text, Any]] = None
    turns: int = 1
    replies: List[Text] = field(default_factory=list)
    screened: bool = False

    @property
    def label(self) -> Text:
        return self.item["handling"]

    @property
    def dodged(self) -> bool:
        return self.label != "out_of_scope" and self.handled in ("fallback", "out_of_scope")

    def causes(self) -> List[Text]:
        return [c["id"] for c in (self.result or {}).get("causes", [])]

    def top1(self) -> bool:
        accepted = {self.item.get("category"), self.item.get("category2")} - {None}
        return bool(self.causes()) and self.causes()[0] in accepted

    def top2(self) -> bool:
        accepted = {self.item.get("category"), self.item.get("category2")} - {None}
        return bool(accepted & set(self.causes()[:2]))


def run_item(
    item: Dict[Text, Any], text: Text, send: Callable[[Text, Text], List[Dict[Text, Any]]],
    events_of: Callable[[Text], List[Dict[Text, Any]]],
) -> Outcome:
    """Send `text` as the first turn of a new conversation; follow a description to its result."""
    sender = f"real-eval-{item['id']}-{uuid.uuid4().hex[:8]}"
    reply = send(text, sender)
    events = events_of(sender)
    outcome = Outcome(item, classify(events), triage_result(reply), screened=screened(events))
    outcome.replies = [m.get("text", "") for m in reply if m.get("text")]
    if item["handling"] == "interview" and item.get("category"):
        while outcome.result is None and outcome.turns < MAX_TURNS:
            outcome.result = triage_result(send(DONT_KNOW, sender))
            outcome.turns += 1
    return outcome


def run_items(
    items: Sequence[Dict[Text, Any]], texts: Dict[Text, Text], send, events_of, workers: int = 4
) -> List[Outcome]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: run_item(item, texts[item["id"]], send, events_of), items))


# ---------------------------------------------------------------- figures

def pct(n: int, d: int) -> Text:
    return f"{n / d:.0%} ({n}/{d})" if d else "— (0/0)"


def figures(outcomes: Sequence[Outcome]) -> Dict[Text, Any]:
    """The aggregate figures floors.yml and the report use (rates as fractions)."""
    n = len(outcomes)
    emergencies = [o for o in outcomes if o.label == "emergency"]
    descriptions = [o for o in outcomes if o.label == "interview"]
    graded = [o for o in descriptions if o.item.get("category")]
    return {
        "items": n,
        "handled_as_labelled": sum(o.handled == o.label for o in outcomes) / n if n else 0.0,
        "handled_count": sum(o.handled == o.label for o in outcomes),
        "dodged": sum(o.dodged for o in outcomes),
        "dodged_rate": sum(o.dodged for o in outcomes) / n if n else 0.0,
        "emergencies": len(emergencies),
        "emergencies_caught": sum(o.handled == "emergency" for o in emergencies),
        "emergencies_missed": sum(o.handled != "emergency" for o in emergencies),
        "emergencies_missed_unscreened": sum(o.handled != "emergency" and not o.screened for o in emergencies),
        "false_emergencies": sum(o.handled == "emergency" and o.label != "emergency" for o in outcomes),
        "descriptions": len(descriptions),
        "descriptions_started": sum(o.handled == "interview" or o.result is not None for o in descriptions),
        "interview_started": (
            sum(o.handled == "interview" or o.result is not None for o in descriptions) / len(descriptions)
            if descriptions else 0.0
        ),
        "graded": len(graded),
        "top1": sum(o.top1() for o in graded) / len(graded) if graded else 0.0,
        "top1_count": sum(o.top1() for o in graded),
        "top2": sum(o.top2() for o in graded) / len(graded) if graded else 0.0,
        "top2_count": sum(o.top2() for o in graded),
    }


def confusion(outcomes: Sequence[Outcome]) -> List[Text]:
    counts = Counter((o.label, o.handled) for o in outcomes)
    head = "| labelled \\ handled | " + " | ".join(OUTCOMES) + " | total |"
    lines = [head, "|" + "---|" * (len(OUTCOMES) + 2)]
    for label in HANDLINGS:
        row = [counts[(label, h)] for h in OUTCOMES]
        lines.append(f"| {label} | " + " | ".join(str(c) for c in row) + f" | {sum(row)} |")
    return lines


def summary_lines(name: Text, outcomes: Sequence[Outcome]) -> List[Text]:
    f = figures(outcomes)
    n = f["items"]
    return [
        f"### {name} ({n} messages)",
        "",
        f"- handled as labelled: {pct(f['handled_count'], n)}",
        f"- dodged (fallback or out-of-scope reply on an in-scope message): {pct(f['dodged'], n)}",
        f"- emergencies caught: {f['emergencies_caught']}/{f['emergencies']}"
        f" (false emergencies on other messages: {f['false_emergencies']};"
        f" missed without the red-flag check: {f['emergencies_missed_unscreened']})",
        f"- descriptions where the interview or a result started: {pct(f['descriptions_started'], f['descriptions'])}",
        f"- category top-1: {pct(f['top1_count'], f['graded'])}; top-2: {pct(f['top2_count'], f['graded'])}",
        "",
        *confusion(outcomes),
        "",
    ]


def batch_lines(outcomes: Sequence[Outcome]) -> List[Text]:
    """Figures per batch of the set (a later batch is text no tuning has seen yet)."""
    batches = sorted({o.item.get("batch", "first") for o in outcomes})
    if len(batches) < 2:
        return []
    lines = ["| batch | items | handled | dodged | emergencies caught | false emergencies | interview started | top-1 | top-2 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for batch in batches:
        part = [o for o in outcomes if o.item.get("batch", "first") == batch]
        f = figures(part)
        lines.append(
            f"| {batch} | {f['items']} | {pct(f['handled_count'], f['items'])} | {f['dodged']} | "
            f"{f['emergencies_caught']}/{f['emergencies']} | {f['false_emergencies']} | "
            f"{pct(f['descriptions_started'], f['descriptions'])} | {pct(f['top1_count'], f['graded'])} | "
            f"{pct(f['top2_count'], f['graded'])} |"
        )
    return lines + [""]


def miss_lines(outcomes: Sequence[Outcome], texts: Dict[Text, Text], name: Text = "dev") -> List[Text]:
    """Each miss of a half we may read: text, label, what happened (never called for the test half)."""
    lines = [f"#### {name} misses", ""]
    for o in outcomes:
        wrong_handling = o.handled != o.label
        wrong_category = o.label == "interview" and o.item.get("category") and not o.top1()
        if not (wrong_handling or wrong_category):
            continue
        expected = o.label + (f"/{o.item['category']}" if o.item.get("category") else "")
        got = o.handled + (f" → {o.causes()[:2]} in {o.turns} turns" if o.item.get("category") else "")
        first = (o.replies[0] if o.replies else "").replace("\n", " ")[:60]
        lines.append(f"- `{o.item['id']}` {texts[o.item['id']][:120]!r}: labelled {expected}; got {got}; bot: {first!r}")
    return lines + [""]


def emergency_ranking_lines(outcomes: Sequence[Outcome], itemise: bool = True) -> List[Text]:
    """Caught emergencies that carry a category: does their triage_result rank it first (issue 10, point 6)?

    With itemise=False the figure only, for a half whose items are never listed.
    """
    ranked = [o for o in outcomes if o.label == "emergency" and o.handled == "emergency" and o.item.get("category")]
    if not ranked:
        return []
    lines = [f"- emergency rankings with the labelled category first: {pct(sum(o.top1() for o in ranked), len(ranked))}"
             f" (no triage_result: {sum(o.result is None for o in ranked)})"]
    for o in ranked if itemise else ():
        if not o.top1():
            lines.append(f"  - `{o.item['id']}` labelled {o.item['category']}; ranked {o.causes()[:2] or 'nothing'}")
    return lines + [""]


# ---------------------------------------------------------------- running against servers

def rest_sender(base_url: Text) -> Callable[[Text, Text], List[Dict[Text, Any]]]:
    session = requests.Session()

    def send(text: Text, sender: Text) -> List[Dict[Text, Any]]:
        reply = session.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        reply.raise_for_status()
        return reply.json()

    return send


def tracker_reader(db_url: Any) -> Callable[[Text], List[Dict[Text, Any]]]:
    import export_story

    import settings

    # The REST channel stores a sender's conversation under its namespaced id (channels/rest.py).
    return lambda sender: export_story.read_events(db_url, settings.REST_SENDER_PREFIX + sender)


def evaluate(
    splits: Sequence[Text], base_url: Text, db_url: Any, texts: Optional[Dict[Text, Text]] = None
) -> Dict[Text, List[Outcome]]:
    texts = texts if texts is not None else real_set.load_texts()
    send, events_of = rest_sender(base_url), tracker_reader(db_url)
    return {name: run_items(real_set.load_split(name), texts, send, events_of) for name in splits}


def report(
    results: Dict[Text, List[Outcome]], texts: Dict[Text, Text], title: Text,
    heading: Text = "Real evaluation set", readable: Sequence[Text] = ("dev",),
) -> Text:
    """Figures of every half; the misses of the halves in `readable` (the test half's texts are never shown)."""
    lines = [f"# {heading}: {title}", ""]
    for name, outcomes in results.items():
        lines += summary_lines(name, outcomes)
        lines += batch_lines(outcomes)
        if name in readable:
            lines += emergency_ranking_lines(outcomes)
            lines += miss_lines(outcomes, texts, name)
        else:
            lines += emergency_ranking_lines(outcomes, itemise=False)
            lines += [f"({name}: aggregate figures only; its messages are scored, never listed.)", ""]
    return "\n".join(lines)


def aggregates_only_file(path: Any) -> bool:
    """A set file named test*.yml is a test half: it is scored, and its messages are never listed."""
    return Path(path).name.startswith("test")


def set_name(path: Any) -> Text:
    """The heading of an inline set: its folder, and its file when that names a half (independent2 dev)."""
    path = Path(path)
    folder = path.parent.name or "set"
    return folder if path.stem == "set" else f"{folder} {path.stem}"


def evaluate_inline(
    path: Any, base_url: Text, db_url: Any
) -> Tuple[Dict[Text, List[Outcome]], Dict[Text, Text]]:
    items, texts = load_inline_set(path)
    outcomes = run_items(items, texts, rest_sender(base_url), tracker_reader(db_url))
    return {set_name(path): outcomes}, texts


def main(argv: Optional[Sequence[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--set", dest="inline_set", help="a set with its texts inline (every miss is reported)")
    parser.add_argument("--rasa-url", help="a running Rasa server (else servers are started)")
    parser.add_argument("--tracker-db", help="its SQLite tracker store (with --rasa-url)")
    parser.add_argument("--model", default=str(ROOT / "models" / "triage.tar.gz"))
    parser.add_argument(
        "--aggregates-only", action="store_true",
        help="figures only, no message listed (automatic for a --set file named test*.yml)",
    )
    parser.add_argument("--report", help="where to write the report (reports/eval-real.md, with --set eval-indep.md)")
    args = parser.parse_args(argv)
    if args.rasa_url and not args.tracker_db:
        parser.error("--rasa-url needs --tracker-db (the server's SQLite tracker store)")
    if args.inline_set and args.split != "all":
        parser.error("--split is for the real set, not with --set")
    args.report = args.report or str(ROOT / "reports" / ("eval-indep.md" if args.inline_set else "eval-real.md"))

    texts: Dict[Text, Text] = {}
    try:
        if args.inline_set:
            load_inline_set(args.inline_set)  # fail on a malformed set before starting servers
        else:
            texts = real_set.load_texts()
    except real_set.MirrorMissing as exc:
        print(f"eval_real: {exc}", file=sys.stderr)
        return 2
    except (SetError, OSError, yaml.YAMLError) as exc:
        print(f"eval_real: {exc}", file=sys.stderr)
        return 2
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    servers = None
    if args.rasa_url:
        base_url, db_url = args.rasa_url, f"sqlite:///{Path(args.tracker_db).resolve()}"
    else:
        from run_stories import Servers

        servers = Servers(Path(args.model))
        servers.start()
        if servers.error:
            print(f"eval_real: servers did not start: {servers.error}", file=sys.stderr)
            servers.stop()
            return 1
        base_url, db_url = servers.rasa_url, servers.db_url
    try:
        if args.inline_set:
            results, texts = evaluate_inline(args.inline_set, base_url, db_url)
        else:
            results = evaluate(splits, base_url, db_url, texts)
    finally:
        if servers:
            servers.stop()
    commit = _commit()
    aggregates_only = args.aggregates_only or bool(args.inline_set and aggregates_only_file(args.inline_set))
    if args.inline_set:
        readable = () if aggregates_only else tuple(results)
        text = report(results, texts, f"{args.inline_set} at commit {commit}", "Independent set", readable)
    else:
        text = report(results, texts, f"commit {commit}", readable=() if aggregates_only else ("dev",))
    print(text)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(text + "\n", encoding="utf-8")
    print(f"report written to {Path(args.report).relative_to(ROOT) if Path(args.report).is_relative_to(ROOT) else args.report}")
    return 0


def _commit() -> Text:
    import subprocess

    proc = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
