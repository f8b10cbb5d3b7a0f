"""Reviewed NLU examples: what an editor confirmed or corrected in the inbox, written as Rasa NLU YAML to
one file per intent under data/nlu/reviewed/ (faq sub-intents as faq/<key>), for the next training."""
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Text, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "# 员工控制台「待审核」里核对过的真实说法(staff/nludata.py 写入)。下次 make train 后生效。\n"
    "# 改错了可以直接删掉那一行;文件名是意图名。\n"
)
# [腿没劲](symptom_term) or [渐冻症]{"entity": "cause_term", "value": "肌萎缩侧索硬化"}
MARKUP = re.compile(r"\[([^\[\]]+)\](?:\(([a-z_]+)\)|(\{[^{}]*\}))")


class ExampleError(ValueError):
    """An example that cannot be written (shown to the editor as it is)."""


def plain(example: Text) -> Text:
    return MARKUP.sub(lambda m: m.group(1), example).strip()


def check_example(example: Text, entities: Iterable[Text]) -> Text:
    """The example, stripped, if its entity markup is well formed and names known entities."""
    import json

    example = " ".join(example.split())
    if not plain(example):
        raise ExampleError("例句不能为空")
    if "\n" in example or len(example) > 500:
        raise ExampleError("例句只能是一行,且不超过 500 字")
    known = set(entities)
    for m in MARKUP.finditer(example):
        name = m.group(2)
        if m.group(3):
            try:
                spec = json.loads(m.group(3))
            except ValueError:
                raise ExampleError(f"实体标注写错了:{m.group(0)}")
            name = spec.get("entity") if isinstance(spec, dict) else None
        if name not in known:
            raise ExampleError(f"没有这个实体:{name}(可用:{'、'.join(sorted(known))})")
    leftover = MARKUP.sub("", example)
    if re.search(r"\]\(|\]\{", leftover):
        raise ExampleError("实体标注写错了:应为 [原文](实体名)")
    return example


def file_for(nlu_dir: Path, intent: Text) -> Path:
    return Path(nlu_dir) / f"{intent.replace('/', '_')}.yml"


def training_examples(*data_dirs: Path) -> Dict[Text, Text]:
    """Every example in the NLU data (plain text -> intent), reviewed files included."""
    found: Dict[Text, Text] = {}
    paths = sorted({p for d in data_dirs for p in Path(d).rglob("*.yml")})
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        for block in doc.get("nlu") or [] if isinstance(doc, dict) else []:
            if isinstance(block, dict) and block.get("intent") and isinstance(block.get("examples"), str):
                for line in block["examples"].splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        found.setdefault(plain(line[2:]), str(block["intent"]))
    return found


def render(intent: Text, examples: Sequence[Text]) -> Text:
    lines = [HEADER + 'version: "3.1"', "nlu:", f"  - intent: {intent}", "    examples: |"]
    lines += [f"      - {e}" for e in examples]
    return "\n".join(lines) + "\n"


def read_examples(path: Path) -> List[Text]:
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for block in doc.get("nlu") or []:
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                found.append(line.strip()[2:])
    return found


def add_example(nlu_dir: Path, data_dirs: Sequence[Path], intent: Text, example: Text, intents: Iterable[Text],
                entities: Iterable[Text]) -> Tuple[Path, bool]:
    """Write `example` under `intent`; (file, written). Not written when it is already there.

    Refused when the same words are training data for another intent: Rasa's validator rejects an example
    labelled twice, and the editor has to decide which one is right.
    """
    if intent not in set(intents):
        raise ExampleError(f"没有这个意图:{intent}")
    example = check_example(example, entities)
    text = plain(example)
    existing = training_examples(nlu_dir, *data_dirs).get(text)
    if existing and existing != intent:
        raise ExampleError(f"训练数据里这句话已经标成了 {existing},请先在 data/nlu/ 里改那一条")
    path = file_for(nlu_dir, intent)
    if existing == intent:
        return path, False
    examples = read_examples(path) + [example]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(intent, examples), encoding="utf-8")
    tmp.replace(path)
    return path, True


def suggested_markup(text: Text, entities: Sequence[Dict]) -> Text:
    """The message with the entities the NLU found, marked up as training data."""
    from scripts import export_story

    return export_story.annotate(text, entities)


def pending(decided_at: float, model: Path) -> bool:
    """True until a model newer than the decision exists."""
    return not Path(model).exists() or Path(model).stat().st_mtime < decided_at
