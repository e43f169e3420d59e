"""Read a document's metadata: type, title, issuer, jurisdiction, issue date, proposal number,
addressee, co-handling agencies and term of validity.

In: the stored text and its paragraphs. Out: ``DocMeta`` plus the document's own aliases
(``(下称“领导小组”)``, offices set up under a group) for the agency recogniser.
"""

from __future__ import annotations

import re

from etl import agencies, dates
from etl.model import DocMeta
from etl.segment import Paragraph, Rule

ADDRESSEE = Rule("addressee", re.compile(r"^(?:尊敬的)?(?!各位|全体|诸位)(?P<name>[\u4e00-\u9fff·、]{1,24}?)(?P<role>代表|委员)(?:们)?[::]"),
                 ("王泽新等代表:", "许若宁委员:", "尊敬的李明、王芳代表:"), ("各区人民政府,市政府各部门:", "民革广州市委员会:"))
PROPOSAL_NO = Rule("proposal_no", re.compile(
    r"第\s*(?P<no>[A-Za-z]?\d{3,9}|[A-Za-z]?\d{1,2}(?=\s*号[^。\n]{0,10}?(?:建议|提案|议案)))\s*号"),
    ("(第20222223号)", "第2009号委员提案", "第35号建议", "第B123号建议", "第0456号提案"), ("穗府〔2020〕4号", "第3号令"))
"""The suggestion or proposal number; one or two digits only where 建议 / 提案 follows."""
REPLY_MARKERS = Rule("reply_markers", re.compile(r"答复如下|收悉|此复|办理情况|答复"),
                     ("(第20222223号)收悉。", "现将办理情况答复如下:", "此复"), ("关于开展治理工作的通知",))
"""Words only a reply writes (收悉, 答复如下, 此复)."""
POLICY_TITLE = Rule("policy_title", re.compile(
    r"^(?:关于)?[^,。:;!?]{2,60}?(?:若干措施|若干意见|实施意见|工作方案|实施方案|行动方案|行动计划|管理办法|实施办法|实施细则|暂行办法|办法|规定|措施)$"),
    ("关于进一步优化产业发展环境促进经济发展的若干措施", "广州市加快打造数字经济创新引领型城市的若干措施"),
    ("各有关单位要结合实际,认真落实各项措施", "本措施自印发之日起施行。"))
"""A policy's title standing alone on a line, when the header gives none."""
PUBLISHED = Rule("published", re.compile(
    r"(?:发布日期|发布时间|发表于|发文日期|成文日期|印发日期|日期)[::]\s*(?P<date>\S+)(?P<rest>.*)$"),
    ("发布日期:2017-07-27      浏览次数:", "发表于:2017-06-30 关注  天河区科技工业和信息化局"), ("日期待定",))
"""A web page's publication line: the date and what follows it (the body that published it)."""
BREADCRUMB = Rule("breadcrumb", re.compile(r"当前位置[::]\s*(?P<site>[^>›»\s]+)"),
                  ("您当前位置: 广州市工信委 > 信息公开目录", "当前位置: 管理办法"), ("当前位置优越",))
"""A web page's breadcrumb: its first step names the site (the body that published it)."""
CO_HANDLING = Rule("co_handling", re.compile(
    r"(?:会同|组织|联合|与|协调)(?P<list>[^。;]*?)(?:等(?:会办|协办)?单位|负责办理|研究办理|共同办理|办理|等部门)"),
    ("会同市住房城乡建设局、市地方金融监管局、市供销总社和市规划和自然资源局负责办理", "我委与市科技创新委、市财政局、市国税局、市地税局等会办单位"),
    ("组织召开座谈会",))
"""The bodies a reply's lead handled the suggestion with (会同…负责办理, 与…等会办单位)."""
ALIAS_DEF = Rule("alias_def", re.compile(
    r"(?P<full>[\u4e00-\u9fff]{3,30})[(（](?:以下简称|下称|简称)[“\"](?P<short>[^”\"]{2,12})[”\"][)）]"),
    ("成立天河区产业发展领导小组(下称“领导小组”)",), ("(以下简称“基金”)",))
"""A name the document defines for itself: 全称(下称“简称”)."""
SUBUNITS = Rule("subunits", re.compile(r"(?P<parent>[\u4e00-\u9fff“”]{2,20}?)下设[^。:]*[::](?P<rest>[^。]*)"),
                ("领导小组下设三个办公室:产业研究办公室设在区发改局",), ("在区里下设办事处。",))
"""The offices a group sets up under itself, listed after a colon."""
SIGNED_LINE = Rule("signed_line", re.compile(r"^(?P<agency>[\u4e00-\u9fff]{4,40}?)[\s\u3000]+(?P<date>\S{8,16}日)$"),
                   ("广州市商务局  2021年7月5日",), ("广州市商务局", "2023年5月8日"))
"""A signature with its agency and date on one line."""
VALID_FROM = Rule("valid_from", re.compile(r"自(?P<date>[^起,。]{6,16}?)起(?:施行|实施|执行)"),
                  ("本措施自2017年7月1日起施行", "本办法自2019年1月1日起施行。"), ("本措施自印发之日起施行",))
VALID_FROM_ISSUE = Rule("valid_from_issue", re.compile(r"自(?:印发|发布|公布)之日起(?:施行|实施|执行)"),
                        ("本措施自印发之日起施行,有效期3年。",), ("本措施自2017年7月1日起施行",))
VALID_UNTIL = Rule("valid_until", re.compile(r"有效期至(?P<date>[^,。;)]{6,16})"),
                   ("起施行,有效期至2020年12月31日。",), ("有效期3年",))
VALID_YEARS = Rule("valid_years", re.compile(r"有效期(?:为)?(?P<n>\d+|[一二三四五六七八九十])年"),
                   ("本措施自印发之日起施行,有效期3年。", "有效期为五年"), ("有效期至2020年12月31日",))
"""A term of validity: from a date or from issue, until a date or for some years."""
ALIAS_MARK = Rule("alias_mark", re.compile(r"[(（](?:以下简称|下称|简称)[“\"]"),
                  ("(下称“领导小组”)", "(以下简称“基金”)"), ("(简称:基金)",))
_ALIAS_BEFORE, _ALIAS_AFTER = 30, 20
"""How far ``ALIAS_DEF`` reaches before its bracket (the full name) and after it (the short one)."""


def _alias_definitions(text: str):
    """Yield ``ALIAS_DEF.pattern.finditer(text)``'s matches, searching only around each (下称“ bracket:
    the pattern's leading run of characters would otherwise be tried at every position.

    >>> [m["short"] for m in _alias_definitions("成立天河区产业发展领导小组(下称“领导小组”),另设专班(简称“专班”)")]
    ['领导小组', '专班']
    """
    last = 0
    for mark in ALIAS_MARK.pattern.finditer(text):
        h = mark.start()
        if h < last:
            continue
        m = ALIAS_DEF.pattern.search(text, max(last, h - _ALIAS_BEFORE), h + _ALIAS_AFTER + 5)
        if m:
            last = m.end()
            yield m


SETTING_UP = Rule("setting_up", re.compile(r"^(?:成立|设立|组建|建立)"), ("成立天河区产业发展领导小组",), ("天河区产业发展领导小组",))
"""The verb before a defined name (成立…): no part of the name."""
SETS_UP = Rule("sets_up", re.compile("下设"), ("领导小组下设三个办公室",), ("设在区发改局",))
GROUP_PARENT = Rule("group_parent", re.compile(r"领导小组|委员会|联席会议"),
                    ("天河区产业发展领导小组", "市推进“放管服”改革联席会议"), ("区商务金融局",))
"""A body whose offices (下设…办公室) are its own: a group, committee or joint meeting."""
OFFICE = Rule("office", re.compile(r"(?:^|[;;,,、])([\u4e00-\u9fff]{2,12}?办公室)"),
              ("产业研究办公室设在区发改局", ";产业服务办公室设在区商务金融局"), ("设在区发改局",))


def local_aliases(text: str) -> dict[str, str]:
    """Aliases a document defines for itself.

    >>> local_aliases("成立天河区产业发展领导小组(下称“领导小组”),领导小组下设三个办公室:产业服务办公室设在区商务金融局")
    {'领导小组': '天河区产业发展领导小组', '产业服务办公室': '天河区产业发展领导小组产业服务办公室'}
    """
    out: dict[str, str] = {}
    if "称" not in text and "下设" not in text:
        return out
    for m in _alias_definitions(text) if "称" in text else ():
        full = SETTING_UP.pattern.sub("", m["full"])
        out[m["short"]] = full
    for k in (hit.start() for hit in SETS_UP.pattern.finditer(text)):
        m = SUBUNITS.pattern.search(text, max(0, k - 20), k + 400)
        if not m or m.start("parent") > k:
            continue
        parent = out.get(m["parent"].strip("“”"), m["parent"].strip("“”"))
        if not GROUP_PARENT.pattern.search(parent):
            continue
        for office in OFFICE.pattern.findall(m["rest"]):
            out.setdefault(office, parent + office)
    return out


def _lines(text: str) -> list[str]:
    return [ln.strip(" \t\u3000\xa0") for ln in text.split("\n")]


SENTENCE_MARKS = Rule("sentence_marks", re.compile(r"[,。;:!?《》]"), ("现答复如下:", "《条例》"), ("广州市商务局",))
"""Punctuation no signature line holds."""


def _is_agency_line(line: str, jurisdiction: str | None = None) -> tuple[str, bool] | None:
    """(canonical, registered) when the whole line names one body (a signature line), else None."""
    if not line or len(line) > 40 or SENTENCE_MARKS.pattern.search(line):
        return None
    got = agencies.resolve(line, jurisdiction)
    if got is None:
        refs = agencies.find_mentions(line, jurisdiction)
        if refs and refs[0].char_start == 0 and refs[-1].char_end == len(line):
            got = (refs[0].canonical, refs[0].is_registered)
    return got


def find_signature(text: str, jurisdiction: str | None = None) -> tuple[str | None, str | None]:
    """Return (issuer, date) of the document's own signature block: the first agency line (or run
    of agency lines, the first signing) directly above a date line, or an agency and date on one
    line. Attachments that follow with signatures of their own do not move it.

    >>> find_signature("现答复如下:……\\n成都市交通运输局\\n2023年5月8日\\n附件\\n四川省交通运输厅\\n2023年4月1日")
    ('成都市交通运输局', '2023-05-08')
    """
    lines = [ln for ln in _lines(text) if ln]
    for i, line in enumerate(lines):
        date = dates.date_line(lines[i + 1]) if i + 1 < len(lines) else None
        if not date:
            same = SIGNED_LINE.pattern.match(line)  # "广州市商务局  2021年7月5日" on one line
            if not same or not dates.date_line(same["date"]):
                continue
            line, date = same["agency"], dates.date_line(same["date"])
        got = _is_agency_line(line, jurisdiction)
        if not got:
            continue
        k = i
        while k > 0 and _is_agency_line(lines[k - 1], jurisdiction):
            k -= 1  # joint signatures: the first signer issues
        first = _is_agency_line(lines[k], jurisdiction) if k < i else got
        return first[0], date
    return None, None


DOC_NO = Rule("doc_no", re.compile(
    r"^(?P<no>[\u4e00-\u9fff]{1,12}[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*(?:第)?\d{1,5}\s*号)(?:\s+签发人[:].*)?$"),
    ("国办函〔2006〕70号", "穗府〔2020〕4号", "苏政办发〔2021〕12号", "马政发[2019]3号", "浙政发〔2020〕8号   签发人:王五"), ("第20222223号", "(穗天字〔2015〕2号)自本措施施行之日起"))
"""The 文号 as its own line in the header."""
MASTHEAD = Rule("masthead", re.compile(r"文件$"), ("广州市人民政府文件",), ("文件精神",))
"""A printed masthead (XX文件) above the 文号."""
HEAD_ADDRESSEE = Rule("head_addressee", re.compile(r"^[^。!?]{2,80}[:]$"),
                      ("各省、自治区、直辖市人民政府,国务院各部委、各直属机构:", "辽宁省人民政府:"), ("现答复如下:这是正文。",))
"""The addressee line of a 函 / 通知: it closes the header."""
KIND = Rule("kind", re.compile(
    r"(?P<kind>答复的函|复函|批复|通报|通知|决定|公告|通告|报告|请示|纪要|指导意见|实施意见|若干意见|意见|若干措施|措施|工作方案|实施方案|行动方案|方案|"
    r"行动计划|计划|规划|纲要|若干政策|政策|实施细则|细则|暂行办法|管理办法|实施办法|办法|规定|条例|规则|答复|函)$"),
    ("江苏省人民政府关于加强农村公路养护工作的意见", "关于第20222223号建议的答复", "国务院关于同意设立某示范区的批复"), ("现答复如下",))
"""What a document is by the last word of its title."""
OTHER_KINDS = ("答复的函", "复函", "批复", "通报", "决定", "公告", "通告", "报告", "请示", "纪要", "函", "答复")
REGULATION_KINDS = ("实施细则", "细则", "暂行办法", "管理办法", "实施办法", "办法", "规定", "条例", "规则")
ISSUED_PLAN = Rule("issued_plan", re.compile(
    r"《(?P<title>[^《》]{4,80})》(?:[^。《》]{0,40}?)(?:现)?(?:印发|转发)给你们|现将《(?P<title2>[^《》]{4,80})》(?:印发|转发)"),
    ("现将《广州市促进会展业发展的若干措施》印发给你们", "《农村公路养护试点工作方案》已经省人民政府同意,现印发给你们"),
    ("请认真贯彻执行《条例》",))
"""A 通知 that 印发s a plan: the plan's own title is the document's."""
ISSUING_TITLE = Rule("issuing_title", re.compile(r"关于(?:印发|转发)(?P<title>.+?)的通知$"),
                     ("云南省人民政府关于印发专项资金管理暂行办法的通知",), ("关于开展治理工作的通知",))
ARTICLE_LINE = Rule("article_line", re.compile(r"^第[一二三四五六七八九十百零〇]+条"), ("第一条 为了规范", "第三十二条"), ("第一批",))
NUMBERED_LINE = Rule("numbered_line", re.compile(r"^(?:[一二三四五六七八九十]+、|[(][一二三四五六七八九十]+[)])"),
                     ("一、总体要求", "(三)加强监管"), ("一是加强", "(1)制定"))
LEAD_CLOSE = Rule("lead_close", re.compile(r"[(][^()]{2,120}?(?:牵头|负责|指导)[^()]{0,60}[)][。]?$"),
                  ("对新引进企业给予奖励。(区投资促进局牵头)", "(省财政厅、省交通运输厅负责)"), ("(第20222223号)收悉",))
"""A measure closed by the bodies responsible for it: a policy's shape."""
TITLE_ISSUER = Rule("title_issuer", re.compile(r"^(?P<who>[^关对]{2,30}?)(?:关于|对)"),
                    ("国务院办公厅关于加强工作的意见", "广州市工业和信息化委对市政协提案的答复"), ("关于进一步优化产业发展环境的若干措施",))
"""The body a title names before 关于 / 对: the issuer when no signature is found."""
REPLY_TITLE = Rule("reply_title", re.compile(r"(?:建议|提案|议案)(?:的)?答复(?:的函)?$"),
                   ("关于广州市政协十三届一次会议第2009号委员提案的答复", "对十届全国人大四次会议第7240号建议的答复"),
                   ("关于第2009号提案答复情况的报告",))
TITLE_BREAK = Rule("title_break", re.compile(r"[。;:!?]"), ("现答复如下:", "感谢您的关心。"), ("关于加强农村公路养护工作的通知",))
"""A mark no title line holds."""
ATTACHMENT = Rule("attachment", re.compile(r"\n\s*附件\s*\d*\s*\n"),
                  ("此复。\n附件\n四川省交通运输厅", "\n附件2\n"), ("\n附件:重点任务分工表\n", "附件"))
"""The line that opens an attachment (附件, 附件2): what follows is no part of the reply."""
HEADER_DATES = (("成文日期", 0), ("印发日期", 1), ("发文日期", 1), ("发布日期", 2), ("发布时间", 2), ("发表于", 2), ("日期", 3))
RELAY = Rule("relay", re.compile(
    r"^(?P<who>[^。:;,《》]{2,60}?)(?:(?:研究)?提出(?:了)?(?:以下|如下|办理)?意见|意见[:])"
    r"|现将(?P<who2>[^。:;,《》]{2,40}?)的(?:有关)?(?:意见|报告)转(?:复|告|给|发)"),
    ("商务部会同海关总署、税务总局提出了办理意见:", "交通运输部意见:", "现将水利部及专家组的意见转告你市"),
    ("商务部《关于加快发展对外贸易的意见》和海关总署《…的请示》收悉",))
"""A 复函 relaying the handling opinions of the ministries it consulted (co_agencies)."""


PAGE_FIELD = Rule("page_field", re.compile(
    r"^(?P<label>索\s*引\s*号|主\s*题\s*分\s*类|主\s*题\s*词|发\s*文\s*机\s*关|发\s*文\s*单\s*位|成\s*文\s*日\s*期|印\s*发\s*日\s*期|"
    r"发\s*布\s*日\s*期|标\s*题|发\s*文\s*字\s*号|文\s*号)\s*[:]\s*(?P<value>.*)$"),
    ("标  题:国务院办公厅关于开展治理工作的通知", "发文字号:国办发〔2019〕3号", "发文机关:"), ("标题党", "文号为"))
"""A cell of a page's metadata table (发文机关, 成文日期, 标题, 发文字号 …); a flattened table puts
the value on the next line."""
_BLANKS = Rule("blanks", re.compile(r"\s+"), ("标  题",), ("标题",))


def page_fields(lines: list[str]) -> tuple[dict[str, str], set[int]]:
    """Return the page's metadata table as {label: value} and the line indices it takes.

    >>> page_fields(["发文机关:", "国务院", "成文日期:2019年01月09日", "标  题:某某的通知", "正文。"])
    ({'发文机关': '国务院', '成文日期': '2019年01月09日', '标题': '某某的通知'}, {0, 1, 2, 3})
    """
    fields: dict[str, str] = {}
    taken: set[int] = set()
    i = 0
    limit = min(len(lines), 40)
    while i < limit:
        m = PAGE_FIELD.pattern.match(lines[i])
        if not m:
            i += 1
            continue
        label, value = _BLANKS.pattern.sub("", m["label"]), m["value"].strip()
        taken.add(i)
        if not value and i + 1 < len(lines) and lines[i + 1] and not PAGE_FIELD.pattern.match(lines[i + 1]):
            value = lines[i + 1]
            taken.add(i + 1)
            i += 1
        if value:
            fields.setdefault(label, value)
        i += 1
    return fields, taken


def _is_chrome(line: str) -> bool:
    """Web-page furniture around a title: breadcrumbs, publication lines, font-size switches."""
    return bool(PUBLISHED.pattern.search(line) or BREADCRUMB.pattern.search(line) or line.startswith("字号") or "浏览次数" in line)


def _is_title_piece(line: str) -> bool:
    return (0 < len(line) <= 60 and not TITLE_BREAK.pattern.search(line) and not NUMBERED_LINE.pattern.match(line)
            and not DOC_NO.pattern.match(line) and not dates.date_line(line))


def header_title(lines: list[str], skip: set[int] | frozenset = frozenset()) -> tuple[str | None, str | None, int]:
    """Return (title, 文号, index of the first line after the header) from the document's head.

    The title is the run of short lines just above the 文号, the addressee line or the body, joined
    (titles are broken over two or three lines); web-page furniture between them is skipped.

    >>> header_title(["江苏省人民政府办公厅关于加强", "农村公路养护工作的通知", "苏政办发〔2021〕12号", "各市、县(市、区)人民政府:", "为……。"])
    ('江苏省人民政府办公厅关于加强农村公路养护工作的通知', '苏政办发〔2021〕12号', 4)
    """
    doc_no = None
    anchor = None
    for i, line in enumerate(lines[:40]):
        if not line or i in skip:
            continue
        if DOC_NO.pattern.match(line):
            doc_no, anchor = DOC_NO.pattern.match(line)["no"], i
            break
        if ADDRESSEE.pattern.match(line) or HEAD_ADDRESSEE.pattern.match(line) and not _is_chrome(line):
            anchor = i
            break
        if "。" in line or len(line) > 80:
            anchor = i
            break
    if anchor is None:
        return None, doc_no, 0
    runs: list[list[str]] = [[]]
    for i, line in enumerate(lines[:anchor]):
        if not line or i in skip or _is_chrome(line) or not _is_title_piece(line):
            runs.append([])
        else:
            runs[-1].append(line)
    run = next((r for r in reversed(runs) if r), [])
    if doc_no and (not run or MASTHEAD.pattern.search(run[-1])):
        # A printed masthead (XX文件) above the 文号: the title follows the 文号.
        run = []
        for line in lines[anchor + 1:anchor + 6]:
            if not line or not _is_title_piece(line) or HEAD_ADDRESSEE.pattern.match(line):
                break
            run.append(line)
        if run:
            anchor += len(run)
    title = "".join(run) if run else None
    after = anchor + 1
    if doc_no:
        for j in range(anchor + 1, min(anchor + 3, len(lines))):
            if lines[j]:
                after = j + 1 if HEAD_ADDRESSEE.pattern.match(lines[j]) or ADDRESSEE.pattern.match(lines[j]) else j
                break
    elif not (ADDRESSEE.pattern.match(lines[anchor]) or HEAD_ADDRESSEE.pattern.match(lines[anchor])):
        after = anchor
    return title, doc_no, after


def _kind(title: str | None) -> str | None:
    m = KIND.pattern.search(title or "")
    return m["kind"] if m else None


def _header_date(lines: list[str], fields: dict[str, str]) -> tuple[str | None, str | None]:
    """The best date of a page's header (成文日期 before 印发日期 before 发布日期) and the body named beside it."""
    best = None
    for label, rank in HEADER_DATES:
        got = dates.parse_date(fields.get(label, ""))
        if got and (best is None or rank < best[0]):
            best = (rank, got, None)
    for line in lines[:30]:
        for label, rank in HEADER_DATES:
            k = line.find(label)
            if k < 0 or not line[k + len(label):k + len(label) + 1] in (":", ""):
                continue
            pm = PUBLISHED.pattern.search(line[k:])
            if not pm:
                continue
            got = dates.parse_date(pm["date"]) or dates.parse_date(line[k:])
            if got and (best is None or rank < best[0]):
                refs = agencies.find_mentions(pm["rest"].strip())
                best = (rank, got, refs[-1].canonical if refs else None)
            break
    return (best[1], best[2]) if best else (None, None)


def relayed_agencies(text: str, paras: list[Paragraph], jurisdiction: str | None, issuer: str | None) -> list[str]:
    """The bodies whose handling opinions a 复函 relays, in order of mention (generic 有关部门 left out).

    >>> relayed_agencies("一、关于港口建设问题。\\n交通运输部会同发展改革委研究提出了意见。\\n有关部门提出了以下意见:", [], "全国", "国务院办公厅")
    ['交通运输部', '国家发展和改革委员会']
    """
    out: list[str] = []
    end = len(text)
    sig = ATTACHMENT.pattern.search(text)
    if sig:
        end = sig.start()  # attachments' own reports are not the reply's consultations
    for line in text[:end].split("\n"):
        m = RELAY.pattern.search(line.strip(" \u3000\xa0"))
        if not m:
            continue
        who = m["who"] or m["who2"]
        for ref in agencies.find_mentions(who, jurisdiction, issuer):
            if ref.canonical != issuer and ref.canonical not in out and (ref.is_registered or agencies.STRUCTURED.pattern.fullmatch(ref.canonical)):
                out.append(ref.canonical)
    return out


PROPOSER = Rule("proposer", re.compile(r"代表|委员|提案"), ("王泽新等代表:", "第2009号委员提案"), ("现答复如下",))
"""Who a reply answers: a deputy (代表), a member (委员) or a proposal (提案)."""
CPPCC_PROPOSAL = Rule("cppcc_proposal", re.compile(r"提案"), ("第2009号委员提案的答复",), ("第35号建议",))
NPC_SUGGESTION = Rule("npc_suggestion", re.compile(r"人大代表|代表建议|号建议"),
                      ("市十五届人大代表", "对十届全国人大四次会议第7240号建议的答复"), ("第2009号委员提案",))
"""A reply to a people's congress deputy's suggestion (建议), not to a CPPCC proposal (提案)."""
AS_WELL_AS = Rule("as_well_as", re.compile(r"以及"), ("财政局、商务局以及海珠区政府",), ("及时",))
"""以及 in a list of co-handling bodies: read as a list separator."""


def extract_metadata(text: str, paras: list[Paragraph]) -> tuple[DocMeta, dict[str, str]]:
    """Read the metadata of one document."""
    head = text[:3000]
    lines = _lines(text)
    addressee = None
    role = None
    for line in [ln for ln in lines if ln][:12]:
        m = ADDRESSEE.pattern.match(line)
        if m:
            addressee, role = m["name"], m["role"]
            break
    fields, field_lines = page_fields(lines)
    title, doc_no, body_at = header_title(lines, field_lines)
    if title is None and fields.get("标题"):
        title = fields["标题"]
    written_no = fields.get("发文字号") or fields.get("文号")
    if doc_no is None and written_no and DOC_NO.pattern.match(written_no):
        doc_no = DOC_NO.pattern.match(written_no)["no"]
    kind = _kind(title)
    is_reply = bool(addressee) or bool(
        title and REPLY_TITLE.pattern.search(title)) or (
        kind is None and bool(REPLY_MARKERS.pattern.search(head[:1500]) and PROPOSER.pattern.search(head[:1500])))
    proposal_no = None
    m = PROPOSAL_NO.pattern.search(head)
    if m and is_reply:
        proposal_no = m["no"]

    # A 通知 that 印发s a plan takes the plan's own title.
    body_head = "\n".join(ln for ln in lines[body_at:body_at + 4] if ln)
    plan = ISSUED_PLAN.pattern.search(body_head)
    if plan and (kind in (None, "通知")):
        title = plan["title"] or plan["title2"]
        kind = _kind(title)
    elif title and ISSUING_TITLE.pattern.search(title):
        title = ISSUING_TITLE.pattern.search(title)["title"].strip("《》")
        kind = _kind(title)

    if title is None and not is_reply:
        for line in lines[:40]:
            if line and "当前位置" not in line and len(line) <= 80 and POLICY_TITLE.pattern.match(line) and "《" not in line:
                title = line
                kind = _kind(title)
                break
    numbered = sum(1 for ln in lines[body_at:] if NUMBERED_LINE.pattern.match(ln))
    lead_closed = sum(1 for ln in lines[body_at:] if LEAD_CLOSE.pattern.search(ln))
    articles = sum(1 for ln in lines if ARTICLE_LINE.pattern.match(ln))
    if is_reply:
        if role == "委员" or CPPCC_PROPOSAL.pattern.search(head[:1500]) and role != "代表":
            doc_type = "cppcc_proposal_reply"
            kind_word = "提案"
        elif role == "代表" or NPC_SUGGESTION.pattern.search(head[:1500]):
            doc_type = "npc_suggestion_reply"
            kind_word = "建议"
        else:
            doc_type, kind_word = "other", "来信"
        if title is None and proposal_no:
            title = f"关于第{proposal_no}号{kind_word}的答复"
    elif kind in OTHER_KINDS:
        doc_type = "other"
    elif kind in REGULATION_KINDS:
        # A regulation in articles sets rules, not measures with accountable bodies.
        doc_type = "other" if articles >= 3 else "policy_measures"
    elif kind == "通知":
        # A notice that sets out numbered measures is a policy; one that only informs is not.
        doc_type = "policy_measures" if numbered >= 3 or lead_closed >= 2 else "other"
    elif kind is not None:
        doc_type = "policy_measures"
    elif lead_closed >= 2:
        doc_type = "policy_measures"  # numbered measures each closed by its responsible bodies
    elif doc_no and "函" in doc_no:
        doc_type = "other"
    else:
        doc_type = "other"
    if title is None:
        title = next((ln for ln in lines if ln and "当前位置" not in ln and not _is_chrome(ln) and len(ln) <= 60), None)

    # Issuer and issue date: the signature block, else the header's dates and the title's issuer.
    issuer, issue_date = find_signature(text)
    header_date, published_by = _header_date(lines, fields)
    if issue_date is None:
        issue_date = header_date
    if issuer is None and title:
        lead = TITLE_ISSUER.pattern.match(title)
        got = _is_agency_line(lead["who"]) if lead else None
        issuer = got[0] if got else None
    if issuer is None and (fields.get("发文机关") or fields.get("发文单位")):
        got = _is_agency_line(fields.get("发文机关") or fields["发文单位"])
        issuer = got[0] if got else None
    if issuer is None:
        issuer = published_by
    if issuer is None:
        for line in lines[:10]:
            bm = BREADCRUMB.pattern.search(line)
            if bm:
                got = agencies.resolve(bm["site"])
                issuer = got[0] if got else None
    if issuer is None:
        masthead = next((ln for ln in lines[:3] if ln), "")
        got = _is_agency_line(MASTHEAD.pattern.sub("", masthead)) if masthead else None
        issuer = got[0] if got else None  # a reply printed under its bureau's name, signed by a date only
    if issue_date is None:
        foot = [ln for ln in lines if ln][-6:]
        issue_date = next((dates.date_line(ln) for ln in reversed(foot) if dates.date_line(ln)), None)
    jurisdiction = agencies.jurisdiction_of(issuer)
    aliases = local_aliases(text)

    co: list[str] = []
    if not is_reply and kind in ("函", "复函", "答复的函"):
        co = relayed_agencies(text, paras, jurisdiction, issuer)
    if is_reply:
        for p in paras[:12]:
            cm = CO_HANDLING.pattern.search(p.text)
            if not cm:
                continue
            group = AS_WELL_AS.pattern.sub("、", cm["list"])
            for _, canonical, _reg in agencies.parse_agency_list(group, jurisdiction, issuer, aliases):
                if canonical != issuer and canonical not in co and agencies.resolve(canonical) is not None:
                    co.append(canonical)
            if co:
                break

    valid_from = valid_until = None
    tail = text[-3000:]
    if VALID_FROM_ISSUE.pattern.search(tail):
        valid_from = issue_date
    else:
        vm = VALID_FROM.pattern.search(tail)
        if vm:
            valid_from = dates.parse_date(vm["date"])
    um = VALID_UNTIL.pattern.search(tail)
    if um:
        valid_until = dates.parse_date(um["date"])
    else:
        ym = VALID_YEARS.pattern.search(tail)
        start = valid_from or issue_date
        if ym and start:
            n = ym["n"]
            valid_until = dates.add_years(start, int(n) if n.isdigit() else int("一二三四五六七八九十".index(n) + 1))
            valid_from = valid_from or start

    meta = DocMeta(doc_type, title, issuer, jurisdiction, issue_date, proposal_no, addressee,
                   tuple(co), valid_from, valid_until, doc_no)
    return meta, aliases
