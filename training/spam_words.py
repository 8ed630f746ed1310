"""Word lists for spam generation, written for linesift.

Plain facts and made-up templates (industry words, brand shapes, keyword
lists), not text taken from crawled pages. The city and company-suffix lists
live in ``model.spans`` because detection needs them too, and ``model`` never
imports ``training``.
"""
from __future__ import annotations

from model.spans import COMPANY_SUFFIXES, PREFECTURE_CITIES  # noqa: F401  (one list, two users)

#: Industry words for the fake company's middle part.
INDUSTRIES: tuple[str, ...] = tuple("""
生态科技 投资管理 机械 网络科技 信息技术 电子商务 文化传媒 建筑工程 农业开发 贸易
餐饮管理 物流 环保科技 新能源 医疗器械 广告 装饰工程 教育咨询 企业管理 房地产开发
汽车服务 服装 食品 旅游开发 健康管理 家居 钢结构 化工 软件开发 影视
""".split())

#: Suffixes the generator uses (a subset of ``COMPANY_SUFFIXES``: detection
#: knows more shapes than the generator writes).
COMPANY_SUFFIXES_GEN: tuple[str, ...] = (
    "有限公司", "运营部", "教育中心", "经营部", "工作室", "服务部", "有限责任公司", "商行", "服务中心",
)

#: Emoji and decorative symbols mirrors push in front of punctuation.
SPAM_SYMBOLS: tuple[str, ...] = (
    "🔥", "👍", "💰", "🎉", "✨", "⭐", "❤️", "✅", "👉", "😀", "🚀", "💯",
    "★", "☆", "◆", "◇", "●", "■", "▲", "▶", "→", "☞", "✔", "♥",
)

# ---------------------------------------------------------------- whole-line spam
#: Made-up gambling brands: two-syllable names plus their pinyin, in the shape
#: such spam uses (``<brand><pinyin>登录入口``).
GAMBLING_BRANDS: tuple[tuple[str, str], ...] = (
    ("金沙", "jinsha"), ("博鱼", "boyu"), ("开云", "kaiyun"), ("乐鱼", "leyu"),
    ("九游", "jiuyou"), ("米乐", "mile"), ("华体会", "huatihui"), ("亚博", "yabo"),
    ("威尼斯人", "weinisiren"), ("新葡京", "xinpujing"), ("永利", "yongli"),
    ("必发", "bifa"), ("银河", "yinhe"), ("太阳城", "taiyangcheng"), ("宝马会", "baomahui"),
)
GAMBLING_TAILS: tuple[str, ...] = (
    "官方入口", "登录入口", "官网入口", "官方网站", "app下载", "官网登录", "平台注册", "网页版登录",
    "手机版", "最新网址", "备用网址",
)
ZH_VICE: tuple[str, ...] = tuple("""
真人百家乐 时时彩 六合彩 北京赛车 棋牌游戏 体育投注 电子游艺 老虎机 捕鱼游戏 彩票计划
一区二区 国产精品 无码视频 成人影院 精品视频 免费观看 高清无码 午夜福利
""".split())
ZH_HOOKS: tuple[str, ...] = tuple("""
注册送彩金 首存百分百 日赚千元 稳赚不赔 内部计划 包中 免费领取 秒到账 无需押金 私人订制
""".split())
MOJIBAKE_CHARS = "ÃÂâ€™œ¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ�"
GBK_AS_LATIN1_CHARS = "ÖÐ¹úÈËÃñµÄÊÇÒ»¸öÓÐÔÚÕâÎªÉÏ¡£¬"

EN_PHARMA: tuple[str, ...] = tuple("""
viagra cialis levitra tramadol xanax valium phentermine oxycodone propecia kamagra
""".split())
EN_CASINO: tuple[str, ...] = (
    "online casino", "free spins", "slot machines", "poker bonus", "sports betting",
    "no deposit bonus", "roulette", "blackjack online", "jackpot slots",
)
EN_LOANS: tuple[str, ...] = (
    "payday loans", "cash advance", "bad credit loans", "instant approval", "no credit check",
    "same day loans", "debt relief", "fast cash",
)
EN_HOOKS: tuple[str, ...] = (
    "buy", "cheap", "order", "best price", "discount", "online", "no prescription", "overnight",
    "free shipping", "guaranteed", "top rated", "legit",
)

#: Shady medical ads ("quack" ads: cure-all claims for hair loss, impotence,
#: chronic disease), which old Chinese portals ran in columns of short lines.
#: Made-up templates in that shape; LABELS.md: illicit or shady offers are spam.
#: The claims and hooks are written here from general knowledge of such ads; an
#: earlier list shared phrases with the one dev page that has ads of this kind,
#: and ``tests/training/test_spam_words.py`` keeps them apart.
ZH_QUACK_CONDITIONS: tuple[str, ...] = tuple("""
脱发 白发 口臭 早泄 阳痿 失眠 抑郁症 风湿 类风湿 高血压 糖尿病 牛皮癣 白癜风 痛风 前列腺炎
乙肝 鼻炎 打呼噜 狐臭 不孕不育 肾虚 痔疮 颈椎病 哮喘
""".split())
ZH_QUACK_CLAIMS: tuple[str, ...] = tuple("""
新药上市 一次根治 永不复发 祖传秘方 权威专家坐诊 三天见效 无效退款 专家免费咨询 克星 特效疗法
药到病除 纯中药调理 根治不反弹 名医推荐 疗效显著 告别烦恼 不开刀不吃药 秘方公开 患者福音 专家在线解答
""".split())
ZH_QUACK_HOOKS: tuple[str, ...] = (
    "男人必看", "女人必看", "夫妻必读", "点击咨询", "的秘诀！", "怎么办？", "详情点击", "限时优惠", "→进入", "免费送药",
)
ZH_DECOR: tuple[str, ...] = ("★", "■", "●", "◆", "★★", "■■", "※")

# ---------------------------------------------------------------- English glued anchors
#: Anchor texts English mirrors glue into sentences (``…, buy cheap viagra
#: online, …``). Placeholders: ``{drug}`` (``EN_PHARMA``), ``{dose}``,
#: ``{game}`` (``EN_GAMES``), ``{domain}`` (``make_spam_domain`` in
#: ``training.inject``). Made-up templates in the shape such anchors take.
EN_PHARMA_ANCHORS: tuple[str, ...] = (
    "buy {drug} online", "buy cheap {drug}", "cheap {drug} online", "order {drug} online",
    "order {drug} no prescription", "buy {drug} without prescription", "generic {drug} {dose}mg",
    "discount {drug} pills", "{drug} online no prescription", "cheapest {drug} overnight",
    "buy {drug} {dose}mg online", "best price {drug}", "{drug} free shipping",
)
EN_CASINO_ANCHORS: tuple[str, ...] = (
    "best online casino bonus", "online casino free spins", "free spins no deposit", "top online casino",
    "play {game} online for real money", "no deposit casino bonus", "best {game} bonus", "{game} bonus codes",
    "free {game} online",
)
EN_LOAN_ANCHORS: tuple[str, ...] = (
    "payday loans no credit check", "fast cash loans online", "bad credit loans instant approval",
    "same day payday loans", "get payday loans online", "cash advance online", "cheap loans online",
    "instant payday loans",
)
EN_URL_ANCHORS: tuple[str, ...] = (
    "visit {domain}", "{domain}", "buy {drug} at {domain}", "best online casino at {domain}",
    "payday loans at {domain}", "click here {domain}",
)
EN_GAMES: tuple[str, ...] = ("slots", "poker", "roulette", "blackjack", "casino")
EN_DOSES: tuple[int, ...] = (10, 20, 25, 50, 100, 200)
#: Parts of made-up spam domains: ``<hook><stem><number>.<tld>``.
EN_DOMAIN_HOOKS: tuple[str, ...] = ("cheap", "best", "buy", "top", "discount", "online")
EN_DOMAIN_STEMS: tuple[str, ...] = (
    "viagra", "cialis", "meds", "pills", "pharma", "casino", "slots", "poker", "paydayloans", "loans",
)
EN_DOMAIN_TLDS: tuple[str, ...] = ("com", "net", "org", "biz", "info", "co.uk", "ru", "xyz")
