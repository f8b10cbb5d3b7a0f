"""The category ranking from a whole first message, as the interview sees it when every question gets 不知道.

The descriptions are our own paraphrases of the kinds of statement real patients make (issue 10, point 2):
a stroke or spinal history, diabetes, numbness, a cast or bed rest, a painful joint, cancer, low potassium,
a child's onset with a family. None is copied from the real evaluation set.
"""
import pytest

from triage import extraction, knowledge, scoring


def ranked_from(text):
    """What the result ranks when the first message is all that is known."""
    return scoring.rank(extraction.signal_ids(extraction.extract_signals(text)))


@pytest.mark.parametrize(
    "text,top",
    [
        ("我爸前年脑梗,现在右边胳膊和腿都没以前有劲", "neurogenic"),
        ("老伴得过脑血栓,左手一直不太灵活,手上的肉也少了", "neurogenic"),
        ("我妈半身不遂三年了,那条腿比好的细一圈", "neurogenic"),
        ("我有十多年糖尿病,最近两只脚像踩棉花,小腿没劲", "neurogenic"),
        ("血糖高好几年,脚趾头麻,走路没以前稳", "neurogenic"),
        ("腰间盘突出两年了,右腿发麻,小腿肚子细了", "neurogenic"),
        ("颈椎病很多年,最近两只手发麻,拿东西老掉", "neurogenic"),
        ("腰疼连着屁股和大腿后面疼,左脚没劲抬不太起来", "neurogenic"),
        ("大拇指根上的肉瘪下去了,手指头麻,晚上更厉害", "neurogenic"),
        ("左腿发麻没劲有半年了", "neurogenic"),
        ("我爸七十岁,近半年胳膊上的肉老是跳,手越来越没劲", "neurogenic"),
        ("车祸撞到头以后,右手右脚一直使不上劲", "neurogenic"),
        ("小时候得过小儿麻痹,左腿一直比右腿细", "neurogenic"),
        ("我有帕金森,这一年腿越来越没劲走路老摔", "neurogenic"),
        ("手脚发麻没劲,说话也有点不清楚,以前中过风", "neurogenic"),
        ("我姐是皮肌炎患者,最近蹲下去起不来", "myopathic"),
        ("查出来血钾偏低,两条腿软得走不动", "myopathic"),
        ("这两个月上楼梯特别吃力,梳头胳膊也举不久,大腿按着疼", "myopathic"),
        ("甲减好几年,最近蹲下起来要扶东西,腿还酸痛", "myopathic"),
        ("最近肩膀和大腿都没劲,肌酶查出来好几千", "myopathic"),
        ("吃了一年降脂药,两条大腿酸痛没力气", "myopathic"),
        ("膝盖疼了大半年不敢多走,现在那条腿的大腿明显比另一条细", "disuse"),
        ("脚踝骨折打了两个月石膏,拆了以后小腿细了走路没劲", "disuse"),
        ("我妈髋关节置换以后一直在床上躺着,腿越来越细", "disuse"),
        ("半月板损伤以后一直不敢用力,大腿前面的肉少了", "disuse"),
        ("肩周炎疼得胳膊不敢抬,几个月下来肩膀的肉塌下去了", "disuse"),
        ("住院三个星期一直没下床,出院发现腿软走不了多远", "disuse"),
        ("胳膊骨折上了夹板六周,拆了以后胳膊细了一圈", "disuse"),
        ("我爸肺癌化疗了半年,吃不下饭,整个人瘦了二十多斤,腿没劲", "nutritional"),
        ("胃切掉大半以后一直吃得少,人越来越瘦,胳膊腿没力气", "nutritional"),
        ("肝硬化好几年了,腿上的肉越来越少", "nutritional"),
        ("透析两年了,胳膊腿越来越细没力气", "nutritional"),
        ("女儿为了减肥半年不怎么吃饭,现在腿细得厉害还没劲", "nutritional"),
        ("儿子四岁,跑起来老摔,蹲下站起来要手撑着腿,他舅舅小时候也这样", "genetic"),
        ("女儿从小走路就踮脚,爬楼梯费劲,家族史里有肌营养不良", "genetic"),
        ("孩子出生后一直软软的,抬头很晚,现在一岁还坐不稳", "genetic"),
        ("我和我哥都是十几岁开始腿没劲,一年比一年重", "genetic"),
        ("宝宝八个月了不会翻身,四肢软,医生说可能是脊髓性肌萎缩症", "genetic"),
        ("孩子三岁了爬楼梯还要扶着,小腿肚子特别粗", "genetic"),
        # Longer, noisier ones in a patient's manner (a greeting, tests already done, a question at the end).
        ("医生你好,我爸今年68,去年冬天脑出血住了一个月院,现在左边手还是握不紧,走路腿也拖着,请问还能恢复吗", "neurogenic"),
        ("我老婆糖尿病七八年了,血糖一直没控制好,最近说脚底板发木,走路跟踩在海绵上一样,腿也没力", "neurogenic"),
        ("颈椎有问题好多年,最近右手握东西没劲,手指头发胀发麻,晚上睡觉还会麻醒", "neurogenic"),
        ("腰椎管狭窄,走一段路腿就酸胀没劲,要蹲下歇一会才能接着走", "neurogenic"),
        ("我今年45岁,半年来右手虎口那块肉越来越瘪,拿筷子不利索,胳膊上的肉还一跳一跳的,是渐冻症吗", "neurogenic"),
        ("老人家走路总是往一边歪,容易摔倒,腿软,有高血压和脑梗病史", "neurogenic"),
        ("三个月前腰扭了以后右腿一直发麻,现在右脚走路抬不起来,老拖着", "neurogenic"),
        ("手脚麻木无力两年多,查了肌电图说是周围神经病变,吃了甲钴胺效果不好", "neurogenic"),
        ("我弟弟车祸后脊髓损伤,下半身没感觉,两条腿越来越细,请问怎么康复", "neurogenic"),
        ("喝了二十多年酒,这一年两条小腿越来越细,脚麻得厉害", "neurogenic"),
        ("最近半年两个胳膊抬起来很费劲,梳头都困难,蹲下去起不来,胳膊腿的肌肉按着疼,抽血说肌酸激酶很高", "myopathic"),
        ("我妈一直在吃强的松,吃了两年,现在从椅子上站起来都得扶着", "myopathic"),
        ("半夜醒来发现四肢软得动不了,去医院说是低钾,补了钾就好了,这已经是第三次了", "myopathic"),
        ("我爸股骨颈骨折做了手术,在床上躺了快三个月,现在腿细得只剩骨头了,站不起来", "disuse"),
        ("膝盖滑膜炎半年多了,一直不敢走太多路,现在发现那条腿的大腿比另一条细了好几厘米", "disuse"),
        ("右手腕骨折打了六周石膏,拆了以后手腕僵硬,前臂细了一圈,没劲", "disuse"),
        ("我妈胃癌晚期,一天吃不了几口饭,瘦得皮包骨,躺在床上胳膊腿一点劲都没有", "nutritional"),
        ("克罗恩病好几年了,老是拉肚子,体重从一百二掉到九十斤,腿细得很", "nutritional"),
        ("儿子七岁,走路像鸭子一样摇摆,上楼要扶着栏杆,小腿很硬很粗,医生让查肌酸激酶", "genetic"),
        ("我表哥和我都是从十来岁开始腿没劲,现在三十岁了走路都困难,我们家是不是有遗传病", "genetic"),
        # Drooping lids and tiring chewing (myasthenia): the junction between nerve and muscle, neurology first.
        ("颈椎间盘膨出压迫神经根,左手臂一阵阵发麻,握力也差了", "neurogenic"),
        ("去年做了腰椎手术,到现在右脚背还是勾不起来,走路啪嗒啪嗒的", "neurogenic"),
        ("糖尿病足,左脚前掌没什么知觉,踩到东西都不知道", "neurogenic"),
        ("颅内肿瘤切除术后半年,右手右腿一直不灵活,写字歪歪扭扭", "neurogenic"),
        ("我妈有帕金森病,走路小碎步,最近腿越来越没力气", "neurogenic"),
        ("我爸有糖尿病又半身不遂,左边胳膊腿越来越细了", "neurogenic"),
        ("脖子疼牵扯到右胳膊,右手小指和无名指麻,拿东西没劲", "neurogenic"),
        ("晚上睡觉手指头麻醒,甩甩手就好点,大拇指那边的肉好像少了", "neurogenic"),
        ("我今年55,两条腿从脚往上都是麻的像穿了袜子,已经两年了", "neurogenic"),
        ("眼皮老往下掉,吃饭嚼一会就嚼不动了,说话久了声音也小", "neurogenic"),
        ("最近不光四肢无力,起床和爬楼都很困难,脸上和眼皮周围还起了紫红色的疹子", "myopathic"),
        ("胸椎压缩性骨折后一直躺着,上厕所都得爬着去,腿越来越没劲", "disuse"),
        ("胳膊骨折做了手术打了钢板,现在那只胳膊拿东西一会就酸没劲", "disuse"),
        ("老爷子膝盖和肩膀疼了好几年,不爱动,胳膊腿都细了", "disuse"),
        ("食道癌做完放疗,现在只能喝点粥,瘦了三十斤,走几步就没劲", "nutritional"),
    ],
)
def test_a_description_ranks_its_category_first(text, top):
    ranked = ranked_from(text)
    assert ranked[0].id == top, [(s.id, s.raw, s.reasons) for s in ranked[:3]]
    assert ranked[0].raw > 0, "a tie of zeros is no ranking"


# Issue 10 round 2: the evidence a clinician uses per category, in wordings the extraction did not read before
# (colloquial, relatives, typos, a fact split over two clauses). `second` is the category that must stand next
# to the expected one in the first two places when the text genuinely supports two (either may lead).
@pytest.mark.parametrize(
    "text,top,second",
    [
        # neurogenic: stroke and its everyday names, the spine (with the 锥 typo), nerves pressed, diabetes told
        # by its treatment, drink, lost sensation, an unsteady gait, an old brain infection or poisoning
        ("我爸脑干梗死以后左边身子一直没劲", "neurogenic", None),
        ("俺娘去年脑出血,现在右胳膊抬不高", "neurogenic", None),
        ("腰椎狭窄好几年,走一会儿两条腿就没劲", "neurogenic", None),
        ("颈锥病,右手一阵阵麻,握不紧东西", "neurogenic", None),
        ("腰锥间盘突出压着神经,左腿没力气", "neurogenic", None),
        ("医生说神经受压了,右腿走路没劲", "neurogenic", None),
        ("打胰岛素十来年了,脚底板没感觉,腿软", "neurogenic", None),
        ("我老公爱喝酒,天天一斤白的,最近两条腿又麻又没劲", "neurogenic", None),
        ("化疗以后手脚一直麻,拿筷子都费劲", "neurogenic", "nutritional"),
        ("走路总往一边歪,脚底下像踩着棉花", "neurogenic", None),
        ("这半年走路摇摇晃晃的,平衡不好,腿发软", "neurogenic", None),
        ("俺爹八十了,走道老摔跟头,腿没劲", "neurogenic", None),
        ("左手小拇指和无名指很麻,手上的肉少了", "neurogenic", None),
        ("双腿无力好几个月了", "neurogenic", "myopathic"),
        ("小时候脑膜炎留下的,右腿比左腿细", "neurogenic", None),
        ("上个月头被撞了一下,之后左手一直不太听使唤", "neurogenic", None),
        ("颈椎病好多年,胳膊酸痛没劲", "neurogenic", None),
        ("脑梗后遗症,走路腿没劲,最近饭也吃得少", "neurogenic", "nutritional"),
        ("腰椎压缩性骨折以后腿麻没劲", "neurogenic", "disuse"),
        ("手指头麻,手腕子也疼,拿东西没劲", "neurogenic", None),
        ("我外婆糖尿病二十年,脚肿,脚趾头没知觉", "neurogenic", None),
        ("左腿从屁股一直麻到脚后跟,腿没力", "neurogenic", None),
        ("早上起来右手右腿不听使唤,过了一会儿好了,以前得过腔梗", "neurogenic", None),
        ("我爸以前一氧化碳中毒过,现在走路一拖一拖的", "neurogenic", None),
        ("后背长了个神经鞘瘤,两条腿越来越软", "neurogenic", None),
        ("我今年六十五,两年前脑溢血,现在左边手臂瘦了好多", "neurogenic", "disuse"),
        ("半个月前感冒发烧,之后两条腿一直发麻没劲", "neurogenic", None),
        ("坐骨神经痛,右腿肌肉萎缩了", "neurogenic", None),
        ("半年前头晕了一次送医院后来经常会有脚麻的感觉做了CT说是腔隙性梗死灶", "neurogenic", None),
        ("脚没劲抬不起来,走路啪啪响", "neurogenic", None),
        # run-on messages without punctuation, homophones and typos (委缩, 麻目, 糖料病, 没紧)
        ("我爸今年七十三脑梗三年了右边腿脚一直不利索最近右腿肌肉委缩的厉害", "neurogenic", None),
        ("医生你好我这两年手指头一直麻目拿东西老掉手上的肉也瘪了有颈椎病", "neurogenic", None),
        ("腰疼好几年了最近左腿外侧发麻走路久了腿软要歇一歇", "neurogenic", None),
        ("我妈糖料病好多年了脚底像踩在海绵上腿也没紧", "neurogenic", None),
        ("孩子他爸去年从脚手架上摔下来伤了腰现在两条腿没知觉大小便也不太好控制", "neurogenic", None),
        ("我老婆生完孩子以后右手腕疼大拇指麻", "neurogenic", None),
        ("最近老是头晕走路发飘感觉脚底下没根", "neurogenic", None),
        ("我今年50岁右手发抖写字越来越小走路小碎步", "neurogenic", None),
        ("俺家老爷子中风半身不遂在床上躺了两年了腿上的肉都没了", "disuse", "neurogenic"),
        ("得了格林巴利出院后腿还是软", "neurogenic", None),
        ("车祸伤了臂丛神经右胳膊抬不起来肉也掉了", "neurogenic", None),
        ("我爸有甲亢,瘦了二十斤,上楼腿软", "myopathic", "nutritional"),
        ("我妈风湿好多年一直吃激素现在胳膊腿细了没劲", "myopathic", None),
        ("膝盖骨性关节炎十年了,不敢走远路,大腿一圈一圈变细", "disuse", None),
        ("腰扭了以后一个多月基本没下床,现在走路腿发软", "disuse", None),
        ("老太太九十了,常年坐在椅子上不动,腿只剩皮包骨", "disuse", "nutritional"),
        ("胃大部切除后一直消化不好,体重一直往下掉,没力气", "nutritional", None),
        ("我弟弟从小就比别人跑得慢,现在二十岁了走路像鸭子,我舅舅也是这个病", "genetic", None),
        ("我儿子6岁,小腿肚子硬邦邦的又粗,摔倒了爬起来要手撑着膝盖", "genetic", None),
        # nerve causes beside a confounder that points elsewhere (a painful shoulder, chemotherapy, weight lost)
        ("颈椎病压迫神经,肩膀疼,胳膊酸痛发麻", "neurogenic", None),
        ("腰间盘突出,腿疼得不敢走路,脚麻", "neurogenic", None),
        ("乳腺癌化疗完了,手指脚趾都麻,扣扣子费劲", "neurogenic", "nutritional"),
        ("糖尿病十多年,最近瘦了十来斤,脚麻得厉害,腿没劲", "neurogenic", "nutritional"),
        ("我爸脑梗后一直吃不好饭,左边胳膊腿越来越没劲", "neurogenic", None),
        ("膝盖做过手术,现在那条腿外侧发麻,脚抬不起来", "neurogenic", "disuse"),
        ("孩子十二岁,去年得了脑炎,之后右手一直不好使", "neurogenic", None),
        ("我妈八十二,帕金森好多年,最近基本下不了床", "neurogenic", "disuse"),
        ("手腕骨折手术后手指一直麻,拿不住东西", "neurogenic", "disuse"),
        ("右手没劲,手上的肉少了,肉一跳一跳的,我才三十多岁", "neurogenic", None),
        ("每天晚上躺在床上两条腿就又麻又胀,没劲", "neurogenic", None),
        ("左边脸发麻,左手也麻,没什么劲", "neurogenic", None),
        # written after the lexicons were widened, scored once before any change (24 of 25 first): the miss was an
        # operation for a brain bleed weighed as rest after surgery (now explained_by stroke_history)
        ("我婆婆前年得了脑血管病,现在说话有点含糊,右手拿勺子老抖没劲", "neurogenic", None),
        ("医生您好,本人男,45,做了十几年电焊,最近右手食指中指发木,握拳没力气", "neurogenic", None),
        ("老爸喝了半辈子酒,这两年两脚发麻像穿了厚袜子,走路还晃", "neurogenic", None),
        ("颈椎骨质增生,左胳膊一抬就麻到手指,胳膊也细了", "neurogenic", None),
        ("腰痛牵扯右腿,右小腿外侧麻,踮脚尖不行", "neurogenic", None),
        ("两年前脑出血做了开颅手术,现在左半边不好使", "neurogenic", None),
        ("我爱人尿毒症透析五年,最近手脚发麻,腿细得厉害", "nutritional", "neurogenic"),
        ("血糖一直控制不好,空腹十几,脚背没知觉,还老踩空", "neurogenic", None),
        ("孩子生下来就比别的孩子软,八个月了还不会翻身,他姐姐也这样", "genetic", None),
        ("我三十岁,从十几岁开始腿就没劲,跑不快,我们家族里好几个人都这样", "genetic", None),
        ("儿子九岁,最近老摔跤,起来的时候要用手扶着膝盖往上撑,小腿肚子特别大", "genetic", None),
        ("上个月开始肩膀和大腿都没劲,梳头费劲,从马桶上起不来,手背上还起了红疹", "myopathic", None),
        ("吃了半年甲泼尼龙,现在大腿没力,上台阶腿发软", "myopathic", None),
        ("有甲减,近来小腿肌肉酸痛,蹲下后站起困难", "myopathic", None),
        ("干活累了以后两条腿突然没劲,查出来血钾很低", "myopathic", None),
        ("小腿骨折打了钢钉,三个月没敢走路,现在腿细了一大圈", "disuse", None),
        ("我爸心脏手术后在ICU待了半个月,出来后两条腿软得站不住", "disuse", None),
        ("肩周炎一年多了,右胳膊举不过头,肩膀那块肉明显少了", "disuse", None),
        ("膝关节半月板撕裂,疼了三个月,大腿前面的肉软塌塌的", "disuse", None),
        ("我奶奶去年摔断了髋骨,做完手术一直躺着,现在腿就剩皮了", "disuse", None),
        ("得了胰腺癌,现在一点东西都吃不下,瘦得脱相,腿没劲", "nutritional", None),
        ("溃疡性结肠炎反复拉肚子,一年瘦了二十斤,胳膊细了", "nutritional", None),
        ("我妈九十一了,牙不好吃得少,人越来越瘦,走路腿软", "nutritional", None),
        ("厌食症两年了,现在爬楼梯腿打哆嗦", "nutritional", None),
        ("酒精肝多年,人瘦了,腿上的肌肉没了", "nutritional", "neurogenic"),
        # a second batch written later, scored once (18 of 20 first; main had 16): a teenager dieting on purpose
        # ranked the inherited cause first (now anorexia: 为了减肥); an office worker's weak hips stay ambiguous
        ("大夫,我公公七十六了,前几年得过脑血栓,现在左腿越来越没劲,走路要拄拐,这个还能练回来吗", "neurogenic", None),
        ("我腰椎滑脱三度,右腿从大腿后面一直到脚底都麻,最近脚面也没劲了", "neurogenic", None),
        ("本人有十年糖尿病史,今年开始双手双脚麻木,像戴了手套,请问吃什么药", "neurogenic", None),
        ("我弟弟二十八岁,半年来右手越来越没劲,手上的肉掉得厉害,胳膊上肉跳,医院怀疑运动神经元病", "neurogenic", None),
        ("我妈得了带状疱疹后右腿一直痛,现在右腿比左腿细了", "neurogenic", "disuse"),
        ("孩子出生时难产缺氧,现在两岁了走路脚尖着地,右手不太会用", "neurogenic", "genetic"),
        ("我老伴前年摔了一跤把腰摔坏了,现在两条腿不听使唤,大小便也控制不好", "neurogenic", None),
        ("我最近两个月大腿和胳膊酸痛,使不上劲,查了肌酶两千多,转氨酶也高", "myopathic", None),
        ("去年查出来皮肌炎,现在上楼梯还是费劲,脸上的红斑也没全退", "myopathic", None),
        ("我有甲亢一年多,这几个月蹲下去起来很吃力,手还抖", "myopathic", None),
        ("右脚踝骨折手术后打了两个月石膏,拆了之后小腿细了一圈,走路一瘸一拐", "disuse", None),
        ("我爸住了一个多月院,基本都在床上,出院后腿软得很,上厕所都要人扶", "disuse", None),
        ("我是办公室文员,天天坐着十几年了,感觉屁股和大腿都松了没力", "disuse", "myopathic"),
        ("我媳妇膝盖滑膜炎半年,一直不敢走路,左大腿明显细了", "disuse", None),
        ("我爸肺癌晚期化疗中,吃什么吐什么,两个月瘦了二十多斤,走路都走不稳", "nutritional", None),
        ("我哥肝硬化失代偿,肚子胀,胳膊腿细得跟麻杆一样,没力气", "nutritional", None),
        ("做了胃切除三年了,吃得少消化也不好,人一直瘦,腿没劲", "nutritional", None),
        ("闺女十五岁,为了减肥一天只吃一顿,现在上楼腿都软", "nutritional", None),
        ("我家儿子四岁半,跑起来老摔,爬楼梯要手扶着,他外公那边有人得过肌营养不良", "genetic", None),
        ("我和我姐都是三十多岁开始手脚没劲,手上的肉也少了,医生让去查基因", "genetic", "neurogenic"),
        # myopathic: statins by brand, thyroid, myositis in plain words, CK or myoglobin, potassium in words
        ("吃阿托伐他汀半年了,大腿和胳膊酸疼没劲", "myopathic", None),
        ("甲状腺功能亢进,最近上楼腿发软", "myopathic", None),
        ("大腿肌肉一按就疼,两条腿也没力气,肌红蛋白高", "myopathic", None),
        ("长期吃强的松治肾病,现在从凳子上起来都费劲", "myopathic", None),
        ("我姐肌肉发炎了,胳膊举不起来", "myopathic", None),
        ("四肢近端没劲,蹲下起不来,抽血肌酸激酶两千多", "myopathic", None),
        ("吃降血脂的药以后浑身肌肉疼,腿没劲", "myopathic", None),
        ("血钾二点九,手脚都软了", "myopathic", None),
        ("眼皮耷拉,下午更重,胳膊也举不久", "neurogenic", "myopathic"),
        # disuse: a painful arm that then cannot be lifted (two clauses), a sprain, seldom out of bed, no exercise
        ("我妈肩膀疼,胳膊抬不起来,好几个月了,那边肩膀的肉都塌了", "disuse", None),
        ("肩膀疼了半年,胳膊不敢往上举,现在胳膊细了", "disuse", None),
        ("前两天胳膊突然很疼,抬不起来,今天还有点发烧", "disuse", None),
        ("大腿骨折以后伤了神经,脚尖翘不起来", "neurogenic", "disuse"),
        ("脚崴了以后两个月没怎么走路,小腿细了", "disuse", None),
        ("我奶奶八十多了,平时不怎么下床,腿越来越细", "disuse", None),
        ("坐办公室十几年,平时不运动,感觉腿上肌肉越来越少", "disuse", None),
        ("我爷爷住院一个月没下过床,现在下地腿发软", "disuse", None),
        ("骨折后一直坐轮椅,三个月没走路,腿细了一圈", "disuse", None),
        ("跟腱断了缝合后穿了两个月支具,小腿细了一圈", "disuse", None),
        ("腰椎间盘手术做完三个月了,左腿还是没劲", "neurogenic", None),
        ("颅内肿瘤切除术后左边胳膊腿不灵活", "neurogenic", None),
        ("腰椎骨折以后下身瘫痪,在床上躺了半年", "neurogenic", "disuse"),
        ("肺癌脑转移,左边手脚没劲", "neurogenic", "nutritional"),
        ("我妈股骨头坏死,走路疼,那条腿比另一条细", "disuse", None),
        # nutritional: kidney failure, eating little in other words; bed-bound and not eating is both
        ("肾功能不全好几年,胳膊腿越来越细", "nutritional", None),
        ("胃口很差,一个月掉了十几斤,腿没劲", "nutritional", None),
        ("我爷爷卧床半年,饭也吃不进去,瘦得只剩骨头", "nutritional", "disuse"),
        ("胃癌手术后只能吃流食,掉了二十斤,走路腿打颤", "nutritional", None),
        ("老人家不爱吃饭,瘦成皮包骨,腿也细", "nutritional", None),
        # genetic: inborn, several in one family, the writer and a parent alike
        ("儿子先天性的,从会走路就比别人慢,小腿特别粗", "genetic", None),
        ("我们家好几个男孩都是这样,腿没劲走不了路", "genetic", None),
        ("我和我妈都是二十来岁开始手没劲,一年比一年严重", "genetic", None),
        ("孩子五岁,走路像鸭子一样,爬楼梯要扶着", "genetic", "myopathic"),
        ("女儿两岁还不会走路,腿软软的", "genetic", None),
    ],
)
def test_a_description_ranks_its_category_and_the_next_likely_one(text, top, second):
    ranked = [s for s in ranked_from(text) if s.raw > 0]
    detail = [(s.id, s.raw, s.reasons) for s in ranked[:3]]
    assert ranked, f"nothing read in {text}"
    if second:
        assert {s.id for s in ranked[:2]} == {top, second}, detail
    else:
        assert ranked[0].id == top, detail


@pytest.mark.parametrize(
    "text,signal",
    [
        ("查出心肌炎,最近胸闷没劲", "diagnosed_myopathic"),  # the heart's muscle, not the limbs'
        ("医生说是脊髓性肌萎缩症", "diagnosed_neurogenic"),  # an inherited disease that names the cord
        ("诊断为肌营养不良", "diagnosed_nutritional"),  # a dystrophy, not malnutrition
        ("这个病是不是遗传的", "family_history"),
        ("家里有高血压家族史", "family_history"),
        ("没有家族史", "family_history"),
        ("我六十三岁,腿没劲", "onset_child"),
        ("腿没有麻的感觉", "numbness"),
        ("面神经麻痹以后嘴有点歪", "numbness"),
        ("一条腿没劲", "proximal"),
        ("大腿没劲", "proximal"),  # one thigh alone is not proximal weakness of both sides
        ("走一段路要蹲下歇一会", "proximal"),  # squatting to rest is no failure to rise
        ("腿变瘦了", "weight_loss"),  # the wasting itself
        ("会不会是低钾", "hypokalaemia"),
        ("芝麻的吃多了", "numbness"),
        ("腰酸痛好多年", "muscle_pain"),  # a back's ache, not a muscle disease
        ("连着好几天手麻", "nerve_pain"),  # 连着 of days, not pain running down
        ("我妈脑萎缩,记性越来越差", "neuro_history"),  # an out-of-scope organ word (tests/real/README.md)
        ("今年5月开始没劲", "onset_after_40"),
        ("我妈都七十了,腿没劲", "family_history"),  # 都 of age, not of a second patient
        ("血压一百八十了", "onset_elderly"),
        ("如果肩膀疼,抬不起来怎么办", "pain_immobile"),  # a hypothetical clause breaks the sentence
        ("胳膊疼,但是能抬起来", "pain_immobile"),
        ("腰疼,腿抬不起来", "pain_immobile"),  # a back's pain down a leg is a root's, not a joint kept still
        ("血钾3.9", "hypokalaemia"),
        ("用了激素药膏以后皮肤变薄", "steroids"),  # a cream does not weaken muscles
        ("在吃格列卫", "diabetes"),  # imatinib, not a sulfonylurea
        ("早上起不来,老想睡", "proximal"),  # getting out of bed tired is no failing hip
        ("坐着时间长了腿有点麻烦", "numbness"),
        ("久坐以后腰疼", "bed_rest"),  # sitting long is a habit (sedentary), not bed rest
        ("是不是基因突变", "diagnosed_genetic"),  # a worry, not a result
        ("睡的木板床", "numbness"),
        ("以前心肌梗死过", "stroke_history"),  # the heart's infarct
        ("脚尖没有翘不起来", "foot_drop"),
        ("听说股骨头坏死很容易引起瘫痪", "paralysis"),  # a general statement, not this patient's
        ("担心以后瘫痪", "paralysis"),
        ("面瘫两个月了", "paralysis"),  # the face's nerve: neuro_history reads it
        ("医生说是神经衰弱", "diagnosed_neurogenic"),
        ("为了减肥每天跑步", "anorexia"),  # exercise, not restriction
        ("为了减肥每天跑五公里", "poor_intake"),
        ("逛街走多了脚疼,回家休息了一天", "claudication"),  # rest after a long walk is no claudication
        ("晚上躺在床上腿就发麻", "bed_rest"),  # a night in bed is no bed rest
        ("躺了一会儿就好了", "bed_rest"),
        ("腿软得不敢走", "pain_immobile"),  # the weakness itself, no pain keeping the leg still
        ("膝盖疼了好几年", "pain_immobile"),  # a joint's pain (joint_pain) does not say the limb is kept still
        ("肩周炎,疼得厉害", "pain_immobile"),
        ("膝盖疼,也不用吃药", "pain_immobile"),
        ("头晕得不敢走路", "pain_immobile"),
        ("孩子以前蹦蹦跳跳的,现在走路没劲", "twitching"),  # a child jumping about
        ("睡觉时腿会不由自主地抽一下", "twitching"),
        ("心脏跳动快", "twitching"),
        ("小腿发硬老抽筋", "calf_hypertrophy"),  # a cramp, not a big calf
        ("在家拖地板", "foot_drop"),
        ("脚肿,腿抬不起来", "foot_drop"),
        ("想让两条大腿变瘦一点", "weight_loss"),  # a wish, not a loss
        ("怎样才能让胳膊不疼,抬得起来", "pain_immobile"),
    ],
)
def test_words_that_must_not_be_read_as_a_signal(text, signal):
    assert signal not in extraction.signal_ids(extraction.extract_signals(text))


@pytest.mark.parametrize(
    "text,signal",
    [
        ("孩子三岁了还走不稳", "onset_child"),
        ("他自幼就跑不快", "onset_child"),
        ("宝宝五个月了还抬不起头", "onset_birth"),
        ("我七十二岁", "onset_elderly"),
        ("我五十岁开始腿没劲", "onset_after_40"),
        ("我们家族史里有这个病", "family_history"),
        ("外婆也是这样", "family_history"),
        ("右小腿发麻", "numbness"),
        ("膝关节疼了一年", "joint_pain"),  # a joint's pain; not yet a limb kept still
        ("腰间盘突出", "spinal_injury"),
        ("腰椎滑脱", "spinal_injury"),
        ("骨折以后外固定了一个月", "cast"),
        ("在床上躺了一个多月", "bed_rest"),
        ("淋巴瘤化疗中", "cancer"),
        ("血钾只有3点几", "hypokalaemia"),
        ("眼皮下垂,看东西重影", "myasthenia"),
        ("多年前脑外伤", "neuro_history"),
        ("小腿肚子反而很粗", "calf_hypertrophy"),
        ("说话有点不清楚", "speech_or_face"),
        ("平时很少运动", "sedentary"),
        ("脑血栓三年", "stroke_history"),
        ("多发性肌炎患者", "diagnosed_myopathic"),
        ("腰疼放射到小腿", "nerve_pain"),
        ("喝了三十年白酒", "alcohol"),
        ("两只脚像穿了袜子一样", "numbness"),
        ("我今年48,手没劲", "onset_after_40"),
        ("吃饭嚼一会就嚼不动", "myasthenia"),
        ("颅内有个占位", "brain_lesion"),
        ("我外公半边身子瘫了好几年", "stroke_history"),
        ("去年冬天煤气中毒,救过来以后手脚不听使唤", "neuro_history"),
        ("蹲下去就站不起来", "proximal"),
        ("胳膊特别疼,举不起来", "pain_immobile"),
        ("膝盖疼得厉害,这几天都不敢走路", "pain_immobile"),
        ("上周脚崴了", "joint_pain"),
        ("脚脖子崴了,疼得下不了地", "pain_immobile"),
        ("手腕疼,一直都不怎么敢动", "pain_immobile"),
        ("脚底板没感觉", "numbness"),
        ("腿好麻", "numbness"),
        ("颈锥病", "spinal_history"),
        ("腰椎狭窄", "spinal_history"),
        ("压着神经了", "spinal_injury"),
        ("走路摇摇晃晃", "unsteady"),
        ("走道老摔跟头", "unsteady"),
        ("平时不怎么下床", "bed_rest"),
        ("平时不运动", "sedentary"),
        ("每天打胰岛素", "diabetes"),
        ("在吃立普妥", "statins"),
        ("肾功能不全", "dialysis"),
        ("小时候得过脑膜炎", "neuro_history"),
        ("小脑出血", "stroke_history"),
        ("肌肉发炎", "diagnosed_myopathic"),
        ("肌红蛋白高", "ck_high"),
        ("只能喝点粥", "poor_intake"),
        ("胃口差", "poor_intake"),
        ("血钾二点九", "hypokalaemia"),
        ("先天的", "onset_birth"),
        ("家里好几个人都这样", "family_history"),
        ("我和我爸都是这样", "family_history"),
        ("两个眼皮一到晚上就耷拉", "myasthenia"),
        ("我爷爷八十了", "onset_elderly"),
        ("我爸今年七十三", "onset_elderly"),
        ("一直吃不好饭", "poor_intake"),
        ("为了减肥一天只吃一顿", "anorexia"),
        ("摔了一跤以后就不敢走路了", "pain_immobile"),
        ("在家坐了三个月轮椅", "bed_rest"),
        ("大腿肌肉老是抽动", "twitching"),
        ("腿部肌肉频繁颤动", "twitching"),
        ("手背上的肉也少了", "hand_small_muscles"),
        ("右脚没劲,抬不起来", "foot_drop"),
        ("扣扣子费劲,瓶盖也拧不开", "distal"),
        ("走路拖着左腿", "foot_drop"),
        ("下楼老踩空", "unsteady"),
        ("脑子里长了个东西", "brain_lesion"),
        ("走几百米腿就麻,得坐下歇歇才能走", "claudication"),
        ("走路走一段就得弯腰蹲一会", "claudication"),
        ("平时久坐不动", "sedentary"),
        ("颈椎不适", "spinal_history"),
        ("右小腿木木的,脚背也木", "numbness"),
        ("手脚麻痹", "numbness"),
        ("下肢麻", "numbness"),
        ("有脑供血不足", "neuro_history"),
        ("基因检测查出突变", "diagnosed_genetic"),
        ("CT说脑室旁有缺血灶", "stroke_history"),
        ("磁共振看到基底节区有个小梗死", "stroke_history"),
        ("车祸后脚尖翘不起来", "foot_drop"),
        ("腓总神经挫伤", "nerve_pain"),
        ("后来时常会有脚麻的感觉", "numbness"),
        ("我爸中风后想让他的腿快点好起来", "stroke_history"),  # a fact told before the wish still counts
        ("车祸以后下半身瘫了", "paralysis"),
        ("腰椎骨折导致两条腿瘫痪", "paralysis"),
        ("肺癌转移到脑子里了", "brain_lesion"),
        ("医生说是神经受损引起的", "diagnosed_neurogenic"),
        ("大夫说是肌肉本身的问题", "diagnosed_myopathic"),  # textmatch: a habit told with 会有 is a report
    ],
)
def test_everyday_wordings_of_a_signal(text, signal):
    assert signal in extraction.signal_ids(extraction.extract_signals(text))


# --- ties and close calls ---

def test_a_tie_puts_the_commoner_nerve_cause_before_the_rarer_inherited_one():
    ranked = scoring.rank(["progressive"])  # the same for genetic, neurogenic, myopathic
    assert [s.id for s in ranked[:3]] == ["neurogenic", "myopathic", "genetic"]
    assert [s.id for s in scoring.rank([])] == scoring.tie_order()


@pytest.mark.parametrize(
    "text,first_two",
    [
        ("我爸七十多,胳膊没劲", ["neurogenic", "disuse"]),  # nothing but age: nerves, then disuse
        ("手没劲,家里没人这样", ["neurogenic", "disuse"]),
        ("两条腿越来越细", ["neurogenic", "myopathic"]),  # both sides, slowly: nerves or the muscles
        ("腰疼,两条腿酸痛没劲,走一会就得蹲下歇着", ["neurogenic", "myopathic"]),
    ],
)
def test_the_runner_up_when_little_is_said(text, first_two):
    assert [s.id for s in ranked_from(text)[:2]] == first_two


def test_with_no_second_category_named_the_runner_up_is_disuse_not_an_inherited_cause():
    ranked = scoring.rank(["numbness"])  # an adult's numb, weak leg: nothing said of the other four
    assert [s.id for s in ranked[:2]] == ["neurogenic", "disuse"]


def test_a_child_s_proximal_weakness_ranks_the_inherited_cause_first_an_adult_s_the_muscle_disease():
    assert scoring.rank(["onset_child", "proximal"])[0].id == "genetic"
    assert scoring.rank(["onset_after_40", "proximal"])[0].id == "myopathic"
    assert scoring.rank(["proximal"])[0].id == "myopathic"


def test_an_operation_on_the_spine_weighs_as_the_spine_not_again_as_an_operation():
    """`explained_by`: weakness after spine surgery is first the root's or the cord's (神经损伤)."""
    ranked = scoring.rank(["surgery", "spinal_history"])
    assert ranked[0].id == "neurogenic"
    assert knowledge.signals()["surgery"]["label"] not in ranked[1].reasons
    assert scoring.rank(["surgery"])[0].id == "disuse"  # a knee or a hip replaced: the rest that followed


def test_muscle_pain_told_with_numbness_is_the_nerve_s():
    """A muscle disease does not make a limb numb: the pain then adds nothing for 肌肉疾病."""
    assert scoring.rank(["numbness", "muscle_pain"])[1].raw < scoring.rank(["muscle_pain"])[0].raw
    assert scoring.rank(["muscle_pain", "proximal"])[0].id == "myopathic"
    assert ranked_from("右下臂肌肉疼痛、麻木,半年了")[0].id == "neurogenic"


def test_explained_by_names_known_signals():
    known = set(knowledge.signals())
    for signal_id, signal in knowledge.signals().items():
        assert set(signal.get("explained_by", ())) <= known, signal_id


def test_tie_order_names_every_category_once():
    assert sorted(scoring.tie_order()) == sorted(knowledge.CATEGORY_IDS)


def test_close_scores_name_both_categories():
    ranked = scoring.rank(["onset_child", "proximal"])  # genetic 3, myopathic 3
    close = scoring.close_call(ranked)
    assert close and {s.id for s in close} == {"genetic", "myopathic"}
    payload = scoring.payload(ranked, scoring.ROUTINE, "神经内科")
    assert set(payload["close_call"]) == {"genetic", "myopathic"}


def test_a_clear_leader_is_no_close_call():
    ranked = scoring.rank(["cast", "fracture", "one_side"])
    assert scoring.close_call(ranked) is None
    assert scoring.payload(ranked, scoring.SELF_CARE, "康复医学科")["close_call"] == []


def test_too_little_evidence_is_no_close_call_but_uncertain():
    ranked = scoring.rank(["one_side"])
    assert scoring.close_call(ranked) is None
    assert scoring.is_uncertain(ranked)


def test_the_close_ratio_decides():
    ratio = knowledge.scoring()["close_ratio"]
    ranked = scoring.rank(["numbness", "rash", "distal"])  # neurogenic 5, myopathic 3
    assert (scoring.close_call(ranked) is not None) == (3 >= ratio * 5)
    ranked = scoring.rank(["numbness", "rash"])  # 3 and 3
    assert scoring.close_call(ranked) is not None


def test_an_emergency_payload_names_no_close_call():
    ranked = scoring.rank(["onset_child", "proximal"])
    assert scoring.payload(ranked, scoring.EMERGENCY, "急诊科", ["stroke"])["close_call"] == []


def test_unable_to_stand_after_bed_rest_is_not_self_care():
    """Guided rehabilitation at home only when the person can stand and walk; otherwise a doctor first."""
    from triage import extraction, scoring

    def level(text):
        ids = [s for found in extraction.extract_signals(text).values() for s in found]
        return scoring.urgency(ids, scoring.rank(ids))

    assert level("我爸住院躺了三个月,出院后腿没劲站不住") == "routine"
    assert level("我妈做完手术卧床一个多月,现在下不了床") == "routine"
    assert level("打了六周石膏拆了以后小腿细了一圈,走路没事") == "self_care"


def test_unable_to_stand_still_leaves_the_location_question_to_ask():
    from triage import interview

    facts = {**interview.empty_facts(), "location": ["cannot_stand"], "immobilisation": ["bed_rest"]}
    assert interview.choose_next(facts, []) == "onset_age"
    assert interview.choose_next(facts, ["onset_age", "onset_speed"]) == "location"


def test_claudication_still_leaves_the_question_of_numbness_and_twitching_to_ask():
    from triage import interview

    facts = {**interview.empty_facts(), "associated": ["claudication"]}
    asked = ["onset_age", "onset_speed", "location", "immobilisation", "nutrition"]
    assert interview.choose_next(facts, asked) == "associated"
    facts["associated"] = ["numbness"]
    assert interview.choose_next(facts, asked) != "associated"
