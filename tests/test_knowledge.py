"""The knowledge file: complete, faithful to the article, and the one source of the NLU's term lists."""
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
