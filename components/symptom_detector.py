"""NLU component: the interview's signal patterns (knowledge/causes.yml) second-guess the classifier.

- A person's own story always counts (triage/story.py): a message in which someone tells of weakness, wasting
  or failing tasks in their own limbs is a description even when it names a disease or asks a question, so any
  topic intent becomes describe_symptoms; tiredness of the whole person becomes describe_fatigue (one
  clarifying question), a disease feared on one finding becomes ask_worry. red_flag stays with the gate.
- A kind of patient asked about ('截瘫病人用什么助行器'), nobody in particular, is a question: the classifier's
  best question intent answers it rather than an interview.
- No message about weakness, wasting, fatigue or a limb's function is dodged: a fallback or an off-topic guess
  that the reader cannot place becomes the clarifying question (the muscles, or tiredness?).
- A fallback (or an unsure off-topic guess) that names symptoms is a patient describing them: long WeChat-style
  descriptions vary more than any training set.
- An interview answer (`inform`, `deny`, `dont_know`, `affirm`) that is not a plain 有 / 没有 / 不知道 is read like
  any other message: a first message the classifier took for an answer ('腿没力' as deny, '脚气很严重' as inform)
  is a story, tiredness or out of scope, never the fallback. Inside the interview the form reads any of these
  intents as an answer (a loop's happy path comes before rules), so only intents that interrupt it (questions,
  worries) are never forced from an answer.
- An `inform` that names no finding at all is a fallback: off-topic fragments such as 北京这周天气 look like short
  answers to the classifier, and `inform` outside the interview starts it.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.red_flag_gate import RedFlagGate
from triage import conversation, extraction, knowledge, story

INTENT_RANKING = "intent_ranking"
DESCRIBE = "describe_symptoms"
FATIGUE = "describe_fatigue"
WORRY = "ask_worry"
INFORM = "inform"
FALLBACK = "nlu_fallback"
RED_FLAG = "red_flag"
OUT_OF_SCOPE = "out_of_scope"
# Short requests ('帮我看看是什么原因', '我想做个自测') ask for the interview without naming a finding.
ELSEWHERE_MIN_CHARS = 12
# A message this long that names nothing in scope is someone's story of another matter, whatever it asks.
STORY_MIN_CHARS = 30
OWN_QUESTIONS = frozenset({"department", "prognosis", "exams"})
OVERRIDABLE = ("nlu_fallback", "out_of_scope")
# Below this the red-flag gate does not take the classifier's runner-up (its default fallback_threshold).
RUNNER_UP_MIN_CONFIDENCE = RedFlagGate.get_default_config()["fallback_threshold"]
# Intents a story, tiredness or a worry replaces. The others keep their meaning (an interview answer, its
# 没有 / 不知道, a goodbye, a restart; an `inform` outside the interview starts it anyway), and red_flag
# belongs to the gate that runs after this component.
TOPICS = frozenset({
    "faq", "ask_causes", "ask_cause_category", "ask_care", "out_of_scope", "nlu_fallback", "greet", "thanks", "goodbye",
    DESCRIBE, FATIGUE, WORRY, "ask_exam", "bot_challenge",
})
_FORCED = {"story": DESCRIBE, "fatigue": FATIGUE, "worry": WORRY}
# Intents of an answer to the interview's question; read as a first message unless a plain 有 / 没有 / 不知道.
ANSWERS = frozenset({INFORM, "deny", "dont_know", "affirm"})
# Intents that answer a question; a question about a kind of patient takes the best-ranked of them.
QUESTIONS = ("ask_care", "ask_causes", "ask_cause_category", "ask_exam")
QUESTION_MIN_CONFIDENCE = 0.05
CARE = "ask_care"
EXAM = "ask_exam"
EXPLAIN_TERM = "ask_cause_category"


def story_intent(text: Optional[Text], intent: Dict[Text, Any], entities: Optional[List[Dict[Text, Any]]] = None,
                 ranking: Optional[List[Dict[Text, Any]]] = None) -> Optional[Text]:
    """The intent a person's story, tiredness or worry forces, or None to keep the classifier's.

    Also for the classifier's red_flag: the gate after this component keeps red_flag when it trusts it, and
    otherwise falls back to the runner-up, which `process` makes this intent instead of a fallback.
    """
    name = intent.get(INTENT_NAME_KEY)
    if name in ANSWERS:
        return _answer_intent(name, text, entities or [], ranking or [])
    if name not in TOPICS and name != RED_FLAG:
        return None
    kind = story.handling(text)
    forced = _FORCED.get(kind)
    if forced:
        return forced
    reading = story.read(text)
    if kind == "question" and name in (DESCRIBE, *OVERRIDABLE):
        # The classifier's own question intent if it has one; else the care answer, or the named cause's category.
        return best_question(ranking or []) or (EXPLAIN_TERM if reading.term else CARE)
    if (
        (name in OVERRIDABLE or (name == DESCRIBE and not reading.particular))
        and conversation.exams_named(text) and story.is_asking(text) and not reading.muscle
    ):
        return EXAM  # '肌电图检查疼不疼', '肌酶高说明什么': a question about a named examination, nobody's result
    if name == FATIGUE and reading.muscle:
        return DESCRIBE  # the classifier heard tiredness; a named limb's weakness is the muscles
    if name == FATIGUE and reading.fatigue and (reading.muscle_disease or reading.fears):
        return DESCRIBE  # '乏力,怀疑是重症肌无力': a muscle disease feared, not mere tiredness: go through the case
    # The classifier's question for someone's own weakness or tiredness ('五个月的宝宝…凹下去'): a description,
    # unless a named disease or the subject itself is asked about.
    if name in QUESTIONS and reading.topic and (reading.person or reading.age) and kind != "question" and not (
        reading.term or reading.condition or reading.subject or reading.population
    ):
        return DESCRIBE if reading.limb_named or reading.muscle else FATIGUE
    # Weakness or wasting of a limb is never off-topic, even without a person or a time.
    if name in (*OVERRIDABLE, RED_FLAG) and reading.muscle:
        return DESCRIBE
    # Weakness or tiredness the reader cannot place is never off-topic either: a limb named somewhere in it makes
    # it a description ('胳膊突然很疼,抬不起来'), otherwise ask which it is, the muscles or tiredness (a named
    # disease is a question about it, left to the classifier).
    if name in (*OVERRIDABLE, RED_FLAG) and reading.topic and kind != "question" and not (
        reading.term or reading.muscle_disease or reading.subject
    ):
        return DESCRIBE if reading.limb_named else FATIGUE
    # A named disease with weakness words, or weakness spoken of as a possibility ('容易引起瘫痪'): a question about
    # it, answered rather than dodged (the classifier's own question intent when it has one).
    if name in OVERRIDABLE and reading.mentioned and not story.names_other_organ(text):
        return best_question(ranking or []) or (EXPLAIN_TERM if reading.term else CARE)
    if name in (DESCRIBE, FATIGUE) and is_elsewhere(text, reading, entities or []):
        return OUT_OF_SCOPE  # the classifier heard a patient; nothing of weakness, wasting or tiredness is in it
    if name == FALLBACK and reading.in_scope_signals and reading.particular:
        return DESCRIBE  # someone's fracture, cast or bed rest ('我妈摔了一下压缩性骨折'): the disuse questions apply
    if name == FALLBACK and reading.medical and is_elsewhere(text, reading, entities or []):
        return OUT_OF_SCOPE  # a medical matter, only not this assistant's: say so rather than "I did not understand"
    if name in (DESCRIBE, FALLBACK, FATIGUE) and reading.organ_weak and not (reading.fatigue or reading.general_weak):
        return OUT_OF_SCOPE  # '小便无力': an organ's weakness, not the muscles (the red-flag gate still runs after)
    if name in TOPICS and story.names_other_organ(text) and not (reading.topic or reading.fatigue):
        return OUT_OF_SCOPE  # 脑萎缩, 胃萎缩: not the muscles this assistant knows about
    if name in (*QUESTIONS, "faq") and not reading.subject and is_elsewhere(text, reading, entities or []) and (
        reading.other_complaint or (len(text or "") >= STORY_MIN_CHARS and not set(reading.asks) & OWN_QUESTIONS)
    ):
        # '肌肉注射和静脉注射哪个好', or a long story of another matter (a cough, the stomach) that the classifier
        # took for a question about muscles: out of scope. Which department, will it heal, which tests stay.
        return OUT_OF_SCOPE
    return None


def _answer_intent(
    intent_name: Text, text: Optional[Text], entities: List[Dict[Text, Any]], ranking: List[Dict[Text, Any]]
) -> Optional[Text]:
    """What an answer-like message is when it is more than a plain 有 / 没有 / 不知道: a limb's weakness a
    description, tiredness the clarifying question, a matter of another kind out of scope. A question only when
    it asks in so many words ('截瘫的人能用什么辅助走路'): a bare '中风' answers the interview's question about a
    stroke, and a question intent would interrupt it."""
    if extraction.answer_kind(text) is not None:
        return None
    kind = story.handling(text)
    reading = story.read(text)
    asking = story.is_asking(text)
    if intent_name == INFORM and reading.signals and kind != "fatigue" and not (kind == "question" and asking) and not (
        reading.other_complaint and is_elsewhere(text, reading, entities)
    ):
        return None  # '手脚发麻', '两条腿都细了': answers the interview's question (outside it, `inform` starts it)
    if kind == "question" and asking:
        return best_question(ranking) or (EXPLAIN_TERM if reading.term else CARE)
    if kind == "story" or (reading.muscle and kind != "question"):
        return DESCRIBE
    if kind == "fatigue":
        return FATIGUE
    if conversation.exams_named(text) and asking:
        return EXAM  # '肌电图检查痛不痛': a question about a named examination (the form resumes after it)
    if is_elsewhere(text, reading, entities) and (reading.medical or story.names_other_organ(text)):
        return OUT_OF_SCOPE
    return None


def best_question(ranking: List[Dict[Text, Any]]) -> Optional[Text]:
    """The classifier's best-ranked question intent, if it gave one any weight."""
    for entry in ranking:
        if entry.get(INTENT_NAME_KEY) in QUESTIONS and entry.get(PREDICTED_CONFIDENCE_KEY, 0) >= QUESTION_MIN_CONFIDENCE:
            return entry[INTENT_NAME_KEY]
    return None


def is_elsewhere(text: Optional[Text], reading: story.Reading, entities: List[Dict[Text, Any]]) -> bool:
    """A long message, or one about another organ's 萎缩, that names nothing of muscles, limbs' strength or
    tiredness: the classifier's describe_symptoms only saw a patient's way of writing (胃萎缩, a rash on a leg).
    A chronic disease, a pain or a swelling around it (糖尿病, 脚肿) does not make it about the muscles; a word of
    weakness, wasting or tiredness anywhere, or a sign that puts it in scope on its own (肌酶, 骨折, 卧床), does."""
    # A disuse cause is an event in a life (石膏, 卧床, 关节炎): its signal says whether it puts the message in scope
    # (a cast, bed rest do; a joint's pain alone does not), not its name.
    named_cause = reading.term and knowledge.category_for_term(reading.term) != "disuse"
    if reading.mentioned or reading.in_scope_signals or named_cause or reading.condition or reading.wants_interview:
        return False
    if conversation.exams_named(text):
        return False  # an examination of the muscles or nerves is this assistant's matter
    if any(e.get("entity") == "symptom_term" for e in entities):
        return False
    return len(text or "") >= ELSEWHERE_MIN_CHARS or story.names_other_organ(text) or reading.medical


def findings(text: Optional[Text], entities: List[Dict[Text, Any]]) -> int:
    """How many interview signals and symptom words the text names."""
    signals = len(story.telling_signals(text))  # a joint's pain or a rash alone is not a symptom of ours
    return signals + sum(1 for e in entities if e.get("entity") == "symptom_term")


def is_description(text: Optional[Text], intent: Dict[Text, Any], entities: List[Dict[Text, Any]], min_signals: int) -> bool:
    """Whether a fallback (or an unsure off-topic guess) is really a patient describing symptoms."""
    if intent.get(INTENT_NAME_KEY) not in OVERRIDABLE:
        return False
    if intent.get(INTENT_NAME_KEY) == "out_of_scope" and intent.get(PREDICTED_CONFIDENCE_KEY, 0) >= 0.8:
        return False
    return findings(text, entities) >= min_signals


def is_empty_answer(text: Optional[Text], intent: Dict[Text, Any], entities: List[Dict[Text, Any]]) -> bool:
    """An `inform` that names nothing the interview knows and is not a 有 / 没有 / 不知道 kind of reply."""
    return (
        intent.get(INTENT_NAME_KEY) == INFORM
        and findings(text, entities) == 0
        and extraction.answer_kind(text) is None
        and not story.read(text).topic
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SymptomDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_signals": 2}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "SymptomDetector":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            entities = message.get(ENTITIES) or []
            ranking = message.get(INTENT_RANKING) or []
            forced = story_intent(message.get(TEXT), intent, entities, ranking)
            if not forced and intent.get(INTENT_NAME_KEY) == RED_FLAG:
                # What the gate would fall back to, read like any other classifier result (胃萎缩 stays out).
                runner_up = next((r for r in ranking if r.get(INTENT_NAME_KEY) != RED_FLAG), None)
                if not runner_up or runner_up.get(PREDICTED_CONFIDENCE_KEY, 0) < RUNNER_UP_MIN_CONFIDENCE:
                    runner_up = {INTENT_NAME_KEY: FALLBACK}  # what the gate makes of an unsure runner-up
                forced = story_intent(message.get(TEXT), runner_up, entities, ranking)
            if forced and intent.get(INTENT_NAME_KEY) == RED_FLAG:
                # The gate decides about red_flag; if it distrusts it, this reading is the runner-up.
                ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != forced]
                runner_up = {INTENT_NAME_KEY: forced, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT_RANKING, [*ranking[:1], runner_up, *ranking[1:]], add_to_output=True)
            elif forced:
                if forced != intent.get(INTENT_NAME_KEY):
                    message.set(INTENT, {INTENT_NAME_KEY: forced, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
            elif is_description(message.get(TEXT), intent, entities, self._config["min_signals"]):
                message.set(INTENT, {INTENT_NAME_KEY: DESCRIBE, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
            elif is_empty_answer(message.get(TEXT), intent, entities):
                # Not an answer: a question about a named examination ('肌电图疼不疼'), or nothing understood.
                if conversation.exams_named(message.get(TEXT)) and story.is_asking(message.get(TEXT)):
                    message.set(INTENT, {INTENT_NAME_KEY: EXAM, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
                else:
                    confidence = intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)
                    message.set(INTENT, {INTENT_NAME_KEY: FALLBACK, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
