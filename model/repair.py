"""Repair step: small, explainable fixes to the classifier's label sequence.

The contextual pass already reads neighbours, so repair only encodes rules
LABELS.md states outright and a classifier can miss on one page:

* ``headline`` — the page's own headline is body, even where it looks like
  chrome: the line that best matches the title, just before the article
  (so a page with no body line at all gets no headline either);
* ``gap`` — one non-body line the classifier was unsure about, between two
  body lines, is body (a short paragraph or caption inside the article);
* ``container`` — a chrome line with no link text that sits between two body
  lines of its own DOM container (same block path as the nearest body line
  above and below) is body, when the classifier gave body some chance: short
  unpunctuated lines of WeChat-style articles ("此外", "规划岸线1600米")
  look like furniture on their own, but a page does not put furniture inside
  its article's paragraph container;
* ``sentence`` — a chrome line that reads as a finished sentence (15+
  characters ending in 。！？!?), follows a body line and has body probability
  0.3 or more is body: the article's closing sentences, which a page that
  repeats its article (or puts a photo credit before them) makes look like
  template text;
* ``contact_spam`` — a short line that asks readers to add a WeChat/QQ
  contact for a shady offer (exam answers, invoices, no-check loans, paid
  "part-time" clicking) is spam wherever it sits: LABELS.md names
  "加微信/QQ contact spam for shady offers", and glued between paragraphs it
  otherwise inherits the article's context;
* ``furniture`` — a short copyright / ICP-licence line, or an empty image
  placeholder (``![]()``), is chrome: LABELS.md names them outright, and in
  text dumps, with no markup around them, the classifier sometimes keeps them;
* ``credit`` — a bare attribution line ("（来源：新华社）", "图/视觉中国", "责任编辑：王敏",
  "Source: Reuters", "(Photo: Getty Images)") is chrome: LABELS.md puts credits without a
  sentence and "来源/作者/编辑" lines in the furniture. The name part may not hold digits,
  commas or sentence punctuation, so a reference list ("Source: Principal, v74 n3 p6-9") is
  left to the classifier. An English byline ("By Michael Vitiello", "Posted by Ray Peat")
  counts too when every word of its name is capitalised ("By invoking the law, …" does not).
  So does a line that opens with an original-title note ("（原标题：…）", "本文原标题：《…》",
  "（原题为《…》）", up to 100 characters): a republished article's pointer to where it first
  ran is a 来源 line with a headline in it, and the classifier keeps it because that headline
  reads like the article's own. A sentence that mentions an original title further in
  ("…来自《读者》，原标题为《…》。") is the article's and is left alone;
* ``lone_symbol`` — a line with no letter or digit ("-----", "·", "★★★") is never
  spam: LABELS.md puts lone symbols in the furniture, and spam is text (keywords,
  ads, mojibake). Rows of dashes between ad lines look like garbled text to the
  classifier, and so does a lost emoji ("\ufffd\ufffd\ufffd"); a longer run of "?" or
  U+FFFD is garbled text and stays spam;
* ``teaser`` — up to three short chrome lines between two links lines are
  links: LABELS.md puts the teaser bits of each related item (source name,
  "7小时前", "6390 跟贴", a "|" separator) in the list they sit in, and on
  their own they look like a dateline or a byline;
* ``no_article`` — a page whose body lines (20 or more of them) are all
  link text or text repeated 3+ times on the page has no article: it is a
  feed or section front ("headline / tag / 2小时前 / 分享至好友和朋友圈" per
  item), and its body lines take the classifier's best other label. Line by
  line each feed item looks like a short article; only the page as a whole
  says there is no text of its own. An article always has at least one line
  of its own that is neither a link nor a repeat.
* ``lone_link`` — a page whose only body lines (one or two) are link text the
  classifier gave body less than even odds has no article either: a list
  page's linked masthead slogan in an ``<h1>`` gets there, while an image
  post's linked title, its only text, is body with far more confidence.
  Text dumps carry no link marks, so the rule is HTML-only.
* ``list_run`` — in a run of four or more consecutive lines that open with
  the same bullet ("- ·", "•", "»"), where the classifier called more lines
  links than body, the short body lines (80 characters or less) are links
  too: LABELS.md says to judge a line in its neighbourhood, and a related
  list printed without a heading right after the article looks, item by
  item, like the article's last short paragraphs. An article's own bullet
  list, mostly body, is left alone.
* ``comments`` — once the article is over (no line below has body probability
  0.9 or more) a comment-section heading ("Comments", "12 Comments", "Leave a
  Reply", "发表评论", NetEase's "跟贴 32") opens the reader comments, which LABELS.md calls chrome:
  body lines below it that the classifier gave body less than 0.7 take its
  best other label, and the container rule does not fill across it. Comments
  often share the article's paragraph container, so without this the
  container rule pulls a whole thread into the article. A "Comments" link in
  the masthead or a "Post a comment" button above the article does not count:
  the article's confident paragraphs still follow it.
* ``comment_signatures`` — a comment heading ("Comments", "45 users responded
  in …") directly above three or more comment signatures ("Jacob said,", "Max
  says:", "On May 3, 2012 at 10:52 am Ann said:") or post stamps with a clock
  time ("Posted by: Ann | Mar 22, 2007 12:56 AM"), from two different names at
  least, opens a reader thread that leaves the article whole: every body line
  from the heading down takes its best other label, however article-like a
  comment reads (the classifier is sure of the longer comments too, and the
  ``comments`` rule stops short of them). "Directly above" means no farther than
  the widest spacing of the thread's signatures (stamps often follow the
  comment they sign), with the article's body lines above the heading. The
  heading is required: forum posts ("strato2009 said:" before a quote, "Posted
  By: X, 5/21/2024 3:12 AM" on every post) and articles that quote ("Makali
  wrote:") carry signatures too, and LABELS.md keeps forum posts as body. The
  closing ``:``/``,`` is required: a headline ending "…, Red Cross says" or a
  section called "Papa Says" is not a signature; so are two names: a blog front
  page stamps each of its own posts.
* ``related_heading`` — a related-block heading on its own line ("Related
  posts:", "You may also like", "相关阅读") that the classifier kept in the
  article, or that opens a list, is links with the body lines that follow it
  and read as list items: short and unpunctuated (80 characters or less, not a
  finished sentence), or whose link text is a tenth of the line or more, however
  long (a footnote's backlink is not: the references under a Wikipedia "See also"
  stay): LABELS.md names the block
  heading, every headline under it and each item's teaser snippet, and an item
  printed as "linked headline + two lines of its summary" reads, on its own, like
  a paragraph. A heading the classifier called chrome ("您可能感兴趣的文章") counts
  when a linked item follows it. Chinese headings may be spaced out ("延伸 · 推荐").
* ``lone_paragraph`` — when all the page's body is a headline (under 200
  characters of body in all), the prose paragraphs right below it (80
  characters or more, ending in sentence punctuation, "." included) are body
  unless the classifier is sure they are not (body probability under 0.05).
  A short post of one paragraph under a long comment thread reads, line by
  line, like one more comment, and without markup the classifier calls it
  chrome: the page's output was its title alone. Nothing is made body on a
  page without a body line (no article, no headline to follow), and the run
  stops at the first line that is not a paragraph ("38 Comments", a byline).
* ``feed_records`` — a run of four or more records cut by a line
  that recurs at a fixed spacing ("分享至好友和朋友圈" every 12 lines) is a feed of other
  content when every record carries a headline-length line and a teaser timestamp
  ("3小时前", "2 days ago", "2019-09-07") and no finished sentence, clock time or line
  over 100 characters: the record's own lines (those that do not recur in every
  record) that the classifier called chrome are links.
  LABELS.md puts every headline of a related list and each item's teaser bits
  (source, timestamp, comment count) in it; each item alone looks like a byline or
  a date, and the classifier calls it chrome. The recurring share prompts stay
  chrome. A comment thread is cut the same way, but its records hold sentences,
  clock times ("October 25, 2012 at 12:44 pm", "17:51") or a long comment, and its
  separator is comment UI ("Reply", "回复"). The rule runs after the comment rules:
  NetEase prints its feed below the comment box, and the headlines those rules
  make chrome are the feed's. Until 2026-12-04 the rule skipped HTML
  pages, whose link marks were expected to settle it; they do not: with markup the
  classifier called 1,583 lines of NetEase's dev feeds chrome, and the rule fixes
  them all (and takes 13 chrome lines of engadget's river of posts; on the train
  split it fixes 1 line and takes 8 of a BBC comment thread with short comments).

Legal disclaimers ("免责声明：…", "Disclaimer: …") are never relabelled by the
gap, container, sentence or teaser rules: LABELS.md calls license and legal
lines chrome, and they sit right after the article's last paragraph, where
the gap rule would otherwise make them body.

Every change writes ``repair_reason``, so ``label --format jsonl`` output and
tests can say why a label differs from ``pred``. The rules work on plain
label lists and probability rows: they are tested without any HTML.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate

from model.features import char_bigrams
from model.records import LABELS, Page, normalize_text

#: Minimum character-bigram Dice similarity for a line to count as the headline.
HEADLINE_MIN_SIM = 0.6
#: How many lines before the first body line the headline may sit.
HEADLINE_WINDOW = 12
#: The headline rule never overrides a classifier this sure the line is not body
#: (a cookie banner or site name taken for the title in a text dump).
HEADLINE_MIN_BODY_PROBA = 0.05
#: A gap line is flipped to body when its body probability is at least this.
GAP_MIN_BODY_PROBA = 0.25
#: The container rule's minimum body probability (below it the classifier is sure).
CONTAINER_MIN_BODY_PROBA = 0.15
#: The sentence rule's minimum body probability and line length.
SENTENCE_MIN_BODY_PROBA = 0.25
SENTENCE_MIN_CHARS = 15
#: The lone-paragraph rule: most characters of body (the headline) a page may have for
#: it to apply, shortest paragraph it takes, and the body probability below which the
#: classifier's "not body" stands.
LONE_BODY_MAX_CHARS = 200
PARAGRAPH_MIN_CHARS = 80
LONE_PARAGRAPH_MIN_BODY_PROBA = 0.05
#: The no-article rule needs at least this many body lines: below it, a page of a few
#: linked lines is more often an article whose text sits inside one link than a feed.
NO_ARTICLE_MIN_LINES = 20
#: The teaser rule: longest run of chrome lines between two links lines, and longest line in it.
TEASER_MAX_RUN = 3
TEASER_MAX_CHARS = 30
#: The lone-link rule: at most this many body lines, each under this body probability.
LONE_LINK_MAX_LINES = 2
LONE_LINK_MAX_BODY_PROBA = 0.5
#: The list-run rule: shortest run of lines with one bullet, and longest line it relabels.
LIST_RUN_MIN_LINES = 4
LIST_RUN_MAX_CHARS = 80
#: A line's bullet: the run of list marks it opens with (spaces ignored), or "" for none.
_BULLET_PREFIX = re.compile(r"^\s*((?:[-·•*▪●◆■>»]\s*)+)")
#: The comments rule: a comment heading opens the comments only below every line with at
#: least this body probability; body lines below it with less than the second figure leave.
COMMENTS_SURE_BODY_PROBA = 0.9
COMMENTS_MAX_BODY_PROBA = 0.7
#: A comment-section heading on a line of its own ("Discussion" is left out: papers use it).
_COMMENT_HEADING = re.compile(
    r"^\W*(\d+\s+)?(comments?|responses?|replies|reader comments|leave a (comment|reply)|"
    r"add (a |your )?comment|post a comment|trackbacks?|\d+ thoughts on .*|"
    r"(\d+|one|no) (responses?|comments?|replies) (to|on) .*|"  # WordPress: "12 Responses to “Title”"
    r"\d+ (users?|people|readers) responded (in|to|on) (?!.*[.!?。]\W*$).*|"  # not a sentence
    r"网友评论|评论|发表评论|读者评论|相关评论|(热门|最新)?(跟贴|跟帖)\d*)\W*(\(\d+\))?\W*$", re.I)
#: A comment signature on a line of its own: an optional "3." or "On <date> at <time>", a
#: name of at most five words (no comma or colon: headlines end "…, police said"), then
#: said/says/wrote and the ":" or "," that introduces the comment.
_COMMENT_SIGNATURE = re.compile(
    r"^(\d+\.\s*)?(on [\w ,]{5,40} at \d{1,2}:\d{2}\s*(am|pm)?\s*)?"
    r"(?P<name>[^\W\d][\w@.'’&-]*( [\w@.'’&-]+){0,4})\s(said|says|wrote)\s*[:,]\s*$", re.I)
#: A comment's post stamp: "Posted by" (or "Submitted/Comment by"), a name, and a clock time
#: ("Posted by: Ann | Mar 22, 2007 12:56:24 AM", "Posted by Ann on May 3, 2012 4:15 PM"). The
#: clock time is required: an article's own byline gives a date at most ("Posted by Ann on May 3").
_POST_STAMP = re.compile(r"^\W{0,3}(posted|submitted|comment(ed)?|replied) by\W*(?P<name>[^\W\d][^|@,\d]*?)"
                         r"(\s+(on|at)\b|\s*[|@,(]|\s+-|\s+\d|$).{0,80}?\b\d{1,2}:\d{2}(:\d{2})?"
                         r"\s*([ap]\.?m\.?)?\W*(\w{1,5}\W*)?$", re.I)
POST_STAMP_MAX_CHARS = 120
#: The comment-signatures rule: fewest signatures, fewest body lines above the first
#: (an article must come first), and the body probability a line keeps its label at.
SIGNATURES_MIN = 3
SIGNATURES_BODY_ABOVE = 3
#: A related-block heading on a line of its own. Kept to 40 characters, so that a sentence
#: opening with the same words ("Also on Tuesday, a judge …") is never one.
_RELATED_HEADING = re.compile(
    r"^\W{0,3}(related (posts?|articles?|stories|links|content|news|reading|items)|"
    r"you (may|might) (also )?(like|enjoy|be interested in)|more (stories|articles|news|posts) (from|on|about|in)\b.*|"
    r"recommended (for you|reading|stories)|read next|see also|also on .*|around the web|"
    r"popular (posts|stories|articles)|most (read|popular|viewed|emailed|shared)|recent posts|"
    r"相关[\s·・]*(推荐|阅读|文章|新闻|链接|资讯|报道|专题|事件|话题|问题)|延伸[\s·・]*(阅读|推荐)|推荐阅读|热点推荐|猜你喜欢|"
    r"热门(文章|推荐|新闻)|精彩推荐|为(你|您)推荐|(你|您)?(可能|也许)(还)?(会)?感兴趣(的)?(文章|内容|新闻)?|"
    r"(\d+小时|24小时|本周|今日)?(点击|阅读|热门|新闻)?排行(榜)?)"
    r"\W{0,3}$", re.I)
RELATED_HEADING_MAX_CHARS = 40
#: A long line under a related heading is a list item when link text is at least this share
#: of it: a teaser's linked headline is, a paragraph's footnote backlink ("^", 1 of 100
#: characters) is not, so the references below a Wikipedia "See also" stay in the article.
RELATED_ITEM_MIN_LINK_SHARE = 0.1
#: Longest line the related-heading rule takes into the list below its heading.
RELATED_ITEM_MAX_CHARS = 80
#: A line counts as repeated (feed furniture, "分享至好友和朋友圈" under every item) when its
#: text occurs this often on the page; twice is not enough: some pages print their article twice.
FEED_REPEATS = 3
#: The feed-records rule: fewest records, and the spacing (in lines) their separator may keep.
FEED_RECORDS_MIN = 4
FEED_RECORD_SPACING = (3, 20)
#: A headline in a feed record: characters, at least and at most.
FEED_HEADLINE_CHARS = (8, 80)
#: No line of a feed record is longer: a reader's comment is, a teaser's headline and bits are not.
FEED_LINE_MAX_CHARS = 100
#: A teaser timestamp on a line of its own: an age ("3小时前", "2 days ago") or a date.
_TEASER_TIME = re.compile(
    r"^\W*(\d+\s*(分钟|小时|天|周|个月|年)前|昨天|前天|刚刚|"
    r"\d+\s*(s|m|h|d|w|mo|mins?|minutes?|hours?|hrs?|days?|weeks?|months?)\s*ago\b.*|"
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}|"
    r"\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})\W*$", re.I)
#: A clock time: comment signatures carry one, feed teasers give an age or a date.
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
#: Comment UI that separates the posts of a thread ("Reply", "回复", "| 举报").
_COMMENT_UI = re.compile(r"^\W*(\d+\s*)?(reply|replies|report( abuse)?|permalink|quote|flag|回复|举报|引用|顶|踩)"
                         r"( to this comment)?\W*\d*$", re.I)
#: Sentence punctuation at the end, a closing quote allowed, and a short trailing
#: parenthesis: Chinese news ends its last paragraph with the editor's tag, "。(辰辰)", "。（完）".
_SENTENCE_END = re.compile(r"[。！？!?][”」』\"']?(\s*[(（][^()（）]{1,8}[)）])?$")
#: Legal boilerplate written as sentences ("特别声明：以上内容…", "Disclaimer: …"): LABELS.md
#: calls license and legal lines chrome, however well punctuated.
_DISCLAIMER = re.compile(r"^\W{0,3}(特别声明|免责声明|版权声明|声明[:：]|disclaimer\b)", re.I)


def is_disclaimer(text: str) -> bool:
    """A legal disclaimer or copyright statement line ("免责声明：…", "Disclaimer: …")."""
    return bool(_DISCLAIMER.match(text))


#: Fewest "?" and U+FFFD characters of a garbled line: text whose charset was lost
#: shows as runs of them, and such lines are spam; a few of them alone are a lost
#: emoji or icon. In the labelled pages every such line of 3 to 6 is chrome (17
#: "\ufffd" x 6 lines, "????", "| ??? |"), and every one of 8 or more spam.
GARBLED_MIN_CHARS = 8


def is_lone_symbol(text: str) -> bool:
    """No letter or digit, and too few "?"/U+FFFD to be a garbled line."""
    return (not any(map(str.isalnum, text))
            and text.count("\ufffd") + text.count("?") < GARBLED_MIN_CHARS)


def is_comment_heading(text: str) -> bool:
    """A comment-section heading on its own line ("Comments", "3 Responses", "发表评论")."""
    return bool(_COMMENT_HEADING.match(text.strip()))


def is_comment_signature(text: str) -> bool:
    """A comment signature ("Ann said:") or a comment's post stamp ("Posted by Ann | May 3, 2012 10:52 AM")."""
    return signer(text) is not None


def signer(text: str) -> str | None:
    """The name a comment signature or post stamp gives (lower-cased), or None for any other line."""
    match = _COMMENT_SIGNATURE.match(text)
    if match:
        return match.group("name").lower()
    match = _POST_STAMP.match(text) if len(text) <= POST_STAMP_MAX_CHARS else None
    return match.group("name").strip().lower() if match else None


def is_related_heading(text: str) -> bool:
    """A related-block heading on its own line ("Related posts:", "相关阅读")."""
    text = text.strip()
    return len(text) <= RELATED_HEADING_MAX_CHARS and bool(_RELATED_HEADING.match(text))


_PARAGRAPH_END_CHARS = frozenset(".。！？!?…")
_CLOSING_CHARS = "”」』\"'’)）"


def is_paragraph(text: str) -> bool:
    """A line of prose: at least ``PARAGRAPH_MIN_CHARS`` long, ending like a sentence
    ("." included, which ``is_sentence`` does not count), and not a legal disclaimer."""
    if len(text) < PARAGRAPH_MIN_CHARS:
        return False
    text = text.rstrip().rstrip(_CLOSING_CHARS)
    return (len(text) >= PARAGRAPH_MIN_CHARS and text[-1:] in _PARAGRAPH_END_CHARS
            and not is_disclaimer(text))


def is_sentence(text: str) -> bool:
    """A finished sentence: long enough, ending in sentence punctuation (a closing quote allowed),
    and not a legal disclaimer."""
    return (len(text) >= SENTENCE_MIN_CHARS and bool(_SENTENCE_END.search(text))
            and not is_disclaimer(text))

BODY = LABELS.index("body")
#: Longest line the furniture rule touches: a sentence about copyright law is longer.
FURNITURE_MAX_CHARS = 80
_FURNITURE = re.compile(
    r"(京|沪|粤|浙|苏|鲁|闽|川|鄂|湘|豫|冀|辽|吉|黑|皖|赣|晋|陕|甘|青|琼|贵|云|桂|蒙|宁|新|藏|渝|津)?icp[备证]"
    r"|公网安备|版权所有|©|copyright\s*(©|\(c\)|\d{4})|all rights reserved", re.I)
_PLACEHOLDER = re.compile(r"^(!\[[^\]]*\]\([^)]*\)\s*)+$|^\[(图片|image|img|photo)\]$", re.I)


#: "Add me on WeChat/QQ" plus an id, and a shady-offer word, in one short line.
_CONTACT = re.compile(r"(加|\+)\s*(微信|薇信|威信|vx|v信|qq|扣扣|企鹅)\s*[:：]?\s*[a-z0-9_\-]{5,}", re.I)
_SHADY_OFFER = re.compile(
    r"答案|包过|代考|代办|发票|贷款|套现|刷单|日结|兼职|高仿|出售|办证|黑户|不看征信|彩金|裸聊|约炮|私服|外挂")
#: Longest line the contact-spam rule touches.
CONTACT_SPAM_MAX_CHARS = 120


def is_contact_spam(text: str) -> bool:
    """A short "加微信 …" line selling something shady (LABELS.md: spam)."""
    return (len(text) <= CONTACT_SPAM_MAX_CHARS and bool(_CONTACT.search(text))
            and bool(_SHADY_OFFER.search(text)))


#: A credit word, a colon or slash, and a short name: the whole line is the attribution.
#: "图" counts only with a slash ("图/新华社"): "图：…" opens a caption, and captions are body.
_CREDIT = re.compile(
    r"^[(（\[【]?\s*(图\s*/|(来源|稿源|图片来源|图源|摄影|编辑|责任编辑|责编|作者|记者|source|sources|photo|photos|"
    r"image|images|picture|credit|credits|photo credit|editor|edited by)\s*[:：/])\s*"
    r"[^。！？!?\d,，;；]{1,40}?[)）\]】]?\s*$", re.I)
#: Longest line the credit rule touches.
CREDIT_MAX_CHARS = 60
#: An original-title note opening its own line: "（原标题：…）", "本文原标题：《…》", "（原题为《…》）".
#: A republished article names the headline it first ran under; like "来源：…" it says where the
#: text comes from and is no part of it. Only at the start of the line: a sentence that mentions
#: an original title ("…一文，原标题为《…》。") is the article's own.
_ORIGINAL_TITLE = re.compile(r"^[(（\[【]?\s*(本文)?(原标题|原题|原文标题)\s*(为|是)?\s*[:：《“\"【]")
#: Longest original-title note: a headline fits, a paragraph does not.
ORIGINAL_TITLE_MAX_CHARS = 100


#: Credit words a caption may also start with ("Photo: Children play …").
_CAPTION_WORDS = frozenset({"source", "sources", "photo", "photos", "image", "images", "picture", "credit",
                            "credits", "photo credit"})
#: Small words a Latin credit name may hold ("Courtesy of the Smith Family", "AP via Getty").
_NAME_LINKS = frozenset("of the via for and de van von la le y & / - by".split())


#: An English byline: "By Michael Vitiello", "Posted by Ray Peat", "by W. T. Whitney Jr., Reuters".
_BYLINE = re.compile(r"^(?:posted |written |story |words |reporting )?by\s+([^\d:;!?。，]{2,50})$", re.I)
#: Words a byline's name part may hold at most.
BYLINE_MAX_WORDS = 6


def _capitalised_name(name: str) -> bool:
    """Every Latin word capitalised or a small linking word (a name with no Latin word passes)."""
    words = re.findall(r"[A-Za-z][\w'.’-]*|[&/-]", name)
    return all(w[0].isupper() or w.lower() in _NAME_LINKS for w in words)


def is_credit(text: str) -> bool:
    """A bare attribution line: "（来源：英伟达）", "Photo: Getty Images", "By Ray Peat"
    (LABELS.md: bylines and credits without a sentence are chrome), or an original-title note
    ("（原标题：…）"), which names the source headline of a republished article.

    After "Photo:", "Source:" and the like, or "By", a Latin name is capitalised word by
    word: "Photo: Children play in the park" is a caption and "By invoking the law, …" a
    sentence. Editor tags ("editor/tolk") are handles.
    """
    text = text.strip()
    if len(text) <= ORIGINAL_TITLE_MAX_CHARS and _ORIGINAL_TITLE.match(text):
        return True
    if len(text) > CREDIT_MAX_CHARS:
        return False
    byline = _BYLINE.match(text)
    if byline:
        name = byline.group(1).strip()
        return len(name.split()) <= BYLINE_MAX_WORDS and _capitalised_name(name)
    match = _CREDIT.match(text)
    if not match:
        return False
    if (match.group(2) or "").lower() not in _CAPTION_WORDS:
        return True
    return _capitalised_name(text[match.end(1):].strip(" ()（）[]【】"))


def is_furniture(text: str) -> bool:
    """Copyright/ICP footer lines and empty image placeholders (LABELS.md: chrome)."""
    text = text.strip()
    if _PLACEHOLDER.match(text):
        return True
    sentence = text.endswith(("。", "！", "？")) or text.count("，") >= 2
    return len(text) <= FURNITURE_MAX_CHARS and not sentence and bool(_FURNITURE.search(text))


def title_similarity(line: str, title: str | None) -> float:
    """Dice similarity of character bigrams; ignores a site suffix on the title."""
    if not title:
        return 0.0
    best = 0.0
    for candidate in {title, *re.split(r"\s*[_|｜\-–—]\s*", title)}:
        a, b = char_bigrams(line), char_bigrams(candidate)
        if a and b:
            best = max(best, 2 * len(a & b) / (len(a) + len(b)))
    return best


def bullet_key(text: str) -> str:
    """The list marks a line opens with, without spaces ("- ·标题" -> "-·"); "" when none."""
    match = _BULLET_PREFIX.match(text)
    return "".join(match.group(1).split()) if match else ""


def headline_window(labels: Sequence[str]) -> range:
    """Lines that may hold the headline: up to the first body line and a few before it.

    Empty when nothing is body: a page with no article (a section front, a
    list of links) has no headline, and keeping a lone title-like line there
    (the site name in ``<title>``) would turn "no article" into a one-line article.
    """
    first = next((i for i, label in enumerate(labels) if label == "body"), None)
    if first is None:
        return range(0)
    return range(max(0, first - HEADLINE_WINDOW), first + 1)


def find_headline(labels: Sequence[str], similarities: Sequence[float]) -> int | None:
    """Index of the headline line, or None: best title match near the article start.

    A tie goes to the later line, the one nearer the article: a ``<title>`` like
    "Headline | Site Name" matches both the site name in the masthead and the
    headline exactly, and a breadcrumb can end with the headline the ``<h1>`` repeats.
    """
    best, best_sim = None, HEADLINE_MIN_SIM
    for i in headline_window(labels):
        if similarities[i] > best_sim or (best is not None and similarities[i] == best_sim):
            best, best_sim = i, similarities[i]
    return best


def _container_lines(labels: Sequence[str], probas: Sequence[Sequence[float]], containers: Sequence[str],
                     link_free: Sequence[bool], furniture: Sequence[bool] | None,
                     stop: int | None = None) -> list[int]:
    """Chrome lines inside the article's own container (see the module docstring), above ``stop``."""
    body = [i for i, label in enumerate(labels) if label == "body"]
    found = []
    for up, down in zip(body, body[1:]):
        path = containers[up]
        if not path or containers[down] != path or (stop is not None and down > stop):
            continue
        for i in range(up + 1, down):
            if (labels[i] == "chrome" and containers[i] == path and link_free[i]
                    and not (furniture and furniture[i]) and probas[i][BODY] >= CONTAINER_MIN_BODY_PROBA):
                found.append(i)
    return found


_DIGITS = re.compile(r"\d+")


def template_key(text: str) -> str:
    """Normalised text with digit runs folded: "2小时前" and "7小时前" are one template."""
    return fold_digits(normalize_text(text))


def fold_digits(normalized: str) -> str:
    """``template_key`` of a text whose ``normalize_text`` is ``normalized``."""
    return _DIGITS.sub("0", normalized)


def is_feed(labels: Sequence[str], borrowed: Sequence[bool]) -> bool:
    """True when every one of many body lines is borrowed (link text or a repeat): no article."""
    body = [i for i, label in enumerate(labels) if label == "body"]
    return len(body) >= NO_ARTICLE_MIN_LINES and all(borrowed[i] for i in body)


def repair_labels(labels: Sequence[str], probas: Sequence[Sequence[float]],
                  similarities: Sequence[float],
                  furniture: Sequence[bool] | None = None, *,
                  containers: Sequence[str] | None = None,
                  link_free: Sequence[bool] | None = None,
                  contact_spam: Sequence[bool] | None = None,
                  sentences: Sequence[bool] | None = None,
                  linked: Sequence[bool] | None = None,
                  repeated: Sequence[bool] | None = None,
                  lengths: Sequence[int] | None = None,
                  credit: Sequence[bool] | None = None,
                  legal: Sequence[bool] | None = None,
                  bullets: Sequence[str] | None = None,
                  comment_heads: Sequence[bool] | None = None,
                  related_heads: Sequence[bool] | None = None,
                  linked_items: Sequence[bool] | None = None,
                  feed_records: Sequence[int] | None = None,
                  signers: Sequence[str | None] | None = None,
                  symbols: Sequence[bool] | None = None,
                  paragraphs: Sequence[bool] | None = None) -> tuple[list[str], list[str]]:
    """Return repaired labels and a reason code per line ('' when unchanged).

    ``containers`` (DOM block paths, "" in text dumps) and ``link_free`` enable
    the container rule; ``linked`` (mostly link text) and ``repeated`` (its
    digit-folded ``template_key`` occurs ``FEED_REPEATS`` times or more on the
    page) enable the no-article rule; without them
    those rules are skipped, as is the teaser rule without ``lengths`` (characters
    per line). ``credit`` lines are treated as furniture by
    every later rule (none of them may make an attribution line body again); so are
    ``legal`` lines (disclaimers), which no rule relabels on its own. ``linked`` also
    enables the lone-link rule. ``bullets`` (``bullet_key`` of each line) and ``lengths``
    enable the list-run rule. ``comment_heads`` (``is_comment_heading``) enables the
    comments rule; ``related_heads`` (``is_related_heading``) with ``lengths`` and
    ``sentences`` the related-heading rule, and ``linked_items`` (the line holds link text)
    lets that rule take long linked items too. ``feed_records`` (line indices from
    ``_feed_record_lines``) enables the feed-records rule;
    ``signers`` (``signer`` of each line: the name a comment signature gives, None on
    other lines) with ``comment_heads`` the comment-signatures rule. ``symbols`` (the line
    holds no letter or digit) enables the lone-symbol rule; ``paragraphs`` (``is_paragraph``)
    with ``lengths`` the lone-paragraph rule.
    """
    out = list(labels)
    reasons = [""] * len(out)
    for i, flag in enumerate(furniture or ()):
        if flag and out[i] == "body":
            out[i], reasons[i] = "chrome", "furniture"
    for i, flag in enumerate(credit or ()):
        if flag and out[i] == "body":
            out[i], reasons[i] = "chrome", "credit"
    for extra in (credit, legal):
        if extra is not None:
            furniture = [bool(c) or bool(furniture and furniture[i]) for i, c in enumerate(extra)]
    for i, flag in enumerate(contact_spam or ()):
        if flag and out[i] != "spam":
            out[i], reasons[i] = "spam", "contact_spam"
    for i, flag in enumerate(symbols or ()):
        if flag and out[i] == "spam":
            out[i], reasons[i] = "chrome", "lone_symbol"
    if containers is not None and link_free is not None:
        stop = comment_start(out, probas, comment_heads) if comment_heads is not None else None
        if signers is not None and comment_heads is not None:  # nor into a signed thread
            stop = min(len(out) if stop is None else stop, signature_start(out, signers, comment_heads))
        for i in _container_lines(out, probas, containers, link_free, furniture, stop):
            out[i], reasons[i] = "body", "container"
    head = find_headline(out, similarities)
    if head is not None and out[head] != "body" and probas[head][BODY] >= HEADLINE_MIN_BODY_PROBA:
        out[head], reasons[head] = "body", "headline"
    for i in range(1, len(out) - 1):
        if (out[i] in ("chrome", "links") and out[i - 1] == "body" and out[i + 1] == "body"
                and not (furniture and furniture[i])
                and probas[i][BODY] >= GAP_MIN_BODY_PROBA):
            out[i], reasons[i] = "body", "gap"
    for i in range(1, len(out)):  # in order: a run of closing sentences follows its first one
        if (sentences is not None and sentences[i] and out[i] == "chrome" and out[i - 1] == "body"
                and not (furniture and furniture[i]) and probas[i][BODY] >= SENTENCE_MIN_BODY_PROBA):
            out[i], reasons[i] = "body", "sentence"
    if paragraphs is not None and lengths is not None:
        for i in _lone_paragraph_lines(out, probas, paragraphs, lengths, furniture):
            out[i], reasons[i] = "body", "lone_paragraph"
    if linked is not None and repeated is not None:
        if is_feed(out, [a or b for a, b in zip(linked, repeated)]):
            for i, label in enumerate(out):
                if label == "body":
                    out[i], reasons[i] = _best_other_label(probas[i]), "no_article"
    if linked is not None:
        for i in _lone_link_lines(out, probas, linked):
            out[i], reasons[i] = _best_other_label(probas[i]), "lone_link"
    if lengths is not None:
        for i in _teaser_lines(out, [n <= TEASER_MAX_CHARS for n in lengths], furniture):
            out[i], reasons[i] = "links", "teaser"
    if bullets is not None and lengths is not None:
        for i in _list_run_lines(out, bullets, lengths):
            out[i], reasons[i] = "links", "list_run"
    if comment_heads is not None:
        for i in range(comment_start(out, probas, comment_heads) + 1, len(out)):
            if out[i] == "body" and probas[i][BODY] < COMMENTS_MAX_BODY_PROBA:
                out[i], reasons[i] = _best_other_label(probas[i]), "comments"
    if signers is not None and comment_heads is not None:
        for i in range(signature_start(out, signers, comment_heads), len(out)):
            if out[i] == "body":
                out[i], reasons[i] = _best_other_label(probas[i]), "comment_signatures"
    # after the teaser rule (the share prompts between two records are chrome, not teaser
    # bits) and the comment rules: below a comment heading a feed's headlines read as
    # hesitant body, which those rules make chrome
    for i in feed_records or ():
        if out[i] == "chrome" and not (furniture and furniture[i]):
            out[i], reasons[i] = "links", "feed_records"
    if related_heads is not None and lengths is not None and sentences is not None:
        for i in _related_lines(out, related_heads, lengths, sentences, linked_items):
            out[i], reasons[i] = "links", "related_heading"
    return out, reasons


def comment_start(labels: Sequence[str], probas: Sequence[Sequence[float]],
                  comment_heads: Sequence[bool]) -> int:
    """Index of the heading that opens the reader comments, or ``len(labels)`` when none does.

    The first non-body comment heading after the first body line and below every
    line the classifier is sure is body: a "Comments" link in the masthead or a
    "Post a comment" button above the article has the article's paragraphs after it.
    """
    n = len(labels)
    first = next((i for i, label in enumerate(labels) if label == "body"), None)
    if first is None:
        return n
    sure = [i for i, row in enumerate(probas) if row[BODY] >= COMMENTS_SURE_BODY_PROBA]
    start = max(first, sure[-1] + 1 if sure else 0)
    return next((i for i in range(start, n) if comment_heads[i] and labels[i] != "body"), n)


def signature_start(labels: Sequence[str], signers: Sequence[str | None], comment_heads: Sequence[bool]) -> int:
    """Index of the comment heading that opens a signed reader thread, or ``len(labels)``.

    ``signers`` holds the name each comment signature gives (None on other lines); the
    thread needs two different names. Its first signature is the first one with
    ``SIGNATURES_MIN`` signatures from there on and ``SIGNATURES_BODY_ABOVE`` body lines
    above; the heading must sit no farther above it than the widest spacing of those
    signatures (one comment's length) and have the article's body lines above it too (a
    masthead "Comments" link does not).
    """
    found = [i for i, name in enumerate(signers) if name is not None]
    if len(found) < SIGNATURES_MIN or len({signers[i] for i in found}) < 2:
        return len(labels)
    body_above = [0, *accumulate(label == "body" for label in labels)]  # body lines above each index
    for k, i in enumerate(found[:len(found) - SIGNATURES_MIN + 1]):
        if body_above[i] >= SIGNATURES_BODY_ABOVE:
            spacing = max(b - a for a, b in zip(found[k:], found[k + 1:]))
            heads = [h for h in range(max(0, i - spacing), i)
                     if comment_heads[h] and body_above[h] >= SIGNATURES_BODY_ABOVE]
            return heads[-1] if heads else len(labels)
    return len(labels)


def _related_lines(labels: Sequence[str], related_heads: Sequence[bool], lengths: Sequence[int],
                   sentences: Sequence[bool], linked_items: Sequence[bool] | None = None) -> list[int]:
    """Related-block headings kept as body or opening a list, with the body lines below them that
    read as items: short and unpunctuated, or (``linked_items``: link text is at least
    ``RELATED_ITEM_MIN_LINK_SHARE`` of the line) a linked headline, however long its teaser.
    A chrome or spam heading counts only when a linked item follows it."""
    found, n = [], len(labels)
    item = [(lengths[k] <= RELATED_ITEM_MAX_CHARS and not sentences[k]) or bool(linked_items and linked_items[k])
            for k in range(n)]
    for i in range(n):
        if not related_heads[i]:
            continue
        j = i + 1
        while j < n and labels[j] == "body" and item[j]:
            j += 1
        if labels[i] not in ("body", "links") and not (linked_items and j > i + 1 and linked_items[i + 1]):
            continue
        if labels[i] == "body" or j > i + 1:
            found.extend(k for k in range(i, j) if labels[k] == "body")
    return found


def _lone_paragraph_lines(labels: Sequence[str], probas: Sequence[Sequence[float]], paragraphs: Sequence[bool],
                          lengths: Sequence[int], furniture: Sequence[bool] | None) -> list[int]:
    """The paragraphs right below a page's only body, when that body is a headline's length."""
    body = [i for i, label in enumerate(labels) if label == "body"]
    if not body or sum(lengths[i] for i in body) >= LONE_BODY_MAX_CHARS:
        return []
    found = []
    for i in range(body[-1] + 1, len(labels)):
        if (not paragraphs[i] or labels[i] not in ("chrome", "links") or (furniture and furniture[i])
                or probas[i][BODY] < LONE_PARAGRAPH_MIN_BODY_PROBA):
            break
        found.append(i)
    return found


def _best_other_label(row: Sequence[float]) -> str:
    """The classifier's most likely label other than body, for a line a rule takes out of the article."""
    return LABELS[max(range(len(LABELS)), key=lambda k: -1.0 if k == BODY else row[k])]


def _lone_link_lines(labels: Sequence[str], probas: Sequence[Sequence[float]], linked: Sequence[bool]) -> list[int]:
    """The body lines of a page whose few body lines are all hesitant link text, else []."""
    body = [i for i, label in enumerate(labels) if label == "body"]
    if 0 < len(body) <= LONE_LINK_MAX_LINES and all(
            linked[i] and probas[i][BODY] < LONE_LINK_MAX_BODY_PROBA for i in body):
        return body
    return []


def _teaser_lines(labels: Sequence[str], short: Sequence[bool], furniture: Sequence[bool] | None) -> list[int]:
    """Short chrome lines in runs of at most TEASER_MAX_RUN between two links lines."""
    found, i, n = [], 1, len(labels)
    while i < n:
        if labels[i] == "chrome" and labels[i - 1] == "links":
            j = i
            while j < n and labels[j] == "chrome" and short[j] and not (furniture and furniture[j]):
                j += 1
            if j < n and labels[j] == "links" and j - i <= TEASER_MAX_RUN:
                found.extend(range(i, j))
            i = max(j, i + 1)
        else:
            i += 1
    return found


def _list_run_lines(labels: Sequence[str], bullets: Sequence[str], lengths: Sequence[int]) -> list[int]:
    """Short body lines in same-bullet runs that the classifier mostly called links."""
    found, i, n = [], 0, len(labels)
    while i < n:
        j = i
        while j < n and bullets[j] and bullets[j] == bullets[i]:
            j += 1
        run = range(i, j)
        if len(run) >= LIST_RUN_MIN_LINES and (sum(labels[k] == "links" for k in run)
                                               > sum(labels[k] == "body" for k in run)):
            found.extend(k for k in run if labels[k] == "body" and lengths[k] <= LIST_RUN_MAX_CHARS)
        i = max(j, i + 1)
    return found


def _feed_record_lines(texts: Sequence[str], keys: Sequence[str] | None = None) -> list[int]:
    """The own lines of feed records (see ``feed_records`` in the module docstring).

    ``keys``: ``normalize_text`` of each text, when the caller has them already.
    """
    keys = [normalize_text(text) for text in texts] if keys is None else keys
    counts = Counter(keys)
    where: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key and counts[key] >= FEED_RECORDS_MIN:
            where.setdefault(key, []).append(i)
    low, high = FEED_RECORD_SPACING
    found: set[int] = set()
    for key, places in where.items():
        if _COMMENT_UI.match(key):
            continue
        gaps = [b - a for a, b in zip(places, places[1:])]
        spacing = sorted(gaps)[len(gaps) // 2]
        if not low <= spacing <= high:
            continue
        start = 0
        while start < len(gaps):  # each stretch of separators at exactly that spacing
            end = start
            while end < len(gaps) and gaps[end] == spacing:
                end += 1
            records = end - start
            if records >= FEED_RECORDS_MIN:
                for a, b in zip(places[start:end], places[start + 1:end + 1]):
                    found.update(_feed_record(texts, keys, counts, range(a + 1, b), records))
            start = max(end, start + 1)
    return sorted(found)


def _feed_record(texts: Sequence[str], keys: Sequence[str], counts: Counter, span: range,
                 records: int) -> list[int]:
    """The own lines of one record, or [] when it does not read as a feed item."""
    own = [k for k in span if counts[keys[k]] < max(FEED_REPEATS, records)]
    if not own or any(is_sentence(texts[k]) or _CLOCK.search(texts[k]) or len(texts[k]) > FEED_LINE_MAX_CHARS
                      for k in own):
        return []
    times = [k for k in span if _TEASER_TIME.match(keys[k])]
    lo, hi = FEED_HEADLINE_CHARS
    if not times or not any(lo <= len(keys[k]) <= hi and k not in times for k in own):
        return []
    return own


def repair(page: Page) -> Page:
    """Apply ``repair_labels`` to a classified page in place."""
    if not page.lines:
        return page
    labels = [line.label or line.pred or "chrome" for line in page.lines]
    probas = [line.proba or (0.0,) * len(LABELS) for line in page.lines]
    # only the headline window is ever read: compare just those lines with the title
    sims = [0.0] * len(labels)
    for i in headline_window(labels):
        sims[i] = title_similarity(page.lines[i].text[:300], page.title)
    furniture = [is_furniture(line.text) for line in page.lines]
    texts = [line.text for line in page.lines]
    normalized = [normalize_text(text) for text in texts]
    shapes = [fold_digits(key) for key in normalized]
    keys = Counter(shapes)
    new, reasons = repair_labels(labels, probas, sims, furniture,
                                 containers=[line.dom_path for line in page.lines],
                                 link_free=[line.link_chars == 0 for line in page.lines],
                                 contact_spam=[is_contact_spam(line.text) for line in page.lines],
                                 sentences=[is_sentence(line.text) for line in page.lines],
                                 linked=[2 * line.link_chars >= len(line.text) > 0 for line in page.lines],
                                 repeated=[keys[shape] >= FEED_REPEATS for shape in shapes],
                                 lengths=[len(line.text) for line in page.lines],
                                 credit=[is_credit(line.text) for line in page.lines],
                                 legal=[is_disclaimer(line.text) for line in page.lines],
                                 bullets=[bullet_key(line.text) for line in page.lines],
                                 comment_heads=[is_comment_heading(line.text) for line in page.lines],
                                 related_heads=[is_related_heading(line.text) for line in page.lines],
                                 linked_items=[line.link_chars > 0
                                               and line.link_chars >= RELATED_ITEM_MIN_LINK_SHARE * len(line.text)
                                               for line in page.lines],
                                 signers=[signer(line.text) for line in page.lines],
                                 symbols=[is_lone_symbol(line.text) for line in page.lines],
                                 paragraphs=[is_paragraph(line.text) for line in page.lines],
                                 feed_records=_feed_record_lines(texts, normalized))
    for line, label, reason in zip(page.lines, new, reasons):
        if reason:
            line.label, line.repair_reason = label, reason
            if line.proba:
                line.score = line.proba[LABELS.index(label)]
    return page
