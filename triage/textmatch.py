"""Clause splitting, negation and 'general question' detection for Chinese patient text."""
import re
from functools import lru_cache
from typing import Iterator, List, Optional, Pattern, Text, Tuple

# Clause boundaries: punctuation, line breaks and the contrastive words that start a new statement. A point
# between two digits is a decimal point, not a full stop (血钾3.2, 体温38.5): it never cuts a number.
_CLAUSE_SPLIT = re.compile(r"(?:[,，。;；!！?？\n\r、~～…]|(?<!\d)\.|\.(?!\d))+|\s+|但是|可是|但")
# A negation cue right before a finding negates it: 没有呼吸困难, 无吞咽困难, 没觉得喘不上气, 不是腿没劲.
# 不是 negates unless it asks (是不是), supposes (要不是), asserts (还不是因为) or hedges (不是很稳, 不是太有力:
# a little unsteady, a little weak); the letters after it may not hold 是 (不是腿软,而是… is cut there).
_NEGATION_BEFORE = re.compile(
    r"((没有|没(?![劲力知感胃精几多])|无(?![力法])|未|否认|并非|从没)[^没无未不,，。]{0,3}"
    r"|(?P<bushi>(?<![是要还])不是(?!很|太|特别|那么|怎么|一般))[^没无未不是,，。]{0,3}"
    r"|(不觉得|不太|不怎么|并不|从不|都不|也不|不))$"
)
# 不是A就是B (either A or B) reports both.
_EITHER_OR = re.compile(r"就是")
# Questions about a finding in general rather than reports of it.
# 会有 / 会出现 after an adverb of frequency (时常会有, 一走路就会出现) tell what happens, not what might.
_HYPOTHETICAL = re.compile(r"(会不会|会导致|会引起|(?<![常总老时偶都也就])(会出现|会有)|以后会|将来|如果|假如|万一|(?<![主只需还])要是|什么情况|哪些情况|哪些表现|需要警惕|怎么预防|算不算|属于)")
_QUESTION = re.compile(r"(是怎么回事|怎么回事|是什么|什么意思|吗|嘛|么|呢|怎么办|为什么|为啥|哪些|[?？])")
# Words that anchor a statement in a real person and a real moment.
_ANCHOR = re.compile(r"(我|俺|咱|孩子|宝宝|儿子|女儿|闺女|老公|老婆|爱人|媳妇|妈|爸|爷爷|奶奶|外公|外婆|姥姥|姥爷|老人|家人|患者|病人|他|她|现在|刚才|刚刚|今天|昨天|今早|早上|晚上|突然|忽然|一下子|这几天|最近|(脑梗|中风|脑出血|手术|术|化疗|放疗|车祸|摔伤|骨折)后)")


def normalise(text: Optional[Text]) -> Text:
    """Full-width letters and digits to half-width; whitespace kept as clause breaks."""
    if not text:
        return ""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in "，。；！？～":
            ch = chr(code - 0xFEE0)
        out.append(ch)
    return "".join(out)


def clauses(text: Text) -> List[Text]:
    return [c for c in _CLAUSE_SPLIT.split(normalise(text)) if c]


def is_negated(clause: Text, start: int) -> bool:
    negation = _NEGATION_BEFORE.search(clause[:start])
    if negation and negation.group("bushi"):
        return not _EITHER_OR.search(clause, start)
    return bool(negation)


def is_general_question(text: Text) -> bool:
    """'呼吸困难是怎么回事' asks about a finding; '我喘不上气怎么办' reports one."""
    text = normalise(text)
    return bool(_QUESTION.search(text)) and not _ANCHOR.search(text)


def is_hypothetical(clause: Text) -> bool:
    """'如果出现呼吸困难' or '会不会遗传' speaks of a finding that is not (yet) there."""
    return bool(_HYPOTHETICAL.search(clause))


@lru_cache(maxsize=512)
def compile_pattern(pattern: Text) -> Pattern:
    return re.compile(pattern, re.IGNORECASE)


def affirmed_matches(text: Text, pattern: Text) -> Iterator[Tuple[Text, re.Match]]:
    """Matches of `pattern` in clauses of `text` that are not negated."""
    regex = compile_pattern(pattern)
    for clause in clauses(text):
        if is_hypothetical(clause):
            continue
        for match in regex.finditer(clause):
            if not is_negated(clause, match.start()):
                yield clause, match


def has_affirmed(text: Text, pattern: Text) -> bool:
    return next(affirmed_matches(text, pattern), None) is not None
