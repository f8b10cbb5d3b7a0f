"""Test stories from conversations: drafted with scripts/export_story.py (the format `make export-story`
writes), reviewed and edited in the console, saved as tests/stories/test_<name>.yml (Rasa's e2e test reads
only files named test_*.yml)."""
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence, Text

import yaml

from scripts import export_story

FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")


class StoryError(ValueError):
    """A story that cannot be saved (shown to the editor as it is)."""


@lru_cache(maxsize=1)
def featurized_slots() -> List[Text]:
    return export_story.featurized_slots()


def draft(tracker_url: Any, sender: Text, name: Optional[Text] = None) -> Text:
    """The conversation (each of its sessions) as test stories, ready for review."""
    stories = export_story.export(tracker_url, [sender], featurized_slots())
    if not stories:
        raise StoryError("这段对话里没有用户说的话,无法生成故事")
    if name:
        stories = [(name if len(stories) == 1 else f"{name} ({i})", steps, comment)
                   for i, (_, steps, comment) in enumerate(stories, 1)]
    return export_story.render_file(stories, export_story.question_texts())


def story_names(files: Iterable[Path]) -> List[Text]:
    names = []
    for path in files:
        if path.exists():
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            names += [str(s.get("story")) for s in doc.get("stories") or [] if isinstance(s, dict)]
    return names


def check(text: Text, taken: Sequence[Text]) -> List[Text]:
    """The story names in `text`, if it is a valid test story file whose names are all new."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise StoryError(f"YAML 格式错误:{e}")
    stories = doc.get("stories") if isinstance(doc, dict) else None
    if not stories or not isinstance(stories, list):
        raise StoryError("文件里没有 stories:")
    names = []
    for story in stories:
        if not isinstance(story, dict) or not story.get("story") or not isinstance(story.get("steps"), list):
            raise StoryError("每个故事都要有 story:(名字)和 steps:(步骤)")
        if not any(isinstance(s, dict) and ("intent" in s or "user" in s) for s in story["steps"]):
            raise StoryError(f"故事「{story['story']}」里没有用户说的话")
        names.append(str(story["story"]))
    clash = sorted((set(names) & set(taken)) | {n for n in names if names.count(n) > 1})
    if clash:
        raise StoryError(f"故事名已经用过了:{'、'.join(clash)}")
    return names


def save(stories_dir: Path, file_name: Text, text: Text, taken: Sequence[Text]) -> Path:
    """Write tests/stories/test_<file_name>.yml; refuses to overwrite."""
    file_name = file_name.strip().lower()
    if file_name.startswith("test_"):
        file_name = file_name[5:]
    if not FILE_NAME.match(file_name):
        raise StoryError("文件名只能用小写英文字母、数字、下划线和减号")
    check(text, taken)
    path = Path(stories_dir) / f"test_{file_name}.yml"
    if path.exists():
        raise StoryError(f"{path.name} 已经存在,请换一个文件名")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path
