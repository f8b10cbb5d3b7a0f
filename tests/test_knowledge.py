"""The knowledge file: complete, faithful to the article, and the one source of the NLU's term lists."""
import re

import pytest

from triage import knowledge
from scripts import gen_nlu_terms
from tests.servers import ROOT

ARTICLE = (ROOT.parent / "shared" / "source" / "muscle-atrophy-causes.txt")


def test_it_loads_with_five_categories_in_the_articles_order():
    assert [c["id"] for c in knowledge.categories()] == list(knowledge.CATEGORY_IDS)
    assert [c["name"] for c in knowledge.categories()] == ["基因突变", "神经损伤", "肌肉疾病", "废用性萎缩", "营养不良"]


def test_an_incomplete_file_is_refused():
    data = dict(knowledge.load())
    data["categories"] = data["categories"][:4]
    with pytest.raises(ValueError):
        knowledge.validate(data)


@pytest.mark.skipif(not ARTICLE.exists(), reason="the shared article is not beside the repository")
def test_named_examples_and_treatments_are_the_articles():
    article = ARTICLE.read_text(encoding="utf-8")
    for phrase in ["抗肌萎缩蛋白基因", "运动神经元存活基因1", "诺西那生钠注射液", "吉兰-巴雷综合征", "腕管综合征",
                   "肌萎缩侧索硬化", "多发性肌炎", "皮肌炎", "线粒体肌病", "糖原累积病", "泼尼松片", "甲氨蝶呤片",
                   "被动关节活动、等长收缩训练", "肠内或肠外营养支持", "鱼肉、鸡蛋、牛奶及豆制品", "翻身、拍背"]:
        assert phrase in article
        assert phrase in (ROOT / "knowledge" / "causes.yml").read_text(encoding="utf-8")
    assert knowledge.disclaimer() in article


def test_every_named_disease_of_the_issue_maps_to_a_category():
    for term in ["杜氏肌营养不良", "脊髓性肌萎缩症", "吉兰-巴雷综合征", "腕管综合征", "肌萎缩侧索硬化", "多发性肌炎",
                 "皮肌炎", "线粒体肌病", "糖原累积病", "石膏固定", "长期卧床", "失重", "恶病质", "神经性厌食"]:
        assert knowledge.category_for_term(term), term


def test_generated_nlu_terms_and_jieba_dictionary_are_up_to_date():
    assert (ROOT / "data" / "nlu" / "terms.yml").read_text(encoding="utf-8") == gen_nlu_terms.terms_yaml(), "run `make data`"
    assert (ROOT / "data" / "jieba" / "userdict.txt").read_text(encoding="utf-8") == gen_nlu_terms.render()["userdict"]


def test_colloquial_words_are_in_the_jieba_dictionary():
    words = (ROOT / "data" / "jieba" / "userdict.txt").read_text(encoding="utf-8")
    for word in ["腿没劲", "手没劲", "肉变少了", "胳膊细了", "渐冻症", "走路老摔跤"]:
        assert f"{word} " in words


# Clause boundaries for comparing the knowledge file with the article: punctuation of either width.
_CLAUSE_BREAKS = re.compile(r"[—,，。.;；:：、()（）“”\"?？!！\s]+")


def _unmarked_clauses(value, added, article):
    """Clauses of `value` neither in the article nor inside one of the phrases marked added for it."""
    if added == "all":
        return []
    phrases = [_CLAUSE_BREAKS.sub("", p) for p in added or []]
    return [c for c in _CLAUSE_BREAKS.split(value)
            if c and c not in article and not any(c in p for p in phrases)]


def _fields():
    """(where, text, added phrases) for every category field and FAQ answer."""
    data = knowledge.load()
    for category in data["categories"]:
        added = category.get("added") or {}
        for field in ("mechanism", "examples", "signs", "treatment", "department"):
            yield f"{category['id']}.{field}", category[field], added.get(field)
    faq_added = data.get("faq_added") or {}
    for key, answer in data["faq"].items():
        yield f"faq.{key}", answer, faq_added.get(key)
    for key in ("general", "diet", "family", "followup"):
        yield f"care.{key}", data["care"][key], None
    yield "overview", data["overview"], None
    marks = data.get("section_added") or {}
    for where, text in _section_fields(data):
        yield where, text, marks.get(where, [])


def _section_fields(data):
    """(where, text) for every field of the conversation's sections that section_added marks."""
    for key, text in data["patient_answers"].items():
        yield f"patient_answers.{key}", text
    yield "exams_intro", data["exams_intro"]
    for exam in data["exams"]:
        yield f"exams.{exam['id']}", exam["shows"]
    yield "exams_after", data["exams_after"]
    for section in ("fatigue", "worry"):
        for key, text in data[section].items():
            yield f"{section}.{key}", text


@pytest.mark.skipif(not ARTICLE.exists(), reason="the shared article is not beside the repository")
def test_every_fact_is_the_articles_or_marked_added():
    article = _CLAUSE_BREAKS.sub("", ARTICLE.read_text(encoding="utf-8"))
    unmarked = {where: bad for where, text, added in _fields() if (bad := _unmarked_clauses(text, added, article))}
    assert not unmarked, f"not in the article and not marked added: {unmarked}"


def test_added_phrases_still_occur_in_their_field():
    for where, text, added in _fields():
        assert added is None or added == "all" or isinstance(added, list), where
        for phrase in added if isinstance(added, list) else []:
            assert phrase in text, f"{where}: added phrase {phrase!r} is no longer in the text"


def test_the_check_catches_an_unmarked_fact():
    article = "肌肉萎缩症通常由基因突变等原因造成"
    assert _unmarked_clauses("基因突变,常有家族史", None, article) == ["常有家族史"]
    assert _unmarked_clauses("基因突变,常有家族史", ["常有家族史"], article) == []


def test_heredity_answer_names_inherited_types_beyond_the_genetic_category():
    answer = knowledge.faq_answer("hereditary")
    for inherited in ["线粒体肌病", "糖原累积病", "肌萎缩侧索硬化", "周围神经"]:
        assert inherited in answer
    assert "神经损伤、废用、营养不良等原因引起的肌肉萎缩一般不遗传" not in answer


def test_every_field_of_the_conversation_sections_has_its_added_marks():
    """patient_answers, exams, fatigue and worry: each field is listed in section_added (phrase by phrase)."""
    data = knowledge.load()
    marks = data.get("section_added") or {}
    fields = dict(_section_fields(data))
    assert not set(fields) - set(marks), f"fields without section_added marks: {sorted(set(fields) - set(marks))}"
    assert not set(marks) - set(fields), f"section_added names unknown fields: {sorted(set(marks) - set(fields))}"
    assert all(isinstance(phrases, list) for phrases in marks.values()), "mark phrase by phrase, not `all`"
