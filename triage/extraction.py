"""Finds the interview's facts in free text: signals from the knowledge file, answers to a question."""
import re
from functools import lru_cache
from typing import Dict, List, Optional, Text, Tuple

from triage import knowledge, red_flags, textmatch

UNKNOWN, NONE, UNCLEAR, YES = "unknown", "none", "unclear", "yes"

_DONT_KNOW = re.compile(r"(不知道|不清楚|不太清楚|说不好|说不清|不记得|记不清|记不得|没注意|不确定|不了解|不懂|忘了)")
_DENY = re.compile(r"^(都)?(没有|没|无|不是|否|没什么|都没|没做过|没查过|没检查过|没有做过|也没有|不会|没发现)")
_AFFIRM = re.compile(r"^(有|是|对|嗯|有的|是的|对的|有啊|有过|是啊)")
# A wish or a "how to" (想让腿变瘦, 怎样才能长肉) speaks of what is wanted, not of what is: a clause is read only
# up to it, so a finding told before it still counts (中风后想让腿快点好).
_WISH = re.compile(r"(想让|想要|想把|希望|怎样才能|怎么才能|如何才能|怎么能|怎样能|怎么样才能)")
# Sentence ends: a signal's `sentence_patterns` may span the clauses of one sentence (肩膀疼,抬不起来).
_SENTENCE_SPLIT = re.compile(r"(?:[。;；!！?？\n\r…]|(?<!\d)\.|\.(?!\d))+")  # not a decimal point (textmatch)
# A course of time: not a child's age in months (一岁三个月) nor the idiom 半天 (问了半天: "for ages").
_DURATION = re.compile(r"(?<![岁0-9一二两三四五六七八九十半几])(?!半天)([0-9一二两三四五六七八九十半几]+)(个)?(小时|天|周|星期|礼拜|个月|月|年)")


def extract_signals(text: Optional[Text]) -> Dict[Text, List[Text]]:
    """Signals affirmed in `text`, grouped by the fact (slot) they answer."""
    if not text:
        return {}
    # A risk factor's years (糖尿病十年) are not the course of the complaint (这个月开始腿软).
    text = red_flags.without_risk_history(text)
    return {fact: list(ids) for fact, ids in _signals_in(text, id(knowledge.signals()))}


@lru_cache(maxsize=512)
def _signals_in(text: Text, knowledge_id: int) -> Tuple[Tuple[Text, Tuple[Text, ...]], ...]:
    """Cached per text and loaded knowledge file: several NLU components and the actions read one message."""
    found: Dict[Text, List[Text]] = {}
    # The same reading as textmatch.has_affirmed, with the clauses split once for all ~50 signals (per message).
    clauses = textmatch.clauses(text)
    readable = [_before_wish(clause) for clause in clauses if not textmatch.is_hypothetical(clause)]
    # The opening clause's place in `readable` is the first, unless it was a hypothetical one (then skipped).
    opening = clauses[0] if clauses and not textmatch.is_hypothetical(clauses[0]) else ""
    runs = _clause_runs(text)
    normalised = textmatch.normalise(text)
    for signal_id, signal in knowledge.signals().items():
        if any(textmatch.compile_pattern(p).search(normalised) for p in signal.get("none", ())):
            continue  # cancelled by what the whole message says (有时左边有时右边 is no one side)
        skip = _opening_end(opening, signal.get("not_in_opening"))
        if any(_affirmed(readable, pattern, skip) for pattern in signal["patterns"]) or any(
            _affirmed(runs, pattern) for pattern in signal.get("sentence_patterns", ())
        ):
            found.setdefault(signal["fact"], []).append(signal_id)
    return tuple((fact, tuple(ids)) for fact, ids in found.items())


def _affirmed(clauses: List[Text], pattern: Text, skip: int = 0) -> bool:
    """A match of `pattern` not negated; in the first clause, none that starts before `skip`."""
    regex = textmatch.compile_pattern(pattern)
    return any(
        not textmatch.is_negated(clause, match.start())
        for index, clause in enumerate(clauses) for match in regex.finditer(clause)
        if not (index == 0 and match.start() < skip)
    )


def _opening_end(opening: Text, pattern: Optional[Text]) -> int:
    """Where a signal's `not_in_opening` match (whom the message is about) ends in its opening clause, or 0."""
    if not pattern:
        return 0
    match = textmatch.compile_pattern(pattern).match(opening)
    return match.end() if match else 0


def _clause_runs(text: Text) -> List[Text]:
    """Each sentence's clauses joined by '，', cut where a hypothetical clause stood (如果肩膀疼,抬不起来怎么办)."""
    runs: List[Text] = []
    for sentence in _SENTENCE_SPLIT.split(textmatch.normalise(text)):
        run: List[Text] = []
        for clause in textmatch.clauses(sentence) + [None]:
            if clause is None or textmatch.is_hypothetical(clause) or _WISH.search(clause):
                if clause and not textmatch.is_hypothetical(clause):
                    run.append(_before_wish(clause))
                if run:
                    runs.append("，".join(run))
                run = []
            else:
                run.append(clause)
    return runs


def _before_wish(clause: Text) -> Text:
    match = _WISH.search(clause)
    return clause[: match.start()] if match else clause


# The words a summary quotes for a finding: its clause, cut to this many letters around the match.
SAID_MAX_CHARS = 16


def said(signal_id: Text, text: Optional[Text]) -> Optional[Text]:
    """The clause of `text` in which `signal_id` is affirmed (cut short around the match), or None."""
    signal = knowledge.signals().get(signal_id)
    if not signal or not text:
        return None
    for clause in textmatch.clauses(text):
        if textmatch.is_hypothetical(clause):
            continue
        for pattern in signal["patterns"]:
            for match in textmatch.compile_pattern(pattern).finditer(clause):
                if not textmatch.is_negated(clause, match.start()):
                    # From the clause's start, or after a heading (主要症状:), or from the match when that is far
                    # in; to the clause's end when short, else to the match's end (no word cut in two).
                    start = max(clause.rfind(":", 0, match.start()), clause.rfind("：", 0, match.start())) + 1
                    if match.end() - start > SAID_MAX_CHARS:
                        start = match.start()
                    end = len(clause) if len(clause) - start <= SAID_MAX_CHARS else match.end()
                    return clause[start:end]
    return None


def count_signals(text: Optional[Text]) -> int:
    """How many interview signals `text` affirms."""
    return sum(len(found) for found in extract_signals(text).values())


def body_parts(text: Optional[Text]) -> List[Text]:
    """The body parts `text` names, once each, in the order said (knowledge `body_parts`); negation aside:
    a limb named is a limb spoken of."""
    found: List[Text] = []
    for match in _body_parts_regex(id(knowledge.load())).finditer(textmatch.normalise(text or "")):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found


@lru_cache(maxsize=4)
def _body_parts_regex(knowledge_id: int) -> "re.Pattern[str]":
    return re.compile("|".join(knowledge.load()["body_parts"]))


def extract_duration(text: Optional[Text]) -> Optional[Text]:
    match = _DURATION.search(textmatch.normalise(red_flags.without_risk_history(text)))
    return match.group(0) if match else None


def parse_answer(fact: Text, text: Optional[Text], intent: Optional[Text] = None) -> List[Text]:
    """The value of `fact` given a reply to its question: signal ids, or unknown / none / yes / unclear."""
    text = textmatch.normalise(text or "").strip()
    signals = extract_signals(text).get(fact)
    if signals:
        return signals
    if intent == "dont_know" or _DONT_KNOW.search(text):
        return [UNKNOWN]
    if intent == "deny" or _DENY.search(text):
        return [NONE]
    if intent == "affirm" or _AFFIRM.search(text):
        question = next(q for q in knowledge.questions() if q["fact"] == fact)
        return [question["affirmed"]] if question.get("affirmed") else [YES]
    return [UNCLEAR]


def answer_kind(text: Optional[Text]) -> Optional[Text]:
    """unknown / none / yes for a 不知道 / 没有 / 有 kind of reply, else None."""
    text = textmatch.normalise(text or "").strip()
    if _DONT_KNOW.search(text):
        return UNKNOWN
    if _DENY.search(text):
        return NONE
    if _AFFIRM.search(text):
        return YES
    return None


def signal_ids(facts: Dict[Text, Optional[List[Text]]]) -> List[Text]:
    """All signal ids among the facts' values, in knowledge-file order."""
    known = knowledge.signals()
    present = {value for values in facts.values() if values for value in values}
    return [signal_id for signal_id in known if signal_id in present]
