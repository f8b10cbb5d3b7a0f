"""The real evaluation set (tests/real/): references to public patient texts, materialised from local mirrors.

No real text is committed (the workplace's licence rule): tests/real/dev.yml and test.yml hold, per item, the
repository, path, commit, a locator inside the file, the span kept and the sha1 of the exact text, plus the
labels. This module reads the texts back from bare git mirrors (/work/.mirror/<owner>+<name>/repo, or
$REAL_DATA_MIRROR), checks every sha1 and writes tests/real/.cache/texts.json (gitignored).

    python scripts/real_set.py            # materialise; exit 2 when a mirror is missing, 1 on a sha1 mismatch
"""
import ast
import hashlib
import io
import pickle
import re
import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent
REAL_DIR = ROOT / "tests" / "real"
CACHE = REAL_DIR / ".cache" / "texts.json"
SPLITS = ("dev", "test")
DEFAULT_MIRROR = "/work/.mirror"


class MirrorMissing(RuntimeError):
    """A repository the set refers to is not on this machine."""


class Sha1Mismatch(RuntimeError):
    """A materialised text is not the text that was labelled."""


def mirror_root() -> Path:
    return Path(os.environ.get("REAL_DATA_MIRROR") or DEFAULT_MIRROR)


def git_dir(repo: Text) -> Path:
    """The mirror's git directory: `repo` itself when bare, else its `.git` (some snapshots come with a work-tree
    layout, e.g. nlpir2020/MIE-ACL-2020's)."""
    path = mirror_root() / repo.replace("/", "+") / "repo"
    return path / ".git" if (path / ".git").is_dir() else path


@lru_cache(maxsize=None)
def blob(repo: Text, commit: Text, path: Text) -> bytes:
    """The bytes of `path` at `commit` in the mirror of `repo`."""
    gd = git_dir(repo)
    if not gd.exists():
        raise MirrorMissing(repo)
    proc = subprocess.run(["git", f"--git-dir={gd}", "show", f"{commit}:{path}"], capture_output=True)
    if proc.returncode != 0:
        raise MirrorMissing(f"{repo}@{commit[:10]}:{path} ({proc.stderr.decode(errors='replace').strip()})")
    return proc.stdout


@lru_cache(maxsize=None)
def _lines(repo: Text, commit: Text, path: Text, encoding: Text) -> List[Text]:
    return blob(repo, commit, path).decode(encoding).split("\n")


@lru_cache(maxsize=None)
def _json(repo: Text, commit: Text, path: Text) -> Any:
    return json.loads(blob(repo, commit, path).decode("utf-8"))


@lru_cache(maxsize=None)
def _dxy(repo: Text, commit: Text, path: Text) -> Dict[int, List[Dict[Text, Any]]]:
    """IMCS-21's DXY file: one line per split, '<split> <python list literal>'."""
    out = {}
    for number, line in enumerate(_lines(repo, commit, path, "utf-8"), 1):
        if line.strip():
            out[number] = ast.literal_eval(line.split(" ", 1)[1])
    return out


@lru_cache(maxsize=None)
def _meddialog(repo: Text, commit: Text, path: Text) -> Dict[int, Text]:
    """A MedDialog-format text file (COVID-Dialogue, Haodf): records start 'id=<n>'; {n: its 病情描述 line}."""
    out, record = {}, None
    for line in _lines(repo, commit, path, "utf-8"):
        match = re.match(r"^id=(\d+)\s*$", line)
        if match:
            record = int(match.group(1))
        elif record is not None and record not in out and line.startswith("病情描述："):
            out[record] = line[len("病情描述："):]
    return out


@lru_cache(maxsize=None)
def _bio_blocks(repo: Text, commit: Text, path: Text) -> List[Text]:
    """A one-character-per-line tagged file (cMedQANER: '<char> <tag>', texts separated by a blank line):
    each text's characters joined."""
    return [
        "".join(line.rsplit(" ", 1)[0] for line in block.split("\n") if line.strip())
        for block in blob(repo, commit, path).decode("utf-8").split("\n\n")
    ]


class _DataOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain data (lists, dicts, strings, numbers) and refuses every global: no code from a fetched file
    ever runs."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


@lru_cache(maxsize=None)
def _pickle(repo: Text, commit: Text, path: Text) -> Any:
    return _DataOnlyUnpickler(io.BytesIO(blob(repo, commit, path))).load()


def _case_description(case: Text) -> Text:
    """The patient's 病情描述 section of a MedDialog-CN medical_case (up to the next '<label>：' line)."""
    lines, out, inside = case.split("\n"), [], False
    for line in lines:
        label = re.match(r"^\s*([^\s：]{2,12})：\s*$", line)
        if label:
            if inside:
                break
            inside = label.group(1) == "病情描述"
        elif inside:
            out.append(line)
    if not inside and not out:
        raise KeyError("病情描述")
    return "\n".join(out)


def unit(source: Dict[Text, Any]) -> Text:
    """The whole patient message a source reference points at (before `span` is applied).

    kinds: `line` (a text file's line, 1-based), `remedi_first_turn` (a ReMeDi line's current user turn),
    `json_first_turn` (item `index` of a JSON list: its first history turn, else its instruction),
    `jsonl_query` (line `index`, 0-based, of a ChatMed JSON-lines file: the query without its prompt frame),
    `dxy_self_report` (IMCS-21 DXY file: line `line`, record `index`, field self_repo),
    `meddialog_description` (a MedDialog-format file such as COVID-Dialogue's: record `record`, the patient's
    病情描述 line without its label), `tsv_field` (line `line`, 1-based, of a tab-separated file: field `field`,
    0-based; ChineseBLUE's cMedQA and cMedIC), `bio_text` (text `index`, 0-based, of a one-character-per-line
    tagged file such as ChineseBLUE's cMedQANER), `json_case_description` (item `index` of a JSON list of
    MedDialog-CN cases, e.g. HuatuoGPT's Med-dialog_100: the 病情描述 section of its `medical_case`),
    `mie_first_turn` (dialogue `index` of a MIE-ACL-2020 JSON file, a list of dialogues each a list of windows:
    the patient's first turn, i.e. the last utterance of the first window, without its "患者:" label),
    `meddg_first_turn` (item `index` of a MedDG pickle, a list of {"history": [turns]}, read data-only: its first
    turn, the patient's, without its "患者：" label).
    """
    repo, commit, path, kind = source["repo"], source["commit"], source["path"], source["kind"]
    if kind == "line":
        return _lines(repo, commit, path, source.get("encoding", "utf-8"))[source["line"] - 1].strip()
    if kind == "remedi_first_turn":
        line = _lines(repo, commit, path, "utf-8")[source["line"] - 1]
        return line.split("<|currentuser|>", 1)[1].split("<|endofcurrentuser|>", 1)[0].strip()
    if kind == "json_first_turn":
        item = _json(repo, commit, path)[source["index"]]
        if item.get("history"):
            return item["history"][0][0].strip()
        text = item["instruction"]
        return (text[0] if isinstance(text, list) else text).strip()
    if kind == "jsonl_query":
        line = _lines(repo, commit, path, "utf-8")[source["index"]]
        query = json.loads(line)["query"]
        return query.replace("<s>问：\n", "", 1).rsplit("\n答：\n", 1)[0].strip()
    if kind == "dxy_self_report":
        return _dxy(repo, commit, path)[source["line"]][source["index"]]["self_repo"].strip()
    if kind == "meddialog_description":
        return _meddialog(repo, commit, path)[source["record"]].strip()
    if kind == "tsv_field":
        line = _lines(repo, commit, path, source.get("encoding", "utf-8"))[source["line"] - 1]
        return line.split("\t")[source["field"]].strip()
    if kind == "bio_text":
        return _bio_blocks(repo, commit, path)[source["index"]].strip()
    if kind == "json_case_description":
        return _case_description(_json(repo, commit, path)[source["index"]]["medical_case"]).strip()
    if kind == "mie_first_turn":
        turn = _json(repo, commit, path)[source["index"]][0]["utterances"][-1]
        if not turn.startswith("患者:"):
            raise KeyError("患者")
        return turn[len("患者:"):].strip()
    if kind == "meddg_first_turn":
        turn = _pickle(repo, commit, path)[source["index"]]["history"][0]
        label = re.match(r"^患者[:：]", turn)
        if not label:
            raise KeyError("患者")
        return turn[label.end():].strip()
    raise ValueError(f"unknown source kind {kind!r}")


def text_of(source: Dict[Text, Any]) -> Text:
    start, end = source.get("span") or (0, None)
    return unit(source)[start:end]


def sha1(text: Text) -> Text:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def split_files(name: Text) -> List[Path]:
    """`<name>.yml` (the first batch) and any later batch `<name>-<batch>.yml`, in a fixed order."""
    return [REAL_DIR / f"{name}.yml"] + sorted(REAL_DIR.glob(f"{name}-*.yml"))


def batch_of(path: Path, name: Text) -> Text:
    return path.stem[len(name) + 1:] if path.stem != name else "first"


def load_split(name: Text) -> List[Dict[Text, Any]]:
    """Every item of a half over all its batch files, each tagged with its `batch`."""
    items = []
    for path in split_files(name):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("items") or []:
            items.append({**item, "batch": batch_of(path, name)})
    return items


def repositories() -> List[Text]:
    return sorted({item["source"]["repo"] for name in SPLITS for item in load_split(name)})


def missing_repositories() -> List[Text]:
    return [repo for repo in repositories() if not git_dir(repo).exists()]


def missing_message(missing: List[Text]) -> Text:
    return (
        f"the real evaluation set needs local mirrors of {', '.join(missing)} under {mirror_root()} "
        "(<owner>+<name>/repo, bare git; set REAL_DATA_MIRROR to another root): fetch them first"
    )


def materialise(write: bool = True) -> Dict[Text, Text]:
    """{item id: text} for both splits, every sha1 checked; raises MirrorMissing or Sha1Mismatch."""
    missing = missing_repositories()
    if missing:
        raise MirrorMissing(missing_message(missing))
    texts, bad = {}, []
    for name in SPLITS:
        for item in load_split(name):
            text = text_of(item["source"])
            if sha1(text) != item["sha1"]:
                bad.append(item["id"])
            texts[item["id"]] = text
    if bad:
        raise Sha1Mismatch(f"{len(bad)} texts differ from the labelled ones: {', '.join(bad[:10])}")
    if write:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(texts, ensure_ascii=False, indent=0), encoding="utf-8")
    return texts


def load_texts() -> Dict[Text, Text]:
    """The materialised texts (from the cache when it is complete and current, else from the mirrors)."""
    if CACHE.exists():
        texts = json.loads(CACHE.read_text(encoding="utf-8"))
        items = [item for name in SPLITS for item in load_split(name)]
        if all(item["id"] in texts and sha1(texts[item["id"]]) == item["sha1"] for item in items):
            return texts
    return materialise()


def main(argv: Optional[List[Text]] = None) -> int:
    try:
        texts = materialise()
    except MirrorMissing as exc:
        print(f"real_set: {exc}", file=sys.stderr)
        return 2
    except Sha1Mismatch as exc:
        print(f"real_set: {exc}", file=sys.stderr)
        return 1
    print(f"real_set: {len(texts)} texts verified and written to {CACHE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
