"""Find commitments: the items of 下一步 passages in replies, and each numbered measure of a
policy (split into one commitment per clause group closed by ``(…牵头)``), with their lead
agencies and deadlines.

In: text, paragraphs, outline, metadata and the document's aliases. Out: ``Commitment``s.
"""

from __future__ import annotations

import re

from etl import agencies, dates
from etl.model import Commitment, DocMeta, Section
from etl.segment import Paragraph, Rule, item_label, label_at
from etl.spans import containing

NEXT_STEP = Rule("next_step", re.compile(r"下一步|下步|下阶段|接下来|今后(?:一个时期)?(?:工作)?"),
                 ("下一步,我市将", "下一步工作计划", "下步工作"), ("一步一个脚印",))
NEXT_STEP_HEADING = Rule("next_step_heading", re.compile(
    r"下一步|下步|下阶段|今后工作|工作计划|工作打算|工作思路|拟采取的?(?:措施|工作)|(?:工作|推进)举措"),
    ("二、下步工作计划", "三、下一步工作打算", "二、拟采取的措施"), ("一、基本情况",))
"""A heading that announces next steps: its items (or paragraphs) are the commitments."""
CLOSING = Rule("closing", re.compile(
    r"^(?:非常)?感谢|^此复|^特此|^专此|^欢迎|^联系人|^[((]联系人|^附件|^本(?:措施|办法|意见|方案|规定|细则|通知|政策)"),
    ("感谢您对我市工作的关心和支持。", "此复。", "本措施自印发之日起施行"), ("下一步,我局将",))
"""A paragraph that closes a reply or policy: no commitment runs past it."""

_PAREN_BODY = r"(?:[^()\n]|\([^()\n]{0,20}\))"
ROLE_WORDS = r"牵头|负责|配合|参与|协助|指导|落实"
LEAD_GROUP = Rule("lead_group", re.compile(
    r"\((?P<body>(?:责任单位|牵头单位|责任部门|负责部门|牵头部门|主责单位)[:]" + _PAREN_BODY + r"{2,200}"
    r"|" + _PAREN_BODY + r"{2,200}?(?:" + ROLE_WORDS + r")" + _PAREN_BODY + r"{0,120}?)\)"),
    ("(市科技局、地方金融监管局牵头)", "(责任单位:市商务局、市财政局)", "(市商务局牵头,市财政局、市税务局配合)",
     "(负责部门:交通运输部、公安部;适用范围:各试点城市)", "(教育部、财政部等负责。列在第一位的为牵头部门,下同)",
     "(水利部牵头,财政部参与)", "(交通运输部、公安部指导)", "(各省(区、市)人民政府负责)"),
    ("(琶洲核心区)", "(第五代移动通信技术)", "(以下简称“基金”)"))
"""A responsibility parenthesis closing a task: it names who leads (牵头, 负责, 指导, 责任单位:…)."""
LEAD_LINE = Rule("lead_line", re.compile(
    r"(?P<body>(?:责任单位|牵头单位|责任部门|牵头部门)[::][^()()。\n]{2,120})[。]?(?=\n|$)"),
    ("推进数据共享。\n责任单位:市政务服务数据管理局、各区政府",), ("明确责任单位的职责。",))
"""A lead group written as its own line, without parentheses, at the end of a measure."""
INLINE_LEAD = Rule("inline_lead", re.compile(r"由(?P<lead>[^,,。;;]{2,40}?)(?:会同(?P<with>[^,,。;;]{2,40}?))?(?:牵头|负责)"),
                   ("由产业服务办公室会同区科工信局牵头建设",), ("由区长任组长",))
FIRST_LEADS = Rule("first_leads", re.compile(
    r"(?:排在|排名|列|列在|位列)?第一(?:位|个|名)?(?:的|者)?(?:单位|部门)?为牵头(?:单位|部门)"),
    ("列在第一位的为牵头部门,下同", "排在第一位的为牵头单位", "第一个为牵头单位"), ("第一批牵头单位",))
"""The document's convention that the first body of a list leads (the others are responsible)."""
STANDING_LEAD = Rule("standing_lead", re.compile(
    r"以下(?:均|各项|任务)?(?:需|由|须|要)?(?P<who>[^,;。()]{2,20}?)(?:负责)?落实[,;]?不再(?:一一)?列出[。]?"),
    ("以下均需各区政府落实,不再列出",), ("以下工作要在2019年底前完成",))
"""A body that implements every task from here on, said once (以下均需X落实,不再列出)."""
SUBJECT = Rule("subject", re.compile(
    r"^(?:(?:下一步|下步)[,:]?)?(?:(?:同时|此外|另外|其次|最后|今后)[,]?)?(?P<subj>[\u4e00-\u9fff]{1,16}?)(?:将|要|拟|计划)"),
    ("下一步,市工信委将加大支持", "联盟将着重推进"), ("加大支持力度",))
"""The explicit subject a next-step item opens with (市工信委将… / 联盟将…)."""
NON_AGENCY_SUBJECT = Rule("non_agency_subject", re.compile(r"(?:联盟|协会|商会|学会|企业|公司|银行|机构|高校|院校|园区)$"),
                               ("产业联盟", "行业协会"), ("市商务局",))
SELF = ("我市", "我局", "我委", "我们", "我区", "我办", "本局", "本委")


BLANKS = " \t\u3000\xa0\n"


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\u3000\xa0\n":
        s += 1
    while e > s and text[e - 1] in " \t\u3000\xa0\n":
        e -= 1
    return s, e


def _section_end(s: Section) -> int:
    return max(s.char_end, s.char_start + 1)


def _section_path(sections: list[Section], pos: int) -> str:
    chain = containing(sections, pos, _section_end)  # by bisection: linear in a long text
    return " > ".join(f"{s.label}{'、' if s.label_style == 'cn_dun' else ''}{s.heading[:20]}" for s in chain)


def _item_extent(text: str, paras: list[Paragraph], idx: int) -> int:
    """End of the item that starts paragraph ``idx``: its paragraph and the unlabelled
    paragraphs after it, up to the next label, next-step passage, closing formula or signature."""
    end = paras[idx].end
    for p in paras[idx + 1:]:
        if (label_at(text, p.start) is not None or CLOSING.pattern.search(p.text) or NEXT_STEP.pattern.match(p.text)
                or INLINE_ITEM.pattern.match(p.text)):
            break
        if LEAD_LINE.pattern.match(p.text):
            end = p.end  # "责任单位:…" closes the item
            break
        if "。" not in p.text and len(p.text) < 30:
            break  # a heading, signature or date line
        end = p.end
    return end


def _resolve_subject(body: str, meta: DocMeta, aliases: dict[str, str]) -> tuple[str, ...] | None:
    """Leads from an explicit subject (市工信委将… / 联盟将…), or None when there is none."""
    m = SUBJECT.pattern.match(body)
    if not m:
        return None
    subj = m["subj"]
    if subj in SELF or any(subj.endswith(s) for s in SELF):
        return (meta.issuer,) if meta.issuer else ()
    got = agencies.resolve(subj, meta.jurisdiction, meta.issuer, aliases)
    if got:
        return (got[0],)
    refs = agencies.find_mentions(subj, meta.jurisdiction, meta.issuer, aliases)
    if refs and refs[0].char_start == 0:
        return (refs[0].canonical,)
    if NON_AGENCY_SUBJECT.pattern.search(subj):
        return ()
    return None


def _deadline(body: str, meta: DocMeta, is_policy: bool) -> tuple[str | None, str, str | None]:
    issue_year = int(meta.issue_date[:4]) if meta.issue_date else None
    found = dates.find_deadline(body, issue_year)
    if found:
        return found[0], "explicit", found[1]
    if not is_policy and issue_year and dates.REPLY_YEAR.pattern.search(body):
        return f"{issue_year}-12-31", "reply_year", dates.REPLY_YEAR.pattern.search(body).group()
    if is_policy and meta.valid_until:
        return meta.valid_until, "validity", None
    return None, "none", None


def _reply_commitments(text: str, paras: list[Paragraph], sections: list[Section], meta: DocMeta,
                       aliases: dict[str, str]) -> list[Commitment]:
    items: list[tuple[str | None, int, int]] = []  # (label, start, end)
    used: set[int] = set()
    # A heading that announces next steps: its child items are the commitments.
    para_at = {p.start: p for p in paras}
    para_no: dict[int, int] = {}  # paragraph start -> its first index (a scan per child costs the square)
    for i, p in enumerate(paras):
        para_no.setdefault(p.start, i)
    for sec in sections:
        own = para_at.get(sec.char_start)
        if sec.level > 2 or not NEXT_STEP_HEADING.pattern.search(sec.heading) or own is None or "。" in own.text or len(own.text) > 40:
            continue  # not a heading line that announces next steps
        children = [s for s in sections if sec.char_start < s.char_start < sec.char_end and s.level > sec.level]
        if not children:
            # No numbered items: each paragraph of the passage is one commitment.
            for idx, p in enumerate(paras):
                if sec.char_start < p.start < sec.char_end and idx not in used:
                    if CLOSING.pattern.search(p.text) or "。" not in p.text and len(p.text) < 20:
                        break
                    items.append((None, p.start, p.end))
                    used.add(idx)
            used.update(i for i, p in enumerate(paras) if sec.char_start <= p.start < sec.char_end)
            continue
        top = min(c.level for c in children)
        for child in (c for c in children if c.level == top):
            idx = para_no[child.char_start]
            if CLOSING.pattern.search(paras[idx].text):
                continue
            items.append((child.label, child.char_start, _item_extent(text, paras, idx)))
            used.add(idx)
        used.update(i for i, p in enumerate(paras) if sec.char_start <= p.start < sec.char_end)
    # Paragraphs that open with (or contain) 下一步.
    for i, p in enumerate(paras):
        if i in used:
            continue
        m = NEXT_STEP.pattern.search(p.text)
        own = label_at(text, p.start)
        if m and own is not None and m.start() == own[2] - p.start:
            # "(三)下一步,我们将…": a numbered item that is itself a next step.
            items.append((item_label(own[1], own[0]), p.start, _item_extent(text, paras, i)))
            used.add(i)
            continue
        if not m or (m.start() > 0 and p.text[m.start() - 1] not in "。;;!"):
            continue
        if own is not None and m.start() > 0:
            continue
        if p.text.rstrip().endswith((":", ":")):
            # "下一步,…重点抓好以下几个方面的工作:" then numbered (or 一是/二是) items.
            j = i + 1
            style = None
            while j < len(paras):
                got = label_at(text, paras[j].start)
                shi = INLINE_ITEM.pattern.match(paras[j].text)
                if got is None and shi:
                    got = ("cn_shi", shi["n"] + "是", paras[j].start + shi.end())
                if got is None or (style and got[0] != style) or CLOSING.pattern.search(paras[j].text):
                    break
                style = got[0]
                items.append((item_label(got[1], got[0]), paras[j].start, _item_extent(text, paras, j)))
                used.add(j)
                j += 1
            used.add(i)
            if j > i + 1:
                continue
        items.append((None, p.start + m.start(), p.end))
        used.add(i)
    items.sort(key=lambda x: x[1])
    items = [part for item in items for part in split_inline_items(text, *item)]
    out = []
    for label, s, e in items:
        s, e = _strip(text, s, e)
        body = text[s:e]
        body_after_label = body
        got = label_at(text, s)
        if got:
            body_after_label = text[got[2]:e]
        leads = _resolve_subject(body_after_label, meta, aliases)
        head = ITEM_HEADING.pattern.match(body_after_label)
        if leads is None and head:  # (二)加快设施建设。市城管局将… : the subject follows the item's heading
            leads = _resolve_subject(body_after_label[head.end():], meta, aliases)
        if leads is None:
            leads = (meta.issuer,) if meta.issuer else ()
        deadline, basis, written = _deadline(body, meta, is_policy=False)
        out.append(Commitment(label, 1, s, e, body, tuple(leads), (), deadline, basis, written,
                              _section_path(sections, s)))
    return out


ITEM_HEADING = Rule("item_heading", re.compile(r"[^,;:。\n]{2,18}。"), ("加快设施建设。市城管局将",), ("市城管局将会同各区,推进",))
"""The short heading phrase an item opens with, before its first full sentence."""
INLINE_ITEM = Rule("inline_item", re.compile(r"(?:^|(?<=[;;。:,,]))\s*(?P<n>[一二三四五六七八九十]{1,2})是(?!否)(?=[\u4e00-\u9fff“])"),
                   ("下步,我局将做好以下工作:一是出台政策;二是设立基金。",), ("一是否",))


INLINE_LABEL = Rule("inline_label", re.compile(
    r"(?<=[;。:,])\s*\((?P<n>[一二三四五六七八九十]{1,2}|\d{1,2})\)"),
    ("下一步,我委将从以下几个方面推进:(一)健全机制;(二)加强宣传。",), ("加强(一)线管理",))
"""Numbered items written inside one paragraph after a colon or semicolon: …推进:(一)…;(二)…"""


def split_inline_items(text: str, label: str | None, s: int, e: int) -> list[tuple[str | None, int, int]]:
    """Split an unnumbered next-step paragraph that enumerates 一是…;二是… into its items.

    >>> t = "下步,我局将做好以下工作:一是出台政策;二是设立基金。"
    >>> [t[a:b] for _, a, b in split_inline_items(t, None, 0, len(t))]
    ['一是出台政策;', '二是设立基金。']
    """
    if label is not None:
        return [(label, s, e)]
    for rule, first in ((INLINE_ITEM, ("一", "二")), (INLINE_LABEL, ("一", "二"))):
        marks = list(rule.pattern.finditer(text, s, e))
        numbers = [m["n"] for m in marks]
        if len(marks) >= 2 and tuple(numbers[:2]) in (first, ("1", "2")):
            break
    else:
        return [(label, s, e)]
    out = []
    for k, m in enumerate(marks):
        start = m.start("n") if rule is INLINE_ITEM else m.end() - len(m.group().lstrip())
        nxt = marks[k + 1] if k + 1 < len(marks) else None
        end = e if nxt is None else (nxt.start("n") if rule is INLINE_ITEM else nxt.end() - len(nxt.group().lstrip()))
        out.append((m["n"] + "是" if rule is INLINE_ITEM else f"({m['n']})", start, end))
    return out


GENERIC_BODY = Rule("generic_body", re.compile(
    r"^(?:各)?(?:有关|相关|其他|其它)(?:部门|单位|方面|机构)(?:和单位)?$|^各(?:部门|单位)$|^(?:有关|相关)(?:地区|地方)$"),
    ("有关部门", "各有关部门", "相关单位"), ("市财政局", "各地区、各部门"))
"""Unnamed bodies (有关部门): accountable to nobody in particular, so never a lead."""
NON_AGENCY = Rule("non_agency", re.compile(
    r"(?:医院|机构|企业|公司|(?<!人民)银行|高校|院校|大学|学校|协会|商会|学会|联盟|园区|集团|社会组织|基金|单位)$"),
    ("各公立医院", "金融机构", "产业投资基金"), ("市财政局", "国家卫生健康委员会"))
"""Actors the texts name that are not government bodies: never leads."""
ROLE_LABEL = Rule("role_label", re.compile(
    r"^(?P<label>责任单位|牵头单位|责任部门|负责部门|牵头部门|主责单位|配合单位|配合部门|协办单位|参与单位)[:](?P<names>.*)$"),
    ("牵头单位:市商务局", "负责部门:交通运输部、公安部"), ("市商务局牵头",))
"""A clause of a responsibility parenthesis that labels its bodies (牵头单位:…, 配合单位:…)."""
ROLE_TAIL = Rule("role_tail", re.compile(
    r"^(?P<names>.+?)(?P<role>牵头负责|牵头|按职责分工负责|分工负责|负责落实|负责|指导|落实|配合|参与|协助)$"),
    ("市商务局牵头", "财政部、民政部参与", "交通运输部、公安部指导"), ("牵头单位:市商务局",))
"""A clause of a responsibility parenthesis that ends with the bodies' role."""
SKIP_CLAUSE = Rule("skip_clause", re.compile(
    r"^(?:适用范围|实施范围|适用对象)|^以下(?:均|各项)|下同|不再(?:一一)?列出|牵头单位$|牵头部门$"),
    ("适用范围:各试点城市", "列在第一位的为牵头部门,下同"), ("市商务局牵头",))
"""Clauses of a responsibility parenthesis that name no accountable body (scope, conventions)."""
_CLAUSE_SPLIT = Rule("clause_split", re.compile(r"[,;。]"), (",", "。"), ("、",))
"""A clause break of a responsibility parenthesis (tried one character at a time)."""
_NON_WORD = Rule("non_word", re.compile(r"[\W_]"), ("。", " ", "_"), ("市", "5"))
_AFTER_STOP = Rule("after_full_stop", re.compile(r"(?<=。)"), ("各区政府负责。市财政局配合",), ("各区政府负责",))
"""The place right after a full stop: a measure split into its sentences."""
_HIDDEN = Rule("hidden", re.compile("[\ue000-\ue0ff]"), ("各省\ue000人民政府",), ("各省(区、市)人民政府",))
"""A nested parenthesis hidden while a list is split (a private-use character stands for it)."""
_NESTED = Rule("nested", re.compile(r"\([^()]*\)"), ("各省(区、市)人民政府",), ("各省人民政府",))
TRAILING_ETC = Rule("trailing_etc", re.compile(r"等(?:有关|相关)?(?:部门|单位|方面)?(?=和|及|与|、|,|$)"),
                    ("商务部等", "财政部等有关部门"), ("等级",))
_WITH = Rule("with", re.compile(r"会同|联合|协同"), ("市商务局会同市财政局", "联合有关部门"), ("同步",))
"""Where a list of leads turns into the bodies that help them (A会同B)."""
GOVERNMENT = Rule("government", re.compile(r"(?:人民政府|政府|办公厅|办公室|^国务院)$"),
                  ("广州市人民政府", "国务院办公厅", "国务院"), ("广州市商务局",))
"""Issuers that assign their measures to others rather than carry them out."""


def _depth0_split(body: str) -> list[str]:
    """Split a parenthesis' body into clauses at , ; 。 outside nested parentheses."""
    out, depth, cur = [], 0, []
    is_break = _CLAUSE_SPLIT.pattern.fullmatch  # bound once: tried at every character
    for ch in body:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if depth == 0 and is_break(ch):
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [c.strip() for c in out if c.strip()]


def agency_list(names: str, meta: DocMeta, aliases: dict[str, str]) -> list[tuple[str, str, bool]]:
    """Parse a list of bodies (``A、B和C等``), keeping nested parentheses whole and dropping
    unnamed ones (有关部门) and non-government actors.

    >>> meta = DocMeta("policy_measures", None, "广州市人民政府", "广州市", None, None, None, (), None, None)
    >>> [c for _, c, _ in agency_list("市商务局、市财政局等有关部门", meta, {})]
    ['广州市商务局', '广州市财政局']
    """
    names = TRAILING_ETC.pattern.sub("", names.strip())
    nested: list[str] = []

    def hide(m: re.Match) -> str:
        nested.append(m.group())
        return chr(0xE000 + len(nested) - 1)

    def show(t: str) -> str:
        return _HIDDEN.pattern.sub(lambda m: nested[ord(m.group()) - 0xE000], t)

    out = []
    for written, canonical, registered in agencies.parse_agency_list(_NESTED.pattern.sub(hide, names), meta.jurisdiction,
                                                                     meta.issuer, aliases):
        if nested and show(written) != written:
            written = show(written)
            canonical, registered = agencies.resolve(written, meta.jurisdiction, meta.issuer, aliases) or (written, False)
        if not written or GENERIC_BODY.pattern.search(written) or GENERIC_BODY.pattern.search(canonical):
            continue
        if not registered and NON_AGENCY.pattern.search(canonical):
            continue
        out.append((written, canonical, registered))
    return out


def parse_lead_group(body: str, meta: DocMeta, aliases: dict[str, str], first_leads: bool
                     ) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str, bool]]]:
    """Split a responsibility parenthesis into (leads, supporters), each (written, canonical, registered).

    ``牵头`` names the leads; a plain list (``A、B负责``, ``A、B指导``, ``负责部门:A、B``) makes every
    body listed a lead, or only the first where the document says the first listed leads;
    ``配合`` / ``参与`` / ``协助`` bodies and ``会同`` partners support.

    >>> meta = DocMeta("policy_measures", None, "广州市人民政府", "广州市", None, None, None, (), None, None)
    >>> leads, sup = parse_lead_group("市商务局牵头,市财政局、市税务局配合", meta, {}, False)
    >>> [c for _, c, _ in leads], [c for _, c, _ in sup]
    (['广州市商务局'], ['广州市财政局', '国家税务总局广州市税务局'])
    >>> [c for _, c, _ in parse_lead_group("牵头单位:市商务局,配合单位:市财政局", meta, {}, False)[0]]
    ['广州市商务局']
    """
    strong, listed, support = [], [], []
    for clause in _depth0_split(body.strip()):
        if SKIP_CLAUSE.pattern.search(clause):
            continue
        m = ROLE_LABEL.pattern.match(clause)
        if m:
            role = "配合" if m["label"].startswith(("配合", "协办", "参与")) else (
                "牵头" if m["label"].startswith("牵头") else "负责")
            names = m["names"]
        else:
            m = ROLE_TAIL.pattern.match(clause)
            if not m:
                continue
            role, names = m["role"], m["names"]
        partners = ""
        w = _WITH.pattern.search(names)
        if w:
            names, partners = names[:w.start()], names[w.end():]
        parsed = agency_list(names, meta, aliases)
        if role in ("配合", "参与", "协助"):
            support += parsed
        elif role.startswith("牵头"):
            strong += parsed
        else:
            listed += parsed
        if partners:
            support += agency_list(partners, meta, aliases)
    if strong:
        return strong, listed + support
    if first_leads and len(listed) > 1:
        return listed[:1], listed[1:] + support
    return listed, support


CLAUSE_HEAD = Rule("clause_head", re.compile(r"(?:^|(?<=[。;:,\n]))\s*(?:请|由|并由)?"),
                   ("请财政部落实", "。省卫生健康委于2024年6月底前完成"), ())
"""Where a clause begins: a body named there (after an optional 请 / 由) is the one it assigns work to."""
CHAIN_JOINER = Rule("chain_joiner", re.compile(r"[、和及与]|等(?:有关|相关)?(?:部门|单位)?[、和及与]?"),
                    ("、", "和", "等有关部门和"), ("要会同",))
"""What joins the bodies of one list at a clause head (X、Y和Z要…), matched whole."""
NOT_SUBJECT_AFTER = Rule("not_subject_after", re.compile(
    r"^(?:的|之|所|下属|系统|领域|网站|平台|指标|评价|满意度|提出|印发|出台的|备案)"), ("的满意度调查平台", "印发的"), ("要会同",))
"""A body named at a clause head but as a modifier (教育部的…, 省教育厅考核平台)."""


def assigned_leads(body: str, meta: DocMeta, aliases: dict[str, str]) -> tuple[str, ...]:
    """Leads of a measure with no responsibility parenthesis: the government bodies named at the
    head of its clauses (X要…, X于…完成, 请X…, 由X负责, X、Y和Z要…), in order of mention.

    >>> meta = DocMeta("policy_measures", None, "广州市人民政府", "广州市", None, None, None, (), None, None)
    >>> assigned_leads("市财政局要会同有关部门加强监管。鼓励企业参与。对市商务局加强督导。", meta, {})
    ('广州市财政局',)
    """
    refs = [r for r in agencies.find_mentions(body, meta.jurisdiction, meta.issuer, aliases)
            if not GENERIC_BODY.pattern.search(r.written_as) and not GENERIC_BODY.pattern.search(r.canonical)
            and (r.is_registered or not NON_AGENCY.pattern.search(r.canonical))]
    heads = {m.end() for m in CLAUSE_HEAD.pattern.finditer(body)}
    leads: list[str] = []
    k = 0
    while k < len(refs):
        if refs[k].char_start not in heads:
            k += 1
            continue
        chain = [refs[k]]
        while k + 1 < len(refs) and CHAIN_JOINER.pattern.fullmatch(body[chain[-1].char_end:refs[k + 1].char_start]):
            k += 1
            chain.append(refs[k])
        k += 1
        tail = body[chain[-1].char_end:]
        tail = TRAILING_ETC.pattern.sub("", tail[:6]) + tail[6:] if tail.startswith("等") else tail
        if NOT_SUBJECT_AFTER.pattern.match(tail) or not tail[:1] or tail[:1] in "。;,":
            continue
        leads += [r.canonical for r in chain]
    return tuple(dict.fromkeys(leads))


def issuer_executes(meta: DocMeta) -> bool:
    """True when the issuer itself carries out the measures it lists (a bureau), False for a
    government or its general office, which assign work to others."""
    return bool(meta.issuer) and not GOVERNMENT.pattern.search(meta.issuer)


FRAMEWORK_HEADING = Rule("framework_heading", re.compile(
    r"^(?:.{0,40}?(?:重要|重大|深远)?意义|总体要求|总体思路|总体目标|指导思想|基本原则|工作原则|主要原则|适用范围|试点范围|实施范围"
    r"|目标任务|(?:发展|工作|主要|试点|总体|建设)目标|指标体系|考核指标|主要内容)[。.]?$"),
    ("总体要求", "指导思想", "基本原则", "发展目标。", "充分认识推进城市更新的重要意义", "试点范围"),
    ("主要任务", "保障措施", "加强组织领导"))
"""Headings of a policy's framework part: they state principles and goals, not measures."""


ATTACHMENT = Rule("attachment", re.compile(r"附件\s*\d*\s*(?:[::]|$)"), ("附件", "附件2", "附件:重点任务分工表"),
                  ("附件材料齐全的予以受理",))
"""The line that opens (or lists) a document's attachments: no measure stands after it."""


def _framework(sec: Section, sections: list[Section]) -> bool:
    """True when the section or one of its ancestors is a framework heading (总体要求 > 指导思想)."""
    return any(FRAMEWORK_HEADING.pattern.match(o.heading.strip()) for o in sections
               if o.char_start <= sec.char_start < max(o.char_end, o.char_start + 1) and o.level <= sec.level)


def _policy_commitments(text: str, paras: list[Paragraph], sections: list[Section], meta: DocMeta,
                        aliases: dict[str, str]) -> list[Commitment]:
    first_leads = bool(FIRST_LEADS.pattern.search(text))
    para_at = {p.start: i for i, p in enumerate(paras)}
    body_end = next((p.start for p in paras if ATTACHMENT.pattern.match(p.text)), len(text))
    candidates = []
    for sec in sections:
        idx = para_at.get(sec.char_start)
        if idx is None or sec.char_start >= body_end or _framework(sec, sections):
            continue
        p = paras[idx]
        has_children = any(sec.char_start < o.char_start < sec.char_end and o.level > sec.level for o in sections)
        end = _item_extent(text, paras, idx)
        has_body = end > p.end
        if "。" not in p.text and len(p.text) < 40 and (has_children or not has_body):
            continue  # a heading over other items, not a measure
        if (not has_children and has_body and sec.level == 1 and "。" not in p.text
                and _paragraphs_in(paras, p.end, end) > 1 and not LEAD_GROUP.pattern.search(text, p.end, end)
                and any(o.level > 1 for o in sections)):
            continue  # a closing section of plain paragraphs (组织实施) in a document of numbered measures
        candidates.append((sec, idx, end))
    if candidates:  # the document's closing exhortation (各地区、各部门要…) follows its last measure
        sec, idx, end = candidates[-1]
        tail = next((p for p in paras[idx + 1:] if p.start < end and CLOSING_EXHORTATION.pattern.match(p.text)), None)
        if tail is not None:
            candidates[-1] = (sec, idx, max(q.end for q in paras[idx:] if q.end <= tail.start))
    # Keep the innermost measures: drop one that holds another candidate.
    keep = [(sec, idx, end) for sec, idx, end in candidates
            if not any(o is not sec and sec.char_start < o.char_start < end for o, _, _ in candidates)]
    out = []
    standing: list[str] = []
    executes = issuer_executes(meta)
    for sec, idx, end in keep:
        s, e = _strip(text, sec.char_start, end)
        groups = list(LEAD_GROUP.pattern.finditer(text, s, e)) or list(LEAD_LINE.pattern.finditer(text, s, e))
        conventions = [g for g in groups if STANDING_LEAD.pattern.fullmatch(g["body"].strip(" ."))]
        groups = [g for g in groups if g not in conventions]  # a convention alone closes no task
        for g in conventions:
            standing += [c for _, c, _ in agency_list(STANDING_LEAD.pattern.fullmatch(g["body"].strip(" ."))["who"],
                                                      meta, aliases)]
        bounds = []
        cursor = s
        for g in groups:
            bounds.append((cursor, g.end(), g))
            cursor = g.end()
        rest = text[cursor:e]
        if groups and "\n" in rest[:len(rest) - len(rest.lstrip(BLANKS))]:
            e = cursor  # paragraphs after its last responsibility parenthesis are not the item's
        elif len(_NON_WORD.pattern.sub("", rest)) > 5:
            bounds.append((cursor, e, None))
        if not bounds:
            bounds = [(s, e, None)]
        lead_in = _lead_in(text, sections, sec, paras)
        for task, (ts, te, g) in enumerate(bounds, start=1):
            ts, te = _strip(text, ts, te)
            body = text[ts:te]
            support: list = []
            if g is not None:
                lead_list, support = parse_lead_group(g["body"], meta, aliases, first_leads)
                leads = tuple(dict.fromkeys(c for _, c, _ in lead_list))
                sm = STANDING_LEAD.pattern.search(g["body"])
                if sm:
                    standing += [c for _, c, _ in agency_list(sm["who"], meta, aliases)]
                leads = tuple(dict.fromkeys(leads + tuple(standing)))
            else:
                leads = _inline_leads(text[s:e] if task == 1 else body, meta, aliases, lead_in, executes)
            deadline, basis, written = _deadline(body, meta, is_policy=True)
            out.append(Commitment(sec.label, task, ts, te, body, leads, tuple(c for _, c, _ in support),
                                  deadline, basis, written, _section_path(sections, ts)))
    return out


CLOSING_EXHORTATION = Rule("closing_exhortation", re.compile(r"各[^,。、]{1,8}、各[^,。]{1,10}?(?:要|应|务必)"),
                           ("各地区、各有关部门要充分认识", "各区、各有关部门要认真贯彻落实"), ("各区要",))
"""The unnumbered paragraph that closes a policy by addressing every body: not part of its last measure."""


def _paragraphs_in(paras: list[Paragraph], start: int, end: int) -> int:
    return sum(1 for p in paras if start <= p.start < end)


LEAD_IN = Rule("lead_in", re.compile(r"要[^。]{0,60}?(?:重点)?(?:做好|抓好|落实|推进|完成)(?:以下|如下)"),
               ("各区要认真组织实施,重点抓好以下工作",), ("重点做好以下工作",))
"""A section's lead-in that assigns all its items to the body at its head (X要…重点做好以下工作)."""


def _lead_in(text: str, sections: list[Section], sec: Section, paras: list[Paragraph]) -> str:
    """The unnumbered paragraph between a section's heading and its first item, if any."""
    parent = next((o for o in reversed(sections)
                   if o.char_start < sec.char_start < o.char_end and o.level < sec.level), None)
    if parent is None:
        return ""
    first_child = min((o.char_start for o in sections
                       if parent.char_start < o.char_start < parent.char_end and o.level > parent.level),
                      default=parent.char_end)
    between = [p.text for p in paras if parent.char_start < p.start < first_child]
    return "\n".join(between)


def _inline_leads(body: str, meta: DocMeta, aliases: dict[str, str], lead_in: str = "",
                  executes: bool = True) -> tuple[str, ...]:
    """Leads of a measure with no lead group: 由X会同Y牵头, else the bodies its clauses assign
    work to, else those its section's lead-in assigns, else the issuer where it carries out its
    own measures (a bureau; a government or its office assigns work to others)."""
    m = INLINE_LEAD.pattern.search(body)
    if m:
        names = [m["lead"]] + ([m["with"]] if m["with"] else [])
        leads = []
        for name in names:
            for _, canonical, registered in agencies.parse_agency_list(name, meta.jurisdiction, meta.issuer, aliases):
                if registered or agencies.resolve(canonical, meta.jurisdiction, meta.issuer, aliases) or name in aliases:
                    leads.append(canonical)
        if leads:
            return tuple(dict.fromkeys(leads))
    if not executes:
        got = assigned_leads(body, meta, aliases)
        if got:
            return got
        if LEAD_IN.pattern.search(lead_in):
            return assigned_leads(lead_in, meta, aliases)
        return ()
    first = next((s for s in _AFTER_STOP.pattern.split(body) if "负责" in s), "")
    if first:
        refs = agencies.find_mentions(first[: first.index("负责")], meta.jurisdiction, meta.issuer, aliases)
        if refs:
            return (refs[0].canonical,)
    return (meta.issuer,) if meta.issuer else ()


TABLE_ROW = Rule("table_row", re.compile(r"^(?P<no>\d{1,3})\t(?P<cells>[^\n]+)$", re.M),
                 ("序号\t任务\n1\t加快设施建设\t市城管局\t2021年底前",), ("1.加快设施建设", "序号\t任务"))
"""A row of a task table (序号 → 任务 → 责任单位 → 完成时限), one row a line, cells split by tabs."""


def _table_commitments(text: str, meta: DocMeta, aliases: dict[str, str], known: list[Commitment]) -> list[Commitment]:
    """Each numbered row of a task table whose cells name accountable agencies is a commitment."""
    out = []
    issue_year = int(meta.issue_date[:4]) if meta.issue_date else None
    for m in TABLE_ROW.pattern.finditer(text):
        if any(c.char_start <= m.start() < c.char_end for c in known):
            continue
        cells = m["cells"].split("\t")
        leads: tuple[str, ...] = ()
        deadline = None
        for cell in cells[1:]:
            parsed = agencies.parse_agency_list(cell, meta.jurisdiction, meta.issuer, aliases)
            if parsed and not leads and all(reg or agencies.resolve(c) for _, c, reg in parsed):
                leads = tuple(dict.fromkeys(c for _, c, _ in parsed))
            found = dates.find_deadline(cell, issue_year) or (
                (f"{dates.parse_date(cell)}", cell) if dates.parse_date(cell) else None)
            if found and deadline is None:
                deadline = found
        if not leads:
            continue
        s, e = m.start(), m.end()
        if deadline:
            date, basis, written = deadline[0], "explicit", deadline[1]
        else:
            date, basis, written = _deadline(text[s:e], meta, meta.doc_type == "policy_measures")
        out.append(Commitment(m["no"], 1, s, e, text[s:e], leads, (), date, basis, written, ""))
    return out


def extract_commitments(text: str, paras: list[Paragraph], sections: list[Section], meta: DocMeta,
                        aliases: dict[str, str]) -> list[Commitment]:
    """Find the commitments of one document: numbered measures where the document is a policy or
    closes its numbered items with responsibility parentheses, else the 下一步 passages."""
    if meta.doc_type == "policy_measures" or (meta.doc_type == "other" and _closes_items_with_leads(text, sections)):
        found = _policy_commitments(text, paras, sections, meta, aliases)
    else:
        found = _reply_commitments(text, paras, sections, meta, aliases)
    if "\t" in text:
        found = sorted(found + _table_commitments(text, meta, aliases, found), key=lambda c: c.char_start)
    return found


def _closes_items_with_leads(text: str, sections: list[Section]) -> bool:
    """True when at least two numbered items end with a responsibility parenthesis."""
    closed = 0
    for sec in sections:
        tail = text[max(sec.char_start, sec.char_end - 200):sec.char_end]
        m = None
        for m in LEAD_GROUP.pattern.finditer(tail):
            pass
        closed += m is not None and not tail[m.end():].strip(BLANKS + "。")
    return closed >= 2
