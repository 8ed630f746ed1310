"""Regenerate the test fixtures in tests/data/pages and tests/data/labelled.

Every page here was composed for the tests (sites, people and events are
invented); nothing is copied from ../shared/corpora or the web. Each page is
written once, as a list of blocks that know both their markup and the label of
every line they produce, so the HTML, the text dump and the labels cannot
drift apart. The script checks that linesift segments each page into exactly
the labelled lines before writing anything.

Run from the repository root::

    python tests/data/make_fixtures.py
"""
from __future__ import annotations

import codecs
import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from model.read import decode_bytes  # noqa: E402
from model.records import Page  # noqa: E402
from model.segment import segment  # noqa: E402

B, S, L, C = "body", "spam", "links", "chrome"


def esc(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass
class Spec:
    """One fixture page: its blocks, how it is stored, and where it comes from."""

    name: str
    url: str
    lang: str
    title: str
    head: str  # <head> extras (meta charset ...)
    encoding: str  # how the .html file is stored
    bom: bool = False
    html_parts: list[str] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)  # {"text", "label", "spans"?}
    dump_breaks: set[int] = field(default_factory=set)  # blank line before these line indexes

    # --- blocks ------------------------------------------------------------
    def _add(self, markup: str, lines: list[tuple[str, str]], *, gap: bool = True) -> "Spec":
        if gap and self.lines:
            self.dump_breaks.add(len(self.lines))
        self.html_parts.append(markup)
        for label, text in lines:
            self.lines.append({"text": text, "label": label})
        return self

    def raw(self, markup: str, lines: list[tuple[str, str]], gap: bool = True) -> "Spec":
        return self._add(markup, lines, gap=gap)

    def menu(self, items: list[str], cls: str) -> "Spec":
        lis = "".join(f'<li><a href="/{i}/">{esc(t)}</a></li>' for i, t in enumerate(items))
        return self._add(f'<div class="{cls}"><ul>{lis}</ul></div>', [(C, t) for t in items])

    def bar(self, parts: list[str], cls: str, sep: str = " ", label: str = C) -> "Spec":
        """One line of inline links (top bar, breadcrumb, share buttons, footer links)."""
        inner = esc(sep).join(f'<a href="#{i}">{esc(p)}</a>' for i, p in enumerate(parts))
        text = sep.join(parts)
        return self._add(f'<div class="{cls}">{inner}</div>', [(label, " ".join(text.split()))])

    def div(self, text: str, cls: str, label: str = C, tag: str = "div", gap: bool = True) -> "Spec":
        return self._add(f'<{tag} class="{cls}">{esc(text)}</{tag}>', [(label, text)], gap=gap)

    def headline(self, text: str) -> "Spec":
        return self._add(f'<h1 class="title">{esc(text)}</h1>', [(B, text)])

    def paras(self, texts: list[str], label: str = B) -> "Spec":
        return self._add("".join(f"<p>{esc(t)}</p>" for t in texts), [(label, t) for t in texts])

    def span_spam(self, text: str, injected: list[str]) -> "Spec":
        """An article sentence with injected fragments: spam, with the spans marked."""
        spans = []
        for frag in injected:
            start = text.index(frag)
            spans.append([start, start + len(frag)])
        self._add(f"<p>{esc(text)}</p>", [(S, text)], gap=False)
        self.lines[-1]["spans"] = sorted(spans)
        return self

    def related(self, heading: str, items: list[str], cls: str, htag: str = "h3") -> "Spec":
        lis = "".join(f'<li><a href="/a/{100 + i}.html">{esc(t)}</a></li>' for i, t in enumerate(items))
        return self._add(f'<div class="{cls}"><{htag}>{esc(heading)}</{htag}><ul>{lis}</ul></div>',
                         [(L, heading)] + [(L, t) for t in items])

    def footer(self, texts: list[str], cls: str = "footer") -> "Spec":
        return self._add(f'<div class="{cls}">' + "".join(f"<p>{esc(t)}</p>" for t in texts) + "</div>",
                         [(C, t) for t in texts])

    # --- outputs -----------------------------------------------------------
    def html_text(self) -> str:
        return (
            "<!DOCTYPE html>\n<html>\n<head>\n" + self.head + "\n"
            f"<title>{esc(self.title)}</title>\n"
            '<script>var _hmt = _hmt || []; window.dataLayer = [];</script>\n'
            "<style>.nav li{float:left}</style>\n</head>\n<body>\n"
            + "\n".join(self.html_parts) + "\n</body>\n</html>\n"
        )

    def html_bytes(self) -> bytes:
        markup = self.html_text()
        if self.encoding in ("gbk", "big5"):  # legacy sites write the few symbols outside their charset as entities
            markup = markup.replace("©", "&copy;")
        data = markup.encode(self.encoding)  # strict: every other character must fit
        return (codecs.BOM_UTF8 + data) if self.bom else data

    def dump_text(self) -> str:
        out = []
        for i, line in enumerate(self.lines):
            if i in self.dump_breaks:
                out.append("")
            out.append(line["text"])
        return "\n".join(out) + "\n"

    def record(self, source: str) -> dict:
        rec = {"id": f"{self.name}.{'html' if source == 'html' else 'txt'}", "url": self.url,
               "lang": self.lang, "title": self.title, "source": source}
        if source == "html":
            rec["html"] = self.html_text()
        rec["lines"] = self.lines
        return rec


# ---------------------------------------------------------------------------
# Chinese news, GBK bytes declared gb2312 (喆 is in GBK but not in GB2312)
# ---------------------------------------------------------------------------
zh_gbk = Spec("zh_news_gbk", "https://www.hd-daily.example.cn/shehui/2024/0512/88213.html", "zh",
              "老旧菜市场变身社区邻里中心 居民买菜看病一站办_华东日报",
              '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gbk")
(zh_gbk
 .bar(["登录", "注册", "手机版", "数字报"], "topbar")
 .menu(["首页", "国内", "国际", "财经", "社会", "体育", "科技", "教育"], "nav")
 .bar(["首页", "社会", "正文"], "crumb", " > ")
 .headline("老旧菜市场变身社区邻里中心 居民买菜看病一站办")
 .div("2024-05-12 09:30 来源：华东日报 作者：王喆", "info")
 .paras([
     "本报讯 走进长宁路上的邻里中心，一楼是整齐的生鲜摊位，二楼是社区卫生服务站和老年食堂。很难想象，半年前这里还是一座墙皮剥落、地面湿滑的老菜市场。",
     "这座菜市场建于上世纪九十年代，周边三个小区的两万多名居民每天都要来这里买菜。摊主们说，过去一到雨天，市场里积水没过脚面，顾客越来越少。",
     "去年十月，街道启动改造工程，在不停业的前提下分两期施工。改造后的市场统一安装了电子秤和溯源屏，每一份蔬菜都能查到产地和检测结果。",
     "“以前买完菜还要坐两站公交去医院配药，现在下楼就能办。”家住附近的退休教师孙阿姨告诉记者，她每周都会来二楼量血压。",
     "街道负责人介绍，邻里中心还设置了托育点和便民维修摊，营业时间延长到晚上八点，方便上班族下班后采购。",
     "据了解，今年全区还将有五座老旧市场按照同样的模式完成改造，预计惠及居民十万余人。",
 ])
 .div("加微信 hd8866 领取内部彩票计划，稳赚不赔，日入过千", "txt", S, tag="p", gap=False)
 .div("责任编辑：陈晓燕", "editor")
 .bar(["分享到：", "微信", "微博", "QQ空间"], "share")
 .related("相关推荐", [
     "全市首批社区食堂挂牌 一荤两素十二元",
     "地铁四号线延伸段今日试运行",
     "五一假期本市接待游客超六百万人次",
     "高温来袭 这些防暑知识请收好",
     "城东新建三所幼儿园九月开园",
 ], "related")
 .bar(["关于我们", "联系我们", "广告服务", "网站地图"], "footer-links", " | ")
 .footer(["Copyright © 2024 华东日报社 版权所有",
          "沪ICP备12345678号-1 沪公网安备31010102000001号"])
 )

# ---------------------------------------------------------------------------
# Traditional Chinese news stored as Big5
# ---------------------------------------------------------------------------
zh_big5 = Spec("zh_news_big5", "https://news.harbourtimes.example.tw/local/20240418/5521", "zh",
               "基隆新增夜間渡輪航線 通勤族返家少繞一小時｜港灣時報",
               '<meta charset="big5">', "big5")
(zh_big5
 .menu(["首頁", "即時", "政治", "社會", "地方", "國際", "財經", "生活"], "menu")
 .bar(["首頁", "地方", "基隆"], "breadcrumb", " / ")
 .headline("基隆新增夜間渡輪航線 通勤族返家少繞一小時")
 .div("2024年4月18日 22:10 記者林佳穎／基隆報導", "byline")
 .paras([
     "基隆港務單位今天宣布，自下個月起增開一條夜間渡輪航線，從和平島碼頭開往八斗子漁港，每晚七點到十一點之間共有六個班次。",
     "過去住在八斗子一帶的上班族，晚上下班只能搭公車繞行市區，尖峰時段單程往往超過一個半小時。",
     "新航線採用一艘可載客一百二十人的電動渡輪，航程約二十分鐘，票價與市區公車相同，並可使用電子票證轉乘。",
     "港務單位表示，試辦期為半年，期間將依搭乘人數調整班次，若每班平均載客超過六成，明年起將改為全年常態營運。",
     "在漁港經營早餐店的陳先生說，以前店裡打烊後要等很久才有車回家，現在搭船就能直接到家附近，「終於可以早點休息了」。",
 ])
 .div("加微信 tw5577 看真人百家樂，首存即送五百", "txt", S, tag="p", gap=False)
 .bar(["分享", "列印", "轉寄", "字級"], "tools")
 .related("延伸閱讀", [
     "和平島公園整修完成 週末重新開放",
     "北部海域本週浪高 漁民注意安全",
     "基隆夜市推行動支付 攤商反應兩極",
     "中元祭籌備會議登場 今年規模擴大",
 ], "related-news", "h4")
 .footer(["港灣時報 版權所有 © 2024 Harbour Times. All rights reserved.",
          "客服信箱 service@harbourtimes.example.tw 電話 02-2345-6789"])
 )

# ---------------------------------------------------------------------------
# Chinese news, valid UTF-8 that falsely declares gbk; one sentence with injected spam
# ---------------------------------------------------------------------------
zh_lying = Spec("zh_news_lying", "https://www.jiangnan-tech.example.com/nongye/2024/06/03/4471.html", "zh",
                "无人机播种进田头 千亩稻田三天种完-江南科技网",
                '<meta http-equiv="Content-Type" content="text/html; charset=gbk">', "utf-8")
(zh_lying
 .menu(["首页", "要闻", "科技", "农业", "汽车", "数码", "视频", "专题"], "main-nav")
 .bar(["江南科技网", "农业频道", "正文"], "position", " > ")
 .headline("无人机播种进田头 千亩稻田三天种完")
 .div("2024-06-03 14:20:05 来源：江南科技网 编辑：赵一鸣", "article-info")
 .paras([
     "六月初，正是早稻直播的关键时节。在青塘镇的千亩示范田里，五架农用无人机排成一列，按照预设航线来回飞行，把稻种均匀撒进水田。",
     "合作社负责人周建国算了一笔账：过去人工撒播一千亩地，要二十多个人忙上十来天，如今三名飞手三天就能完成，每亩还能节省种子两斤左右。",
 ])
 .span_spam("无人机每次起飞前都会重新规划航线，遇到田埂和电线杆会自动绕开，钦州市某某商贸有限公司播种的深浅由螺旋撒播器的转速控制。",
            ["钦州市某某商贸有限公司"])
 .paras([
     "县农业农村局的技术人员介绍，无人机直播对田块平整度要求较高，今年全县已有四成以上的稻田完成了激光平地改造。",
     "不少年轻人也因此回到了农村。二十六岁的飞手小吴去年考取了操控证书，农忙时节一个人就能管护几百亩地。",
     "专家提醒，直播稻出苗后要及时管控杂草和水层，农户可以通过合作社的小程序预约植保服务。",
 ], B)
 .div("责任编辑：赵一鸣", "editor")
 .bar(["微信", "微博", "打印", "收藏"], "share-bar")
 .related("热点推荐", [
     "新能源农机补贴政策解读",
     "智慧大棚让草莓提前一个月上市",
     "今年夏粮收购价格保持稳定",
     "乡村物流站点实现行政村全覆盖",
 ], "hot-list")
 .div("扫码下载江南科技网客户端", "app-promo")
 .footer(["© 2024 江南科技网 版权所有 未经授权禁止转载",
          "浙ICP备20240603号 增值电信业务经营许可证 浙B2-20240001"])
 )

# ---------------------------------------------------------------------------
# Chinese news, honest UTF-8 (the e2e held-out page)
# ---------------------------------------------------------------------------
zh_utf8 = Spec("zh_news_utf8", "https://www.beifang-morning.example.cn/wenhua/20240320/3390.html", "zh",
               "市图书馆试行夜间开放 自习座位晚上也能预约_北方晨报",
               '<meta charset="utf-8">', "utf-8")
(zh_utf8
 .bar(["登录", "注册", "订阅", "客户端"], "user-bar")
 .menu(["首页", "时政", "社会", "文化", "体育", "健康", "房产", "旅游"], "nav")
 .bar(["首页", "文化", "正文"], "crumbs", " > ")
 .headline("市图书馆试行夜间开放 自习座位晚上也能预约")
 .div("2024年03月20日 08:15 来源：北方晨报 记者：刘思远", "meta")
 .paras([
     "从本周一起，市图书馆总馆的二楼和三楼阅览区试行夜间开放，闭馆时间由晚上六点推迟到十点，读者可以提前一天在线预约自习座位。",
     "图书馆方面介绍，夜间开放期间提供四百个座位，其中一百个配有台灯和电源插座，主要面向备考的学生和下班后学习的上班族。",
     "试行首晚，预约系统在半小时内就约满了。正在准备职业资格考试的小王说，家里孩子吵，以前只能去咖啡馆，现在有了安静又免费的地方。",
     "为了保证安全，图书馆增加了夜间保洁和安保人员，并与附近的公交公司协调，增开了两条夜间线路的末班车次。",
     "馆长表示，试行期为三个月，之后将根据读者的使用情况决定是否扩大到少儿阅览区和各区分馆。",
     "读者也可以通过图书馆的公众号查询实时空座情况，未按时签到的预约将自动取消，释放给其他读者。",
 ])
 .div("加微信 bf2024 购买考试答案 包过 先过后付", "txt", S, tag="p", gap=False)
 .div("责任编辑：何静", "editor")
 .related("相关新闻", [
     "全市中小学图书馆将向社区开放",
     "春季读书节推出百场阅读活动",
     "博物馆周一闭馆日调整为周二",
     "公共文化场馆预约服务指南",
 ], "related")
 .bar(["返回顶部", "意见反馈"], "tools")
 .footer(["北方晨报社主办 版权所有 Copyright © 2024",
          "京ICP备88880000号 违法和不良信息举报电话：010-12345678"])
 )

# ---------------------------------------------------------------------------
# Chinese forum thread: the posts are body, post UI is chrome
# ---------------------------------------------------------------------------
zh_forum = Spec("zh_forum", "https://bbs.lvzhou.example.net/thread-20931-1-1.html", "zh",
                "新手第一次养多肉，叶子发软是怎么回事？ - 绿洲论坛",
                '<meta charset="utf-8">', "utf-8")
(zh_forum
 .bar(["绿洲论坛", "登录", "立即注册", "找回密码"], "hd")
 .menu(["论坛首页", "园艺花卉", "宠物天地", "二手闲置", "活动"], "nav")
 .bar(["绿洲论坛", "园艺花卉", "多肉植物"], "crumb", " › ")
 .raw('<div class="thread"><h1 class="title">新手第一次养多肉，叶子发软是怎么回事？</h1>'
      '<div class="stat">查看: 1203 | 回复: 3</div>',
      [(B, "新手第一次养多肉，叶子发软是怎么回事？"), (C, "查看: 1203 | 回复: 3")])
 .div("楼主 小鹿同学 发表于 2024-04-02 21:15", "authi")
 .paras([
     "上个月在花市买了一盆桃美人，放在朝北的窗台上，每周浇一次水。最近发现下面几片叶子变得又软又皱，颜色也发黄了。",
     "盆土是店家配好的，盆底有孔。请问是浇水太多还是光照不够？需要换盆吗？",
 ])
 .div("回复 引用 举报", "post-tools")
 .div("沙发 园丁老周 发表于 2024-04-02 21:40", "authi")
 .paras([
     "叶子软而且发黄，多半是浇水多了，北窗光照又弱，土干得慢。先停水一到两周，把花盆挪到有散射光的南窗。",
     "如果茎秆摸起来发黑发软，就要脱盆检查根系，剪掉烂根后晾两天再种。",
 ])
 .div("回复 引用 举报", "post-tools")
 .div("板凳 多肉控阿紫 发表于 2024-04-03 08:02", "authi")
 .paras(["同意楼上。春秋是多肉的生长季，可以等盆土完全干透再浇透，别按固定日子浇。"])
 .div("加微信 dr9090 代开各类发票 正规税点", "sign", S, gap=False)
 .div("回复 引用 举报", "post-tools")
 .bar(["上一页", "1", "2", "下一页"], "pg")
 .related("相关帖子", [
     "多肉夏季休眠期怎么管理",
     "晒晒我阳台的十盆熊童子",
     "求推荐适合新手的颗粒土配方",
 ], "related-threads")
 .footer(["Powered by Discuz! © 2001-2024 绿洲论坛", "粤ICP备10203040号"])
 )

# ---------------------------------------------------------------------------
# English news with a UTF-8 BOM and no declared charset
# ---------------------------------------------------------------------------
en_bom = Spec("en_news_bom", "https://www.riverside-gazette.example.com/news/2024/05/council-bike-lanes", "en",
              "Council approves protected bike lanes on Mill Street | Riverside Gazette", "", "utf-8", bom=True)
(en_bom
 .div("We use cookies to improve your experience on our site. By continuing you agree to our cookie policy. Accept",
      "cookie-banner")
 .menu(["Home", "News", "Sport", "Business", "Culture", "Opinion", "Weather"], "site-nav")
 .bar(["Home", "News", "Local"], "breadcrumb", " › ")
 .headline("Council approves protected bike lanes on Mill Street")
 .div("By Sarah Collins", "byline")
 .div("Published May 14, 2024 7:45 pm", "dateline")
 .paras([
     "Riverside city council voted 7-2 on Tuesday night to build a protected bike lane along the full length of Mill Street, the first of its kind in the city.",
     "The two-way lane will be separated from traffic by a raised concrete kerb and will replace 64 on-street parking spaces between the railway station and the riverside park.",
     "Supporters packed the public gallery for the three-hour debate. “My daughter cycles to school on this road every day, and right now it simply isn’t safe,” said parent Maria Lopez.",
     "Several shop owners spoke against the plan, arguing that losing parking would hurt business. The council agreed to add a loading bay and twenty short-stay spaces on side streets.",
     "Construction is expected to begin in September and take about four months. The project will cost 1.8 million dollars, most of it covered by a state transport grant.",
 ])
 .bar(["Share on Facebook", "Share on X", "Email", "Print"], "share-tools")
 .related("Related", [
     "New bus timetable starts next month across the city",
     "Riverside park bridge reopens after flood repairs",
     "Letters: readers respond to the parking debate",
     "Spring cycling festival draws record crowds",
 ], "related-articles", "h2")
 .footer(["About us", "Contact us", "Privacy policy", "Terms of use",
          "© 2024 Riverside Gazette Media Ltd. All rights reserved."], "site-footer")
 )

# ---------------------------------------------------------------------------
# English news stored as windows-1252 (curly quotes), with ads, newsletter and spam
# ---------------------------------------------------------------------------
en_news = Spec("en_news_cp1252", "https://harbourpost.example.org/community/robotics-team-regional-title", "en",
               "School robotics team wins regional title with a recycling robot - The Harbour Post",
               '<meta charset="windows-1252">', "cp1252")
(en_news
 .bar(["Sign in", "Subscribe", "Search"], "top-links")
 .menu(["Home", "Local", "Schools", "Sport", "Arts", "Obituaries"], "nav-menu")
 .headline("School robotics team wins regional title with a recycling robot")
 .div("By Tom Baker, Education Reporter", "author")
 .div("June 2, 2024", "date")
 .paras([
     "A team of six students from Eastgate High School has won the regional robotics championship with a robot that sorts plastic, paper and cans from a mixed recycling bin.",
     "The robot uses a small camera and a colour sensor to recognise each item, then pushes it onto one of three belts. In the final round it sorted 48 items in two minutes without a single mistake.",
     "“We wanted to build something that our school could actually use,” said team captain Priya Shah, 16. The team spent most of the spring term testing the robot in the school canteen.",
 ])
 .div("Advertisement", "ad-label")
 .paras([
     "Their teacher, Mr Daniel Owusu, said the students wrote all of the software themselves and had to redesign the gripper twice after it kept dropping cans.",
     "The team will travel to the national finals in Birmingham in July. Local businesses have already offered to help cover the cost of the trip.",
 ])
 .div("Best online casino bonus 2024 free spins slots poker win real money now", "promo-text", S, tag="p", gap=False)
 .div("Get the Harbour Post newsletter in your inbox every morning. Sign up", "newsletter")
 .related("More stories", [
     "Harbour swimming pool to stay open late this summer",
     "Library launches free coding club for teenagers",
     "Volunteers plant 500 trees along the coastal path",
 ], "more-stories")
 .footer(["Contact the newsroom", "Copyright © 2024 The Harbour Post. All rights reserved."])
 )

# ---------------------------------------------------------------------------
# English news, plain UTF-8, "Most read" rail and comment UI
# ---------------------------------------------------------------------------
en_valley = Spec("en_news_valley", "https://www.valleytribune.example.com/environment/reservoir-levels-june", "en",
                 "Reservoir levels fall to lowest June mark in a decade - Valley Tribune",
                 '<meta charset="utf-8">', "utf-8")
(en_valley
 .menu(["Home", "News", "Environment", "Farming", "Sport", "Events"], "primary-nav")
 .headline("Reservoir levels fall to lowest June mark in a decade")
 .div("By Helen Park | June 11, 2024", "article-meta")
 .paras([
     "Water levels in the Upper Valley reservoir have dropped to 61 percent of capacity, the lowest figure recorded in June for ten years, the regional water authority said on Monday.",
     "A dry spring and an early heatwave have pushed demand up by almost a fifth compared with last year, while rainfall since March has been less than half the seasonal average.",
     "The authority has asked households to avoid using hosepipes and sprinklers in the evening, but said there are no plans for a formal ban unless the dry weather continues into July.",
     "Farmers in the lower valley say irrigation costs are already rising. “We are watering at night to lose less to evaporation, but the crops are still behind,” said grower Ian Fletcher.",
     "Engineers are also bringing forward repairs to leaking mains, which lose an estimated nine million litres a day across the network.",
 ])
 .div("Comments (12)", "comments-header")
 .div("Log in to join the discussion", "comment-box")
 .related("Most read", [
     "Town centre market to move to Saturday mornings",
     "Heatwave warning issued for the weekend",
     "Valley cricket club celebrates 150 years",
     "New cycle path links three villages",
 ], "most-read", "h4")
 .footer(["Follow us on Facebook and Instagram",
          "© 2024 Valley Tribune. Registered in England No. 01234567."])
 )

SPECS = [zh_gbk, zh_big5, zh_lying, zh_utf8, zh_forum, en_bom, en_news, en_valley]
#: Pages whose text records go into labelled/text_pages.jsonl, and into hand.tsv.
TEXT_RECORDS = ["zh_news_gbk", "zh_news_lying", "en_news_bom", "en_news_cp1252"]
TSV_PAGES = ["zh_forum", "en_news_valley"]


def check(spec: Spec, data: bytes) -> None:
    text, _ = decode_bytes(data, name=spec.name)
    page = segment(Page(id=spec.name, raw=text, source="html"))
    got = [line.text for line in page.lines]
    want = [line["text"] for line in spec.lines]
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                raise SystemExit(f"{spec.name}: line {i + 1} segments as {g!r}, labelled {w!r}")
        raise SystemExit(f"{spec.name}: {len(got)} segmented lines, {len(want)} labelled")
    size = len(data)
    if size > 8 * 1024:
        raise SystemExit(f"{spec.name}: {size} bytes, keep fixture pages under 8 KB")


def main() -> None:
    pages, labelled = HERE / "pages", HERE / "labelled"
    pages.mkdir(exist_ok=True)
    labelled.mkdir(exist_ok=True)
    for spec in SPECS:
        data = spec.html_bytes()
        check(spec, data)
        (pages / f"{spec.name}.html").write_bytes(data)
        (pages / f"{spec.name}.txt").write_text(spec.dump_text(), encoding="utf-8")
    with (labelled / "html_pages.jsonl").open("w", encoding="utf-8") as fh:
        for spec in SPECS:
            fh.write(json.dumps(spec.record("html"), ensure_ascii=False) + "\n")
    by_name = {spec.name: spec for spec in SPECS}
    with (labelled / "text_pages.jsonl").open("w", encoding="utf-8") as fh:
        for name in TEXT_RECORDS:
            fh.write(json.dumps(by_name[name].record("text"), ensure_ascii=False) + "\n")
    with (labelled / "hand.tsv").open("w", encoding="utf-8") as fh:
        fh.write("# hand-labelled text dumps: label<TAB>text, a blank line between pages\n")
        for k, name in enumerate(TSV_PAGES):
            if k:
                fh.write("\n")
            fh.write(f"#id {name}.tsv\n")
            for line in by_name[name].lines:
                fh.write(f"{line['label']}\t{line['text']}\n")
    print(f"wrote {len(SPECS)} pages to {pages} and labels to {labelled}")


if __name__ == "__main__":
    main()
