"""Readable story reports: which story failed, at which turn, what it expected and what the bot did.

Reads Rasa's results (failed_test_stories.yml with its `# predicted:` comments, story_report.json) and the
live replay's findings, and writes reports/stories.md and reports/stories.html in plain Chinese.
"""
import html
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from staff import labels  # noqa: E402

# What each action, intent and question means comes from domain.yml (`labels:`) and knowledge/causes.yml.
# Rasa names this pseudo-action when a turn ran too many actions; it is no domain action.
CIRCUIT_BREAKER = {"circuit breaker tripped": "连续做了太多动作被强行停止"}

_ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_STEP_LINE = re.compile(r"^\s*-\s+(intent|action|active_loop|slot_was_set|user):\s*(.*?)\s*(?:#\s*predicted:\s*(.*))?$")
_STORY_LINE = re.compile(r"^\s*-\s+story:\s*(.*?)\s*$")


@dataclass
class Step:
    kind: Text  # user | action | active_loop | slot
    value: Any
    text: Optional[Text] = None  # the user's words, for a user step


@dataclass
class Divergence:
    """The first place where the bot went another way than the story."""

    turn: int  # 1-based number of the user's message; 0 = before the user said anything
    user_text: Optional[Text]
    kind: Text  # intent | action | active_loop | slot
    expected: Text
    actual: Text
    check: Text  # which check saw it


@dataclass
class StoryResult:
    name: Text
    passed: bool
    divergences: List[Divergence] = field(default_factory=list)

    @property
    def first(self) -> Optional[Divergence]:
        return self.divergences[0] if self.divergences else None


# ---------------------------------------------------------------- stories as written

def plain_text(annotated: Text) -> Text:
    """User text without entity markup: [腿没劲](symptom_term) -> 腿没劲."""
    return _ENTITY_MARKUP.sub(lambda m: m.group(1), annotated or "").strip()


def story_steps(raw_steps: Sequence[Dict[Text, Any]]) -> List[Step]:
    steps = []
    for raw in raw_steps or []:
        if "intent" in raw or "user" in raw:
            text = plain_text(raw["user"]) if raw.get("user") else None
            steps.append(Step("user", raw.get("intent"), text))
        elif "action" in raw:
            steps.append(Step("action", raw["action"]))
        elif "active_loop" in raw:
            steps.append(Step("active_loop", raw["active_loop"]))
        elif "slot_was_set" in raw:
            for slot in raw["slot_was_set"] or []:
                if isinstance(slot, dict):
                    for key, value in slot.items():
                        steps.append(Step("slot", (key, value)))
                else:
                    steps.append(Step("slot", (slot, None)))
    return steps


def load_stories(path: Path) -> Dict[Text, List[Step]]:
    """Story name -> steps, for one file or every .yml under a folder, in file order."""
    files = sorted(Path(path).rglob("*.yml")) if Path(path).is_dir() else [Path(path)]
    stories: Dict[Text, List[Step]] = {}
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for story in data.get("stories") or []:
            stories[str(story["story"])] = story_steps(story.get("steps"))
    return stories


def user_text_at(steps: Sequence[Step], turn: int) -> Optional[Text]:
    users = [s for s in steps if s.kind == "user"]
    return users[turn - 1].text if 0 < turn <= len(users) else None


# ---------------------------------------------------------------- Rasa's results

def _story_name(raw: Text) -> Text:
    """`name (tests/test_stories.yml)` -> `name`; Rasa appends the source file to failed stories."""
    raw = raw.strip()
    if raw[:1] in "\"'":
        try:
            raw = yaml.safe_load(raw)
        except yaml.YAMLError:
            raw = raw.strip("\"'")
    match = re.match(r"^(.*) \(([^()]*)\)$", raw)
    return match.group(1) if match and ("/" in match.group(2) or match.group(2).endswith(".yml")) else raw


def parse_failed_stories(text: Text) -> Dict[Text, List[Divergence]]:
    """Story name -> the wrong predictions Rasa marked with `# predicted:`, in order."""
    found: Dict[Text, List[Divergence]] = {}
    name, turn = None, 0
    for line in text.splitlines():
        story = _STORY_LINE.match(line)
        if story:
            name, turn = _story_name(story.group(1)), 0
            found[name] = []
            continue
        step = _STEP_LINE.match(line)
        if not step or name is None:
            continue
        kind, value, predicted = step.groups()
        if kind in ("intent", "user"):
            turn += 1
        if predicted is None:
            continue
        value = value.strip().strip("\"'")
        if kind == "intent":
            # "# predicted: dont_know: 没做过检查": the intent Rasa found, then the text with its entities.
            intent, _, said = predicted.partition(": ")
            found[name].append(Divergence(turn, plain_text(said) or None, "intent", value, intent.strip(), "rasa"))
        else:
            found[name].append(Divergence(turn, None, "action" if kind == "action" else kind, value, predicted.strip(), "rasa"))
    return found


def conversation_totals(story_report: Path) -> Optional[Dict[Text, Any]]:
    """Rasa's own count of passed / failed conversations, if the report is there."""
    if not Path(story_report).exists():
        return None
    return json.loads(Path(story_report).read_text(encoding="utf-8")).get("conversation_accuracy")


# ---------------------------------------------------------------- comparing a live conversation

def _normalise(steps: Sequence[Step]) -> List[List[Step]]:
    """Group steps into blocks that end at each user message or action; order inside a block is free."""
    blocks: List[List[Step]] = [[]]
    for step in steps:
        if step.kind in ("user", "action"):
            blocks.append([step])
            blocks.append([])
        else:
            blocks[-1].append(step)
    return [b for b in blocks if b]


def compare(expected: Sequence[Step], actual: Sequence[Step], check: Text = "live") -> Optional[Divergence]:
    """The first step where `actual` differs from `expected`, or None when they agree.

    Loop and slot changes between two actions may come in any order (the form sets requested_slot and
    closes the loop in one go). Slots the story does not mention are not compared.
    """
    mentioned = {s.value[0] for s in expected if s.kind == "slot"}
    actual = [s for s in actual if s.kind != "slot" or s.value[0] in mentioned]
    exp_blocks, act_blocks = _normalise(expected), _normalise(actual)
    turn = 0
    for i, block in enumerate(exp_blocks):
        got = act_blocks[i] if i < len(act_blocks) else []
        head = block[0]
        if head.kind == "user":
            turn += 1
            if not got or got[0].kind != "user" or got[0].value != head.value:
                actual_value = got[0].value if got and got[0].kind == "user" else _describe_step(got[0] if got else None)
                return Divergence(turn, head.text, "intent", str(head.value), str(actual_value), check)
            continue
        if head.kind == "action":
            if not got or got[0].kind != "action" or got[0].value != head.value:
                return Divergence(turn, None, "action", head.value, _describe_step(got[0] if got else None), check)
            continue
        want = sorted((s.kind, json.dumps(s.value, ensure_ascii=False)) for s in block)
        have = sorted((s.kind, json.dumps(s.value, ensure_ascii=False)) for s in got)
        if want != have:
            missing = [s for s in block if (s.kind, json.dumps(s.value, ensure_ascii=False)) not in have]
            first = missing[0] if missing else block[0]
            same_kind = [s for s in got if s.kind == first.kind and (first.kind != "slot" or s.value[0] == first.value[0])]
            return Divergence(
                turn, None, first.kind, _describe_step(first), _describe_step(same_kind[0] if same_kind else None), check
            )
    if len(act_blocks) > len(exp_blocks):
        extra = act_blocks[len(exp_blocks)][0]
        return Divergence(turn, None, extra.kind if extra.kind != "user" else "intent", "(故事到此结束)", _describe_step(extra), check)
    return None


NOTHING = "(什么也没做)"


def _describe_step(step: Optional[Step]) -> Text:
    if step is None:
        return NOTHING
    if step.kind == "slot":
        return f"{step.value[0]}={step.value[1]}"
    if step.kind == "active_loop":
        return str(step.value)
    return str(step.value)


# ---------------------------------------------------------------- plain words

def _words(kind: Text, value: Text) -> Text:
    if kind == "intent":
        meaning = labels.intent_label(value)
        return f"「{value}」({meaning})" if meaning != value else f"「{value}」"
    if kind == "action":
        meaning = CIRCUIT_BREAKER.get(value) or labels.action_label(value)
        return f"「{value}」({meaning})" if meaning != value else f"「{value}」"
    if kind == "slot" and value.startswith("requested_slot="):
        slot = value.split("=", 1)[1]
        if slot in ("None", "null"):
            return "不再提问(问诊结束)"
        return f"问「{labels.slot_label(slot)}」({slot})"
    if kind == "active_loop":
        return "问诊进行中" if value == "interview_form" else ("问诊已结束" if value in ("None", "null") else value)
    return f"「{value}」"


def explain(d: Divergence) -> Text:
    """One sentence in plain Chinese: where the bot went another way, what was expected, what it did."""
    where = f"第 {d.turn} 轮" if d.turn else "对话开头"
    said = f"用户说「{d.user_text}」" if d.user_text else ""
    if d.kind == "intent":
        return f"{where}:{said},故事期望机器人理解为{_words('intent', d.expected)},机器人却理解成{_words('intent', d.actual)}。"
    after = f"{said}之后," if said else "之后,"
    if d.kind == "action":
        return f"{where}{after}故事期望机器人{_words('action', d.expected)},机器人实际{_words('action', d.actual)}。"
    if d.kind == "slot":
        if d.actual == NOTHING:
            did = "没有换到新的问题(还停在上一个问题上,常见原因是动作服务器出错,请看它的日志)"
        else:
            did = _words("slot", d.actual)
        return f"{where}{after}故事期望机器人{_words('slot', d.expected)},机器人实际{did}。"
    return f"{where}{after}故事期望{_words(d.kind, d.expected)},实际是{_words(d.kind, d.actual)}。"


CHECK_WORDS = {"rasa": "Rasa 测试(rasa test core --e2e)", "live": "真实对话(发给运行中的机器人)"}


# ---------------------------------------------------------------- results and rendering

def build_results(
    stories: Dict[Text, List[Step]],
    rasa_failures: Dict[Text, List[Divergence]],
    live_failures: Optional[Dict[Text, Optional[Divergence]]] = None,
) -> List[StoryResult]:
    """One result per story, in file order; a story fails when either check found a divergence."""
    results = []
    live_failures = live_failures or {}
    for name, steps in stories.items():
        found = []
        if rasa_failures.get(name):
            first = rasa_failures[name][0]
            first.user_text = first.user_text or user_text_at(steps, first.turn)
            found.append(first)
        live = live_failures.get(name)
        if live:
            live.user_text = live.user_text or user_text_at(steps, live.turn)
            found.append(live)
        results.append(StoryResult(name, not found, found))
    # A failed story Rasa reports that is not in the file (renamed while running) still counts.
    for name, divs in rasa_failures.items():
        if name not in stories and divs:
            results.append(StoryResult(name, False, [divs[0]]))
    return results


def summary_line(results: Sequence[StoryResult]) -> Text:
    failed = sum(1 for r in results if not r.passed)
    return f"共 {len(results)} 个故事:通过 {len(results) - failed} 个,失败 {failed} 个。"


def _cell(text: Text) -> Text:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(results: Sequence[StoryResult], meta: Optional[Dict[Text, Any]] = None) -> Text:
    meta = meta or {}
    lines = ["# 对话故事测试报告", "", summary_line(results), ""]
    for key, value in meta.items():
        lines.append(f"- {key}:{value}")
    if meta:
        lines.append("")
    failed = [r for r in results if not r.passed]
    if failed:
        lines += ["## 失败的故事", ""]
        for r in failed:
            lines.append(f"### ❌ {r.name}")
            for d in r.divergences:
                lines.append(f"- {CHECK_WORDS.get(d.check, d.check)}:{explain(d)}")
            lines.append("")
    lines += ["## 全部故事", "", "| 结果 | 故事 | 第一次走岔的地方 |", "|---|---|---|"]
    for r in results:
        where = _cell(explain(r.first)) if r.first else ""
        lines.append(f"| {'✅ 通过' if r.passed else '❌ 失败'} | {_cell(r.name)} | {where} |")
    return "\n".join(lines) + "\n"


def render_html(results: Sequence[StoryResult], meta: Optional[Dict[Text, Any]] = None) -> Text:
    meta = meta or {}
    esc = html.escape
    rows = []
    for r in results:
        detail = "".join(f"<li><b>{esc(CHECK_WORDS.get(d.check, d.check))}</b>:{esc(explain(d))}</li>" for d in r.divergences)
        rows.append(
            f"<tr class=\"{'ok' if r.passed else 'fail'}\"><td>{'✅ 通过' if r.passed else '❌ 失败'}</td>"
            f"<td>{esc(r.name)}</td><td><ul>{detail}</ul></td></tr>"
        )
    meta_html = "".join(f"<li>{esc(str(k))}:{esc(str(v))}</li>" for k, v in meta.items())
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>对话故事测试报告</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #ccc; padding: .4em .6em; vertical-align: top; }}
tr.fail {{ background: #fdecea; }} tr.ok td:first-child {{ color: #1b7f3a; }} ul {{ margin: 0; padding-left: 1.2em; }}
.summary {{ font-size: 1.2em; font-weight: bold; }}
</style></head><body>
<h1>对话故事测试报告</h1>
<p class="summary">{esc(summary_line(results))}</p>
<ul>{meta_html}</ul>
<table><tr><th>结果</th><th>故事</th><th>第一次走岔的地方(故事期望的 vs 机器人实际做的)</th></tr>
{''.join(rows)}
</table></body></html>
"""


def write_reports(results: Sequence[StoryResult], out_dir: Path, meta: Optional[Dict[Text, Any]] = None) -> List[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page, data = out_dir / "stories.md", out_dir / "stories.html", out_dir / "stories.json"
    md.write_text(render_markdown(results, meta), encoding="utf-8")
    page.write_text(render_html(results, meta), encoding="utf-8")
    data.write_text(
        json.dumps([{**asdict(r), "passed": r.passed} for r in results], ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return [md, page, data]


def failed(results: Iterable[StoryResult]) -> List[StoryResult]:
    return [r for r in results if not r.passed]
