"""How often the red-flag gate fires on real patient text nobody labelled (a measurement; no bot change).

Reads every patient message of the unlabelled parts of the mirrors the real set already uses (Huatuo-26M test
questions, Toyhom's internal-medicine questions, ChineseBLUE's cMedQA dev/test questions and cMedIC queries,
ChatMed's consultation queries), drops every message that is in the labelled set (either half: same sha1, or
the same first 60 letters/digits, compared with tests/real/.cache/texts.json without showing those texts) and
repeats among themselves, runs `red_flags.detect` and `needs_check` over the rest and prints the firing rates
overall, per source and per flag id. With --samples it also writes two fixed random samples (seed 0) for
hand labelling to tests/real/.cache/gate_rate/ (gitignored: no fetched text is committed): up to 80 messages
where detect fired, and up to 80 that name weakness, breathing, chest or speech words where it did not.
The reserved files (Toyhom's 样例_内科5000-6000.csv, 100ZZ, any KUAKE-*/CHIP-STS file) are never read.

    .venv/bin/python scripts/gate_rate.py [--samples] [--json reports/gate-rate.json]
"""
import argparse
import collections
import hashlib
import json
import random
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Set, Text, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import real_set  # noqa: E402

OUT_DIR = real_set.REAL_DIR / ".cache" / "gate_rate"
SPAN = 300  # the real set keeps at most 300 characters of a message; the gate sees the same
KEY_LEN = 60

ZHONGJING = ("SupritYoung/Zhongjing", "a105934245c265b84f77dbb070b568e2a79688b4")
TOYHOM = ("Toyhom/Chinese-medical-dialogue-data", "26724a4357fcd142f0cab81188cacf1a2dd8a827")
BLUE = ("alibaba-research/ChineseBLUE", "52eefc9d5cb1839348546c8a473c633d4d9d60a8")
CHATMED = ("michael-wzhu/ChatMed", "0d6726cdf062f3601f0bec7c441ffbd619de08c2")
CHATMED_PATH = "src/web_services/test_examples/ChatMed-Consult_test.json"

# Words that name what an emergency could be (weakness, breathing, chest, speech): the miss sample is drawn
# among messages with one of them where detect did not fire.
MISS_WORDS = re.compile(
    r"无力|没劲|没力气|乏力|使不上劲|发软|瘫|抬不起|站不起|走不了|麻木|呼吸|喘|憋|气短|气促|胸痛|胸闷|胸口|"
    r"说话|口齿|吐字|言语不清|大舌头|嘴歪|口角|吞咽|咽不下"
)


def key(text: Text) -> Text:
    """The first 60 letters/digits of a text (how the real set finds near-identical messages)."""
    return "".join(ch for ch in text.lower() if ch.isalnum())[:KEY_LEN]


def sha1(text: Text) -> Text:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class Labelled:
    """Membership test against the labelled set, holding only sha1s and keys (the texts are not kept)."""

    def __init__(self, texts: Iterable[Text]):
        self.sha1s: Set[Text] = set()
        self.keys: Set[Text] = set()
        for text in texts:
            self.sha1s.add(sha1(text))
            if key(text):
                self.keys.add(key(text))
        # A labelled text cut short (a span under 60 letters) is a prefix of its full message's key.
        self.lengths = sorted({len(k) for k in self.keys})

    def __contains__(self, text: Text) -> bool:
        if sha1(text) in self.sha1s or sha1(text[:SPAN]) in self.sha1s:
            return True
        k = key(text)
        return any(k[:n] in self.keys for n in self.lengths if n <= len(k) and (n == len(k) or n >= 8))


def toyhom_question_lines(lines: List[Text]) -> List[int]:
    """1-based numbers of the question lines of Toyhom's department .txt (a non-empty line after an empty one)."""
    return [i + 1 for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip())]


def _source(repo_commit: Tuple[Text, Text], path: Text, kind: Text, **locator) -> Dict:
    return {"repo": repo_commit[0], "commit": repo_commit[1], "path": path, "kind": kind, **locator}


def candidate_sources() -> Iterator[Tuple[Text, Dict]]:
    """(source name, real_set source reference) for every unit of the unlabelled parts of the mirrors."""
    huatuo = "data/huatuo26M_test.json"
    for index in range(len(real_set._json(ZHONGJING[0], ZHONGJING[1], huatuo))):
        yield "huatuo26m", _source(ZHONGJING, huatuo, "json_first_turn", index=index)
    toyhom = "Data_数据/IM_内科/内科.txt"
    lines = real_set._lines(TOYHOM[0], TOYHOM[1], toyhom, "gb18030")
    for number in toyhom_question_lines(lines):
        yield "toyhom_im", _source(TOYHOM, toyhom, "line", line=number, encoding="gb18030")
    for name, path in (("cmedqa", "data/cMedQA/dev.txt"), ("cmedqa", "data/cMedQA/test.txt"),
                       ("cmedic", "data/cMedIC/train.txt"), ("cmedic", "data/cMedIC/dev.txt"),
                       ("cmedic", "data/cMedIC/test.txt")):
        lines = real_set._lines(BLUE[0], BLUE[1], path, "utf-8")
        for number, line in enumerate(lines, 1):
            if len(line.split("\t")) >= 2:
                yield name, _source(BLUE, path, "tsv_field", line=number, field=1)
    lines = real_set._lines(CHATMED[0], CHATMED[1], CHATMED_PATH, "utf-8")
    for index, line in enumerate(lines):
        if line.strip():
            yield "chatmed", _source(CHATMED, CHATMED_PATH, "jsonl_query", index=index)


def candidates(labelled: Labelled) -> Tuple[List[Dict], Dict[Text, collections.Counter]]:
    """Unlabelled, deduplicated messages (cut at 300 characters) and, per source, what was dropped and why."""
    out, seen = [], set()
    dropped: Dict[Text, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, source in candidate_sources():
        try:
            text = real_set.unit(source)
        except (KeyError, IndexError, ValueError, json.JSONDecodeError):
            dropped[name]["unreadable"] += 1
            continue
        if len(key(text)) < 4:
            dropped[name]["empty"] += 1
            continue
        if text in labelled:
            dropped[name]["labelled"] += 1
            continue
        k = key(text)
        if k in seen:
            dropped[name]["repeat"] += 1
            continue
        seen.add(k)
        out.append({"source": name, "ref": source, "text": text[:SPAN]})
    return out, dropped


def run_gate(items: List[Dict]) -> None:
    from triage import red_flags
    for item in items:
        item["flags"] = [flag.id for flag in red_flags.detect(item["text"])]
        item["check"] = red_flags.needs_check(item["text"])


def rates(items: List[Dict]) -> Dict:
    def summary(group: List[Dict]) -> Dict:
        n = len(group)
        fired = sum(bool(i["flags"]) for i in group)
        check = sum(i["check"] for i in group)
        per_flag = collections.Counter(f for i in group for f in i["flags"])
        return {
            "messages": n, "detect": fired, "detect_rate": round(fired / n, 4) if n else 0.0,
            "needs_check": check, "needs_check_rate": round(check / n, 4) if n else 0.0,
            "per_flag": dict(per_flag.most_common()),
        }

    by_source = collections.defaultdict(list)
    for item in items:
        by_source[item["source"]].append(item)
    return {"overall": summary(items), "per_source": {k: summary(v) for k, v in sorted(by_source.items())}}


def samples(items: List[Dict], size: int = 80, seed: int = 0) -> Tuple[List[Dict], List[Dict]]:
    """Up to `size` messages where detect fired, and up to `size` naming a MISS_WORDS word where it did not."""
    fired = [i for i in items if i["flags"]]
    quiet = [i for i in items if not i["flags"] and MISS_WORDS.search(i["text"])]
    rng = random.Random(seed)
    return rng.sample(fired, min(size, len(fired))), rng.sample(quiet, min(size, len(quiet)))


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", action="store_true", help="write the two hand-labelling samples")
    parser.add_argument("--json", help="write the figures (no text) to this file")
    args = parser.parse_args(argv)
    labelled = Labelled(real_set.load_texts().values())
    items, dropped = candidates(labelled)
    run_gate(items)
    figures = rates(items)
    figures["dropped"] = {k: dict(v) for k, v in sorted(dropped.items())}
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.samples:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        fired, quiet = samples(items)
        for name, sample in (("fired", fired), ("quiet", quiet)):
            with open(OUT_DIR / f"{name}.jsonl", "w", encoding="utf-8") as fh:
                for number, item in enumerate(sample, 1):
                    fh.write(json.dumps({"n": number, **item}, ensure_ascii=False) + "\n")
            # the texts alone, numbered, so that they can be labelled before the flags are seen
            with open(OUT_DIR / f"{name}.txt", "w", encoding="utf-8") as fh:
                for number, item in enumerate(sample, 1):
                    fh.write(f"{number}\t{item['text']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
