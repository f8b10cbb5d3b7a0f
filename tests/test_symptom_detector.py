"""The symptom detector turns a fallback that names symptoms into a description."""
import pytest

from components.symptom_detector import is_description, is_empty_answer

FALLBACK = {"name": "nlu_fallback", "confidence": 0.35}


@pytest.mark.parametrize("text", ["宝宝出生后就哭声弱,吃奶没力气,四肢软,两边都这样", "女儿一直节食怕胖不敢吃,现在瘦得皮包骨,腿也肿"])
def test_a_description_the_classifier_missed(text):
    assert is_description(text, FALLBACK, [], 2)


@pytest.mark.parametrize("text", ["今天天气怎么样", "哈哈哈", "你好呀"])
def test_other_fallbacks_stay(text):
    assert not is_description(text, FALLBACK, [], 2)


def test_symptom_words_count_too():
    entities = [{"entity": "symptom_term", "value": "肌无力"}, {"entity": "symptom_term", "value": "肌肉萎缩"}]
    assert is_description("那个啥", FALLBACK, entities, 2)


def test_a_confident_intent_is_left_alone():
    assert not is_description("上楼费劲,两边大腿疼", {"name": "ask_care", "confidence": 0.9}, [], 2)
    assert not is_description("上楼费劲,两边大腿疼", {"name": "out_of_scope", "confidence": 0.95}, [], 2)


def test_an_inform_that_names_nothing_is_a_fallback():
    inform = {"name": "inform", "confidence": 0.7}
    assert is_empty_answer("北京这周天气", inform, [])
    assert not is_empty_answer("成年后", inform, [])
    assert not is_empty_answer("就左腿", inform, [])
    assert not is_empty_answer("没有做过检查", inform, [])
    assert not is_empty_answer("北京这周天气", {"name": "out_of_scope", "confidence": 0.7}, [])


def test_an_empty_inform_that_names_an_examination_asks_about_it():
    from rasa.shared.nlu.training_data.message import Message

    from components.symptom_detector import SymptomDetector

    inform = {"name": "inform", "confidence": 0.9}
    for text, expected in (("做肌电图疼不疼", "ask_exam"), ("做过肌电图", "nlu_fallback"), ("北京这周天气", "nlu_fallback")):
        message = Message(data={"text": text, "intent": inform, "intent_ranking": [inform], "entities": []})
        SymptomDetector({"min_signals": 2}).process([message])
        assert message.get("intent")["name"] == expected
