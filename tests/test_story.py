"""A person's own story, tiredness, a worry and the questions a message also asks (triage/story.py), and the
conversation around the interview (triage/conversation.py)."""
import pytest

from components.symptom_detector import story_intent
from triage import conversation, interview, knowledge, story


# First messages of the kinds real patients write, in our own wording (never copied real text; issue 10).
# a person's own story (of oneself or a relative, dialect, chronic disease, long or placed in time): the interview
STORIES = [
    "我有类风湿关节炎,手腕疼得不敢用,前臂越来越细",
    "我老公腰椎手术后在家躺了两个月,腿软站不住,这是废用性萎缩吗?",
    "孩子三岁了爬楼梯还要扶着,是不是肌营养不良",
    "我妈七十多了,这半年走路越来越慢,从椅子上站起来要撑着",
    "你好,我爸最近右手拿筷子老掉,虎口那块肉也凹下去了",
    "老人腿没劲挂哪科",
    "我糖尿病十几年了最近脚底发麻小腿也细了",
    "我很担心,最近腿没劲",
    "我最近大腿乏力,上楼梯特别费劲",      # a named limb and a failing task: the muscles
    "我浑身没劲,而且两条腿越来越细",       # wasting
    "最近累,手脚发麻,手上的肉在跳",        # nerve signs
    "我一用力肌肉就特别容易累歇一会又好点",  # the muscles tire,
    "我这两个月右手越来越没劲,拧毛巾都拧不干",
    "俺娘七十多了,腿脚不利索,上个台阶都得人扶",
    "我家伢三岁了还走不稳,老摔跤",
    "老汉去年脑梗过一次,现在左边胳膊抬不动",
    "糖尿病好些年了,最近两只脚发木,走路像踩着棉花",
    "我有甲亢,这阵子大腿发软,蹲下去起不来",
    "医生您好,我是一名45岁的男性,平时身体还行,也没什么大毛病,就是从去年冬天开始觉得右腿比左腿细了一圈,爬楼梯的时候右腿使不出劲,有时候还会抽一下,想问问这是什么情况,需要去医院做什么检查吗",
    "我老婆生完孩子以后手腕一直没力气,抱孩子都抱不住",
    "最近两条腿没劲,上楼梯特别吃力,这是怎么了",
    "这半年手上的肉越来越少,虎口那里都凹下去了",
    "我爸化疗以后瘦了二十多斤,腿细得跟麻杆一样",
    "患者女,52岁,双手握东西握不紧三个月",
    "孩子从小跑不快,小腿肚子特别粗,他舅舅也这样",
    "我腰椎间盘突出,左腿麻,脚背抬不起来",
    "我妈中风后偏瘫三年了,现在右手一点劲都没有,还有希望恢复吗",
    "宝宝五个月了,抱起来软软的,脖子也抬不起来",
    "腿没劲走路老打软腿,是不是缺钙,我都六十了",
    "我老公卧床两个多月,现在腿细了站不住",
    "我两条腿力气不够,上楼梯费劲",
    "我天天坐着开车,这一年大腿上的肉都松垮了",
    "这几个月左手拧瓶盖越来越吃力",
    "右脚大拇趾麻了,该挂哪个科",
    "我儿子八岁,跑步老摔倒,小腿肚子摸着很硬",
    "我胳膊上的肉这几天老是突突地跳",
    "我这阵子眼皮老往下耷,下午更明显,嚼东西嚼久了就没力气",
    "我爷爷中风以后腿脚不方便,出门得拄拐",
    "膝盖肿了半年,已经影响走路了",
    "吃了一种药以后右手不受控制,拿碗都拿不住",
    "我胳膊上的肉这一年掉了不少,提东西也没以前有劲了",
    # issue 10 round 2: built wordings (a motor verb + 不 + result, strength gone or less), tiny, dialect, relatives
    "我右手这半个月握拳握不紧,拿勺子都费劲,有糖尿病史",
    "老爸七十三了 这两个月腿越来越细 走几步就要歇 怎么回事",
    "产后三个月,手腕使不上劲,抱娃都抱不稳",
    "胳膊酸软无力抬不高,晾衣服都费劲,怎么办",
    "手没啥力气,拧毛巾拧不动,要紧不",
    "右边身子有点不听使唤,三年前脑梗过",
    "我大腿肌肉这半年明显松了,蹲下去起不来",
    "乙肝小三阳,最近两条腿发软,蹲下站不起来",
    "长期吃他汀,最近大腿酸痛,上楼梯没劲",
    "我的左手手指握力变差,写字写不稳",
    "我腿好软哦走不动了",
    "胳膊抬不起来了咋整",
    "我妈腿不行了",
    "腿发软是什么原因",
    "手臂没劲是怎么回事啊",
    "糖尿病腿脚无力怎么办",
    "两只手越来越没劲儿了,瓶盖都拧不开",
    "最近走路总是往一边偏,腿不听话",
    "腰椎间盘突出会引起腿没劲吗?,我今年五十二岁,腰疼了好几年,最近半个月右腿越来越没劲,走路时间长了就发软",
    "甲亢能引起肌肉无力吗?,我查出甲亢三个月了,最近上楼梯大腿酸软,蹲下去得扶着东西才能站起来",
    "手指发麻是什么原因?,最近两周右手三个手指一直发麻,拿东西有时候拿不稳",
    "医生你好,我老公做完胃癌手术半年,体重掉了四十斤,两条腿细得跟竹竿一样,走几步就喘",
    "眼皮耷拉下来,到了晚上更重,吃饭嚼久了腮帮子没劲",
    "我腿上的肌肉老是一跳一跳的,已经两个月了,最近觉得腿也有点没劲",
    "长期吃激素,这几个月大腿和肩膀没力气,梳头都举不起胳膊",
    "宝宝九个月了还不会坐,抱着软软的,头也立不太稳",
    "我爸喝了三十年酒,现在两条腿又麻又没劲,走路摇摇晃晃",
    "最近总感觉右手不太灵活,扣扣子都扣不上,写字也歪",
    "跑步扭了膝盖以后一直不敢使劲,大腿肉松了不少",
    "我这半年浑身肌肉没劲,端碗都端不稳",
    "我爸帕金森好几年了,这阵子走路小碎步,老往前冲,差点摔了",
    "车祸伤了坐骨神经,现在脚背翘不起来,走路拖着",
    "胸椎骨折做了手术,下半身没知觉,有什么办法",
    "我两条腿委缩了好几年,现在上楼越来越难",  # a same-sound slip (委 for 萎)
]

# tiredness of the whole person: the clarifying question
TIREDNESS = [
    "浑身乏力是怎么回事",
    "最近总是没精神,浑身没劲",
    "我有乙肝,最近老觉得累,吃不下饭",
    "我妈这阵子老说浑身没劲,想睡觉",
    "高血压会导致浑身无力吗",
    "最近我感觉身体非常乏力,晚上还失眠",
    "这段时间浑身没劲,干啥都提不起精神",
    "我有乙肝好多年了,最近老是觉得累,没胃口",
    "全身乏力是什么原因",
    "四肢无力犯困,每天都睡不醒",
    "我妈有高血压,最近总说身上没劲,懒得动",
    "最近总是很疲惫,精力不够用,下午就犯困",
    "失眠好几个月了,头昏脑涨,心慌,两条腿也软绵绵的",
    "胃胀没胃口,头晕,腿发软",
    "身体很虚,动一动就出汗,浑身没力气",
    "浑身没得劲,啥也不想干",
    "手脚都没劲,整天想睡",
    "每天睡够了还是困,上班老打瞌睡",
    "最近老觉得累,上楼就喘得厉害",
    "六十多了,平时身体不是多精神,干点活就一身汗",
    # issue 10 round 2: a chronic disease or an event around it changes nothing; everyday and TCM words
    "最近上班老是犯困,浑身酸懒,不想动",
    "甲减吃药一年,还是整天没精神,全身发沉",
    "乙肝大三阳,这个月人特别乏,吃饭也不香",
    "感冒好了以后一直浑身软绵绵的没力气",
    "整个人虚得很,动一下就出汗,是不是气虚",
    "这段时间总觉得身子骨不得劲,懒洋洋的",
    "怀孕七个月,最近特别容易累,气也短",
    "做完手术两个月了,人还是很虚,没有力气",
    "好累",
    "浑身没劲儿咋回事",
    "人没精神,老想躺着,手脚也懒得动",
    "贫血会导致乏力吗?,我是女生,二十五岁,月经量多,最近老是头晕,浑身没力气,脸色也发白",
    "新冠阳了以后一个月了,还是浑身没劲,稍微走走就累,咳嗽也没好利索",
    "糖尿病人浑身无力是血糖高了吗?,我爸有糖尿病,最近几天说身上没劲,口渴得厉害,尿也多",
    "化疗期间全身乏力正常吗,每次化疗完一个星期都起不来床,浑身没力",
    "体检说有点贫血,平时就容易累,爬三楼就喘,浑身没力气",
    "最近压力大,整个人很疲惫,干什么都没兴趣",
    "我老是有气无力的,睡多久都睡不醒",
]

# a question about a kind of patient, with nobody particular: an answer
QUESTIONS = [
    "截瘫的病人有什么辅助站立的器械",
    "偏瘫患者平时怎么锻炼",
    "长期卧床的老人怎么防止肌肉萎缩",
    "中风病人饮食要注意什么",
    "渐冻症能活多久",
    "肌肉萎缩是怎么引起的",
    "我爸脑梗好几年了,平时吃什么药好",
    "重症肌无力能活多久",
    "中风后遗症怎么康复锻炼",
    "长期卧床的病人怎么防止肌肉萎缩",
    "请问脊髓性肌萎缩症和进行性肌营养不良有什么区别",
]

# a disease feared on one finding: a calm answer and the offer
WORRIES = [
    "我腿没劲会不会是渐冻症", "手上肉跳是不是渐冻症", "我胳膊没力气是不是肌营养不良",
    "我腿没劲,会不会是渐冻症啊",
    "我胳膊没力气是不是渐冻症",
]

# only a trigger word, or nothing the reader decides: the classifier's intent
LEFT_TO_THE_CLASSIFIER = [
    "萎缩性胃炎要吃什么药",
    "脑萎缩的老人怎么护理",
    "牙龈萎缩怎么办",
    "我膝盖疼,上下楼疼得厉害,拍片说是骨质增生",
    "孩子胳膊上起了一片红疹子,痒得很",
    "我手脚冰凉怎么调理",
    "打完疫苗胳膊上鼓了个包",
    "我爸癫痫发作时四肢抽搐,平时吃什么药好",
    "最近手抖得厉害,拿杯子都洒",
    "肌肉没力气通常要查哪些项目",
    "我拿筷子手会抖,一紧张更厉害",
    "今天天气怎么样",
    "我最近没有乏力,也没有腿软,就是咳嗽",
    # a limb's complaint that is not its strength (skin, joint, cramp, tremor, cold, an injury): out of scope below
    "腿上起了很多红色的小疙瘩,很痒,抓破了还流水,是湿疹吗",
    "小腿肚子晚上老抽筋,疼得醒过来,吃了钙片也没用",
    "脚底长了个鸡眼,走路硌得疼",
    "手脚一到冬天就冰凉,是不是气血不足",
    "脚踝扭了一下,肿得像馒头",
    "小腿上的静脉一条一条鼓起来,站久了发胀",
    "腰疼了一个星期,弯腰的时候疼得厉害,没有腿麻",
    "鼻黏膜萎缩,鼻子老是干,出血",
    "老人脑萎缩,记性差,还老是发脾气,怎么办",
    "面部和手上的肌肉震颤,是不是阴虚",
    "冬天手一冷就发麻,捂热了就好",
    "做了B超说卵巢偏小,是萎缩了吗",
    "脸上擦了激素膏,皮肤越来越薄,是萎缩吗",
]


@pytest.mark.parametrize("text, expected", [
    *[(t, "story") for t in STORIES], *[(t, "fatigue") for t in TIREDNESS], *[(t, "question") for t in QUESTIONS],
    *[(t, "worry") for t in WORRIES], *[(t, None) for t in LEFT_TO_THE_CLASSIFIER],
])
def test_the_reader_tells_what_kind_of_message_it_is(text, expected):
    assert story.handling(text) == expected


@pytest.mark.parametrize("text", [
    "肌肉萎缩是什么原因引起的",
    "肌肉萎缩会遗传吗",
    "我想了解一下什么是肌肉萎缩",
    "家属怎么照顾肌肉萎缩的病人",
    "术后腿细了怎么锻炼恢复",
    "渐冻症能治好吗",
    "今天天气怎么样",
    "胃萎缩是什么原因",
    "/describe_symptoms",
    "",
])
def test_topic_questions_are_not_stories(text):
    assert story.handling(text) in (None, "question")  # 'question': a kind of patient, the classifier's answer


def test_negated_and_hypothetical_findings_do_not_count():
    assert story.read("我没有腿软,也没有手麻").findings == ()
    assert story.read("如果腿没劲了应该怎么办").findings == ()


def test_what_a_story_also_asks():
    assert story.read("我腿没劲两个月了要看什么科").asks == ("department",)
    assert story.read("我爸卧床半年腿细了还能恢复吗").asks == ("prognosis",)
    assert story.read("我腿没劲要做什么检查").asks == ("exams",)
    reading = story.read("孩子三岁了爬楼梯还要扶着,是不是肌营养不良")
    assert reading.asks == ("term",) and reading.term == "杜氏肌营养不良"


@pytest.mark.parametrize("intent, text, forced", [
    ("ask_cause_category", "我有类风湿关节炎,手腕疼得不敢用,前臂越来越细", "describe_symptoms"),
    ("faq", "孩子三岁了爬楼梯还要扶着,是不是肌营养不良", "describe_symptoms"),
    ("out_of_scope", "脚部肿胀,两腿无力", "describe_symptoms"),  # a limb's weakness is never off-topic
    ("out_of_scope", "糖尿病腿无力怎么办", "describe_symptoms"),
    ("out_of_scope", "早上起床小便无力,很黄", None),  # not a limb
    ("nlu_fallback", "浑身没劲是怎么回事", "describe_fatigue"),
    ("describe_symptoms", "最近总是没精神,浑身没劲", "describe_fatigue"),
    ("faq", "我腿没劲会不会是渐冻症", "ask_worry"),
    ("ask_causes", "肌肉萎缩是什么原因引起的", None),
    ("describe_symptoms", "近半年多牙龈萎缩右侧上两牙牙根露出来了想问问怎么治疗", "out_of_scope"),  # another organ
    ("describe_symptoms", "我想做个自测", None),     # asks for the interview
    ("deny", "没有,我腿也没劲", None),                # an interview answer keeps its meaning
    ("stop_interview", "不想弄了好累", None),
    ("thanks", "谢谢医生,我爸最近腿没劲走不动", "describe_symptoms"),  # a thank-you around a story
    ("goodbye", "好的谢谢,再见", None),
])
def test_the_nlu_component_forces_story_intents(intent, text, forced):
    assert story_intent(text, {"name": intent, "confidence": 0.9}) == forced


@pytest.mark.parametrize("intent, text, forced", [
    # A question about a kind of patient takes the classifier's best question intent, not the interview.
    ("describe_symptoms", "截瘫的病人有什么辅助站立的器械", "ask_care"),
    ("nlu_fallback", "偏瘫患者平时怎么锻炼", "ask_care"),
    ("ask_care", "偏瘫患者平时怎么锻炼", None),
    ("faq", "偏瘫的病人会传染给家里人吗", None),
    # Weakness or tiredness the reader cannot place is never dodged: the clarifying question instead.
    ("nlu_fallback", "干点活就软了,歇歇又好", "describe_fatigue"),
    ("out_of_scope", "吃饭没胃口,人也乏", "describe_fatigue"),
    # The back and knees sore and soft together (腰膝酸软) name no muscle that fails: tiredness, asked about.
    ("describe_symptoms", "这半年老觉得腰膝酸软,晚上还尿多", "describe_fatigue"),
    ("nlu_fallback", "腰酸腿软的,吃点什么好", "describe_fatigue"),
    ("describe_fatigue", "腰膝酸软,左手连筷子都握不住", "describe_symptoms"),
    # A long message that speaks of weakness in words the reader has no story for is not out of scope.
    ("describe_symptoms", "前几年查出来有冠心病,一直在吃药,就是现在动不动就软了,想问问是怎么回事", None),
    ("describe_symptoms", "前几年查出来有冠心病,一直在吃药,现在偶尔心口发紧,想问问是怎么回事", "out_of_scope"),
    # A chronic disease with a pain or a swelling of a limb, nothing about weakness: out of scope.
    ("describe_symptoms", "我妈糖尿病十来年了,这个月两只脚踝肿得厉害,按下去一个坑,是怎么回事", "out_of_scope"),
    ("describe_symptoms", "我妈糖尿病十来年了,这个月两只脚踝肿得厉害,走路也没劲,是怎么回事", "describe_symptoms"),
    ("describe_symptoms", "体检查出来肌酸激酶比正常高了好几倍,平时也没觉得哪里不舒服", None),
    ("describe_symptoms", "我爸上个月摔了一跤腰椎压缩性骨折,现在在家躺着,什么时候能好", None),
    # A question about a named examination the classifier did not place.
    ("nlu_fallback", "做肌电图的时候疼不疼", "ask_exam"),
    ("nlu_fallback", "去年做过肌电图", None),  # an interview's answer, not a question
    # Asking for one's own check, or telling of a cast, is not a question about a disease.
    ("describe_symptoms", "我想自己测一测是不是得了肌无力", None),
    ("describe_symptoms", "我爸脚踝骨折打了两个月石膏,刚拆", None),
    # Wasting told of someone is their story, even named as 肌肉萎缩.
    ("describe_symptoms", "我和我妹妹都是十来岁开始肌肉萎缩的,医生说可能跟基因有关", None),
    # The assistant's own subject named in a question: answered, not the clarifying question.
    ("nlu_fallback", "得了肌肉萎缩,还有可能练回原样吗", "ask_care"),
    # Short too: nothing of weakness in a limb's rash.
    ("describe_symptoms", "小腿上起了一片红疹子很痒", "out_of_scope"),
    ("describe_symptoms", "孩子生下来大腿外侧就有一块凹进去,摸着里面好像没有肉", "describe_symptoms"),
    ("describe_symptoms", "最近腿脚不行了", "describe_symptoms"),
    ("nlu_fallback", "手腕上长了个小疙瘩,按着不疼也不痒", "out_of_scope"),
    # A joint's pain or a rash alone does not start the interview; pain that keeps the limb still, or a weak or
    # thin limb beside it, does.
    ("describe_symptoms", "我有关节炎,这阵子膝盖一直隐隐作痛", "out_of_scope"),
    ("inform", "右肩膀酸疼了小半年", "out_of_scope"),
    ("inform", "胳膊上长了一片红疹子", "out_of_scope"),
    ("nlu_fallback", "脚脖子崴了一下,肿得像馒头", "out_of_scope"),
    ("nlu_fallback", "膝盖疼得都不敢下楼梯了", "describe_symptoms"),
    ("out_of_scope", "膝盖疼了大半年,那条腿比另一条细了一圈", "describe_symptoms"),
    # A limb named elsewhere in it: a description, not the clarifying question.
    ("nlu_fallback", "前天搬东西扭了一下胳膊,现在抬不起来", "describe_symptoms"),
    # Tiredness named as what set something off is not the complaint.
    ("out_of_scope", "上个月太劳累引起了一次癫痫发作,现在吃什么药好", None),
    ("nlu_fallback", "嘿嘿这个那个随便说说而已啦哈哈", None),  # not a medical matter: the fallback stays
    # Weakness said only of an organ is not the muscles: out of scope.
    ("nlu_fallback", "这几天解小便无力,尿不干净", "out_of_scope"),
    ("describe_fatigue", "小便没力气,尿不干净", "out_of_scope"),
    # A first message the classifier took for an interview answer is read like any other (the form reads all of
    # these as answers anyway); a plain 有 / 没有 / 不知道 and a bare fact stay answers.
    ("deny", "腿没力", "describe_symptoms"),
    ("dont_know", "我妈腿不行了", "describe_symptoms"),
    ("inform", "大腿根没力,从椅子上起来要撑扶手", "describe_symptoms"),
    ("inform", "浑身没劲儿咋回事", "describe_fatigue"),
    ("inform", "脚气很严重,脚趾缝烂了", "out_of_scope"),
    ("inform", "静脉曲张,小腿上青筋鼓起来", "out_of_scope"),
    ("inform", "萎缩性鼻炎怎么治", "out_of_scope"),
    ("inform", "截瘫的人能用什么辅助走路", "ask_care"),
    ("inform", "肌电图检查痛不痛", "ask_exam"),
    ("inform", "中风", None),
    ("inform", "打从娘胎里出来就软", None),
    ("inform", "两三个月了越来越重", None),
    ("affirm", "是的,两边都有", None),
    ("deny", "没有,腿也没劲", None),
    # A limb's complaint that is not about its strength, however short: out of scope.
    ("describe_symptoms", "腿上的痣变大了要不要紧", "out_of_scope"),
    ("describe_symptoms", "小腿抽筋,晚上睡觉经常抽", "out_of_scope"),
    ("nlu_fallback", "手抖是怎么回事,端杯子就抖", "out_of_scope"),
    ("describe_symptoms", "腿疼,走路还行", "out_of_scope"),
    # A named examination asked about by nobody in particular: the exam answer, not the interview.
    ("describe_symptoms", "肌酸激酶高说明什么", "ask_exam"),
    ("describe_symptoms", "我查了肌酶很高,最近上楼特别吃力", "describe_symptoms"),
    # Same-sound slips of the pinyin keyboard in the key words are read as meant.
    ("deny", "腿没紧", "describe_symptoms"),
    ("nlu_fallback", "最近浑身发力,不想动", "describe_fatigue"),
    # 萎缩 asked about an organ named elsewhere, with no limb, muscle or flesh: another organ's.
    ("describe_symptoms", "做了B超说卵巢偏小,是萎缩了吗", "out_of_scope"),
    ("bot_challenge", "左边蛋蛋比右边小一点,会是萎缩吗", "out_of_scope"),
    # A question the classifier placed that is about a complaint of another kind: out of scope.
    ("faq", "肌肉注射和吊水哪个好得快", "out_of_scope"),
    ("ask_cause_category", "晚上睡觉小腿老抽筋是怎么回事", "out_of_scope"),
    ("faq", "霍金得的是什么病", None),  # a disease asked about stays the classifier's
    ("ask_care", "癫痫的孩子平时要注意什么", "out_of_scope"),
    # The classifier's question intent is not trusted over the reader on long or personal messages (its guesses on
    # long text change with any retraining): someone's own weakness is a description, a long story of another
    # matter out of scope; which department, will it heal, which tests stay questions.
    ("ask_cause_category", "我家宝宝八个月了,小腿外侧一直有个坑,凹下去摸着没什么肉", "describe_symptoms"),
    ("ask_causes", "我老婆这两年老是没精神,一到下午就犯困", "describe_fatigue"),
    ("ask_cause_category", "我这半个月一直咳嗽,嗓子里总有痰,晚上咳得睡不着,吃了止咳药也不见好", "out_of_scope"),
    ("ask_care", "我爸前几年得了脑梗,现在平时在家该怎么护理比较好", None),
    ("faq", "请问像这种情况一般要挂什么科室看比较合适呢,谢谢医生", None),
    ("describe_fatigue", "我最近老觉得乏力,是不是得了重症肌无力", "describe_symptoms"),
    ("nlu_fallback", "我妈上周摔了一下,腰椎压缩性骨折,现在躺着", "describe_symptoms"),
    # Weakness with a named disease, or spoken of as a possibility: answered, never the fallback.
    ("nlu_fallback", "重症肌无力为什么一到下午就更没劲", "ask_care"),
    ("out_of_scope", "听说颈椎病严重了容易引起瘫痪,平时该注意什么", "ask_care"),
    ("ask_care", "癫痫发作以后右手一直没劲,要怎么锻炼", "describe_symptoms"),
    # A joint said to be tired aches; a wish is not a report: nothing of the muscles' strength.
    ("describe_symptoms", "孩子这几天老说膝盖好累,其实是酸疼,走路跑跳都正常", "out_of_scope"),
    ("describe_symptoms", "膝盖没劲,上楼梯发软", "describe_symptoms"),
    ("describe_symptoms", "大腿上赘肉多,想瘦腿有什么办法", "out_of_scope"),
    # The classifier heard tiredness in a message with none in it: another complaint, out of scope.
    ("describe_fatigue", "胳膊上脱皮很厉害是怎么回事", "out_of_scope"),
])
def test_questions_and_unplaced_weakness(intent, text, forced):
    ranking = [{"name": intent, "confidence": 0.5}, {"name": "ask_care", "confidence": 0.2},
               {"name": "ask_causes", "confidence": 0.1}]
    assert story_intent(text, {"name": intent, "confidence": 0.5}, [], ranking) == forced


@pytest.mark.parametrize("text, forced", [
    ("我得了末梢神经炎,听说有种喷雾能治好,是真的吗", "ask_cause_category"),  # a known cause: its category
    ("脑梗塞能不能吃人参", "ask_care"),
    ("我爸脑出血好几年了,平时吃什么药比较好", "ask_care"),
])
def test_a_condition_named_without_weakness_is_answered_even_when_the_classifier_heard_a_story(text, forced):
    ranking = [{"name": "describe_symptoms", "confidence": 0.97}, {"name": "red_flag", "confidence": 0.02}]
    assert story_intent(text, ranking[0], [], ranking) == forced


def test_weakness_mentioned_only_as_a_possibility_is_not_out_of_scope():
    text = "听人说腰椎的毛病很容易引起瘫痪,我想知道平时应该怎么预防,要注意哪些地方"
    assert not story.read(text).topic and story.read(text).mentioned
    assert story_intent(text, {"name": "describe_symptoms", "confidence": 0.9}) != "out_of_scope"


def test_negation_reaches_only_across_fillers():
    assert not story.read("没有明显乏力").fatigue
    assert story.read("这几天吃饭没味乏力").fatigue and story.read("无食欲乏力").fatigue


def test_story_answers_name_the_category_then_the_question():
    answers = conversation.story_answers("我老公腰椎手术后在家躺了两个月,腿软站不住,这是废用性萎缩吗?")
    assert [kind for kind, _ in answers] == ["term"]
    assert answers[0][1]["name"] == knowledge.category("disuse")["name"]
    kinds = [kind for kind, _ in conversation.story_answers("我腿没劲两个月了,能治好吗,要看什么科")]
    assert kinds == ["answer", "answer"]


def test_department_and_prognosis_answers_cover_every_category():
    for answer, field in ((conversation.department_answer(), "department"), (conversation.prognosis_answer(), "treatment")):
        for category in knowledge.categories():
            assert category[field] in answer


def test_exam_answer_names_the_asked_examination_or_all():
    only_emg = conversation.exam_answer("肌电图是查什么的")
    assert "肌电图" in only_emg and "肌肉活检" not in only_emg
    everything = conversation.exam_answer("要做哪些检查")
    assert all(exam["name"] in everything for exam in knowledge.load()["exams"])


def test_worry_answer_places_the_disease_in_its_category():
    answer = conversation.worry_answer("我腿没劲会不会是渐冻症")
    assert "「渐冻症」" in answer and knowledge.category("neurogenic")["name"] in answer
    assert conversation.worry_answer("我腿没劲会不会是什么大病") == knowledge.load()["worry"]["no_term"]


def test_a_rich_first_message_gets_the_result_at_once_and_a_vague_one_does_not():
    assert conversation.result_at_once("骨折打了六周石膏拆了以后这条腿细了一圈,膝盖疼不敢动,按着还有点酸痛")
    assert not conversation.result_at_once("我最近两条腿没劲")
    assert not conversation.result_at_once("/describe_symptoms")


def test_prefill_reads_a_story_told_before_a_button():
    facts = conversation.prefill("我爸卧床三个月,腿细了")
    assert facts["immobilisation"] == ["bed_rest"] and facts["complaint"] == "我爸卧床三个月,腿细了"
    assert conversation.prefill("/describe_symptoms") == {}


def test_a_detail_after_the_result_keeps_the_earlier_facts():
    facts = {**interview.empty_facts(), "immobilisation": ["cast"]}
    assert conversation.new_facts(facts, "对了,我还有点手麻") == {"associated": ["numbness"]}
    assert conversation.new_facts(facts, "还是打过石膏") == {}
    assert conversation.updated_complaint("腿细了", "还有点手麻") == "腿细了；还有点手麻"
    assert conversation.updated_complaint("腿细了", "/describe_symptoms") == "腿细了"


def test_updating_asks_no_more_questions():
    facts = {**interview.empty_facts(), "immobilisation": ["cast"]}
    plan = interview.plan_turn(facts, ["associated"], None, "对了,我还有点手麻", "describe_symptoms", True, True,
                               {"updating": True, "complaint": "腿细了"})
    assert plan.next_fact is None and plan.updates["associated"] == ["numbness"]


def test_a_distrusted_red_flag_falls_back_to_the_story_not_to_the_fallback():
    """The component leaves red_flag to the gate and puts its own reading second in the ranking."""
    from rasa.shared.nlu.training_data.message import Message

    from components.red_flag_gate import decide
    from components.symptom_detector import SymptomDetector

    text = "大便不成型,记性也不好,大腿乏力,怕冷"
    ranking = [{"name": "red_flag", "confidence": 0.6}, {"name": "describe_symptoms", "confidence": 0.1}]  # not trusted
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []})
    SymptomDetector({"min_signals": 2}).process([message])
    assert message.get("intent")["name"] == "red_flag"
    assert message.get("intent_ranking")[1] == {"name": "describe_symptoms", "confidence": 1.0}
    config = {"classifier_threshold": 0.8, "fallback_threshold": 0.3, "description_min_signals": 2}
    assert decide(text, message.get("intent"), message.get("intent_ranking"), config)["name"] == "describe_symptoms"


def test_a_distrusted_red_flag_about_another_organ_falls_back_to_out_of_scope():
    from rasa.shared.nlu.training_data.message import Message

    from components.symptom_detector import SymptomDetector

    text = "外阴萎缩好几年了,抹了药膏效果不太好,请问该怎么治"
    ranking = [{"name": "red_flag", "confidence": 0.6}, {"name": "describe_symptoms", "confidence": 0.2}]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []})
    SymptomDetector({"min_signals": 2}).process([message])
    assert message.get("intent")["name"] == "red_flag"
    assert message.get("intent_ranking")[1] == {"name": "out_of_scope", "confidence": 1.0}


def test_the_readers_word_lists_are_in_the_knowledge_file_and_compile():
    words = knowledge.load()["story_reader"]
    for concept in ("person", "time", "life_events", "limb", "weak", "wasting_change", "function", "nerve", "fatigue", "not_muscle",
                    "hypothetical", "asks_term", "placing_signals", "muscle_signals"):
        assert words[concept] and all(isinstance(w, str) and w for w in words[concept]), concept
    lexicon = story._lexicon()
    assert lexicon.limb_weak.search("左腿没劲") and not lexicon.limb_weak.search("今天天气好")
    known = set(knowledge.signals())
    for concept in ("placing_signals", "muscle_signals", "in_scope_signals"):
        assert set(words[concept]) <= known, (concept, set(words[concept]) - known)
