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
NEXT_STEP_HEADING = re.compile(r"下一步|下步|下阶段|今后工作|工作计划|工作打算|工作思路")
CLOSING = re.compile(r"^(?:非常)?感谢|^此复|^特此|^专此|^欢迎|^联系人|^[((]联系人|^附件|^本(?:措施|办法|意见|方案|规定|细则|通知|政策)")

LEAD_GROUP = Rule("lead_group", re.compile(
    r"[(（](?P<body>(?:责任单位|牵头单位|责任部门)[::][^()（）]{2,120}|[^()（）]{2,120}?(?:牵头|负责)(?:[,,;;][^()（）]{2,80}?(?:配合|参与|协助))?)[)）]"),
    ("(市科技局、地方金融监管局牵头)", "(责任单位:市商务局、市财政局)", "(市商务局牵头,市财政局、市税务局配合)"),
    ("(琶洲核心区)", "(第五代移动通信技术)"))
LEAD_LINE = Rule("lead_line", re.compile(
    r"(?P<body>(?:责任单位|牵头单位|责任部门|牵头部门)[::][^()()。\n]{2,120})[。]?(?=\n|$)"),
    ("推进数据共享。\n责任单位:市政务服务数据管理局、各区政府",), ("明确责任单位的职责。",))
"""A lead group written as its own line, without parentheses, at the end of a measure."""
INLINE_LEAD = Rule("inline_lead", re.compile(r"由(?P<lead>[^,,。;;]{2,40}?)(?:会同(?P<with>[^,,。;;]{2,40}?))?(?:牵头|负责)"),
                   ("由产业服务办公室会同区科工信局牵头建设",), ("由区长任组长",))
FIRST_LEADS = re.compile(r"排在第一位的为牵头单位|排名第一的为牵头单位|第一个为牵头单位|列第一位的为牵头单位")
SUBJECT = re.compile(r"^(?:(?:下一步|下步)[,,:]?)?(?:(?:同时|此外|另外|其次|最后|今后)[,,]?)?(?P<subj>[\u4e00-\u9fff]{1,16}?)(?:将|要|拟|计划)")
NON_AGENCY_SUBJECT = re.compile(r"(?:联盟|协会|商会|学会|企业|公司|银行|机构|高校|院校|园区)$")
FRAMEWORK_HEADING = re.compile(r"^(?:指导思想|总体要求|基本原则|适用范围|目标任务)[。]?$")
"""Headings of a policy's framework part: they state principles, not measures."""
SELF = ("我市", "我局", "我委", "我们", "我区", "我办", "本局", "本委")


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\u3000\xa0\n":
        s += 1
    while e > s and text[e - 1] in " \t\u3000\xa0\n":
        e -= 1
    return s, e


def _section_end(s: Section) -> int:
    return max(s.end, s.start + 1)


def _section_path(sections: list[Section], pos: int) -> str:
    chain = containing(sections, pos, _section_end)  # by bisection: linear in a long text
    return " > ".join(f"{s.label}{'、' if s.label_style == 'cn_dun' else ''}{s.heading[:20]}" for s in chain)


def _item_extent(text: str, paras: list[Paragraph], idx: int) -> int:
    """End of the item that starts paragraph ``idx``: its paragraph and the unlabelled
    paragraphs after it, up to the next label, next-step passage, closing formula or signature."""
    end = paras[idx].end
    for p in paras[idx + 1:]:
        if (label_at(text, p.start) is not None or CLOSING.search(p.text) or NEXT_STEP.pattern.match(p.text)
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
    m = SUBJECT.match(body)
    if not m:
        return None
    subj = m["subj"]
    if subj in SELF or any(subj.endswith(s) for s in SELF):
        return (meta.issuer,) if meta.issuer else ()
    got = agencies.resolve(subj, meta.jurisdiction, meta.issuer, aliases)
    if got:
        return (got[0],)
    refs = agencies.find_mentions(subj, meta.jurisdiction, meta.issuer, aliases)
    if refs and refs[0].start == 0:
        return (refs[0].canonical,)
    if NON_AGENCY_SUBJECT.search(subj):
        return ()
    return None


def _deadline(body: str, meta: DocMeta, is_policy: bool) -> tuple[str | None, str, str | None]:
    issue_year = int(meta.issue_date[:4]) if meta.issue_date else None
    found = dates.find_deadline(body, issue_year)
    if found:
        return found[0], "explicit", found[1]
    if not is_policy and issue_year and dates.REPLY_YEAR.search(body):
        return f"{issue_year}-12-31", "reply_year", dates.REPLY_YEAR.search(body).group()
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
        own = para_at.get(sec.start)
        if sec.level > 2 or not NEXT_STEP_HEADING.search(sec.heading) or own is None or "。" in own.text or len(own.text) > 40:
            continue  # not a heading line that announces next steps
        children = [s for s in sections if sec.start < s.start < sec.end and s.level > sec.level]
        if not children:
            # No numbered items: each paragraph of the passage is one commitment.
            for idx, p in enumerate(paras):
                if sec.start < p.start < sec.end and idx not in used:
                    if CLOSING.search(p.text) or "。" not in p.text and len(p.text) < 20:
                        break
                    items.append((None, p.start, p.end))
                    used.add(idx)
            used.update(i for i, p in enumerate(paras) if sec.start <= p.start < sec.end)
            continue
        top = min(c.level for c in children)
        for child in (c for c in children if c.level == top):
            idx = para_no[child.start]
            if CLOSING.search(paras[idx].text):
                continue
            items.append((child.label, child.start, _item_extent(text, paras, idx)))
            used.add(idx)
        used.update(i for i, p in enumerate(paras) if sec.start <= p.start < sec.end)
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
                if got is None or (style and got[0] != style) or CLOSING.search(paras[j].text):
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
        if leads is None:
            leads = (meta.issuer,) if meta.issuer else ()
        deadline, basis, written = _deadline(body, meta, is_policy=False)
        out.append(Commitment(label, 1, s, e, body, tuple(leads), (), deadline, basis, written,
                              _section_path(sections, s)))
    return out


INLINE_ITEM = Rule("inline_item", re.compile(r"(?:^|(?<=[;;。:,,]))\s*(?P<n>[一二三四五六七八九十]{1,2})是(?!否)(?=[\u4e00-\u9fff“])"),
                   ("下步,我局将做好以下工作:一是出台政策;二是设立基金。",), ("一是否",))


def split_inline_items(text: str, label: str | None, s: int, e: int) -> list[tuple[str | None, int, int]]:
    """Split an unnumbered next-step paragraph that enumerates 一是…;二是… into its items.

    >>> t = "下步,我局将做好以下工作:一是出台政策;二是设立基金。"
    >>> [t[a:b] for _, a, b in split_inline_items(t, None, 0, len(t))]
    ['一是出台政策;', '二是设立基金。']
    """
    if label is not None:
        return [(label, s, e)]
    marks = list(INLINE_ITEM.pattern.finditer(text, s, e))
    numbers = [m["n"] for m in marks]
    if len(marks) < 2 or numbers[:2] != ["一", "二"]:
        return [(label, s, e)]
    out = []
    for k, m in enumerate(marks):
        start = m.start("n")
        end = marks[k + 1].start("n") if k + 1 < len(marks) else e
        out.append((m["n"] + "是", start, end))
    return out


def parse_lead_group(body: str, meta: DocMeta, aliases: dict[str, str], first_leads: bool
                     ) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str, bool]]]:
    """Split a lead group into (leads, supporters), each (written, canonical, registered).

    >>> meta = DocMeta("policy_measures", None, "广州市人民政府", "广州市", None, None, None, (), None, None)
    >>> leads, sup = parse_lead_group("市商务局牵头,市财政局、市税务局配合", meta, {}, False)
    >>> [c for _, c, _ in leads], [c for _, c, _ in sup]
    (['广州市商务局'], ['广州市财政局', '国家税务总局广州市税务局'])
    """
    body = body.strip()
    support_part = ""
    m = re.match(r"(?P<lead>.+?)(?:牵头|负责)[,,;;](?P<sup>.+?)(?:配合|参与|协助)$", body)
    if m:
        lead_part, support_part = m["lead"], m["sup"]
    else:
        lead_part = re.sub(r"^(?:责任单位|牵头单位|责任部门)[::]", "", body)
        lead_part = re.sub(r"(?:牵头|负责)$", "", lead_part)
    leads = agencies.parse_agency_list(lead_part, meta.jurisdiction, meta.issuer, aliases)
    support = agencies.parse_agency_list(support_part, meta.jurisdiction, meta.issuer, aliases) if support_part else []
    if body.startswith(("责任单位", "责任部门")) and first_leads and len(leads) > 1:
        leads, support = leads[:1], leads[1:] + support
    return leads, support


def _policy_commitments(text: str, paras: list[Paragraph], sections: list[Section], meta: DocMeta,
                        aliases: dict[str, str]) -> list[Commitment]:
    first_leads = bool(FIRST_LEADS.search(text))
    para_at = {p.start: i for i, p in enumerate(paras)}
    candidates = []
    for sec in sections:
        idx = para_at.get(sec.start)
        if idx is None or FRAMEWORK_HEADING.match(sec.heading):
            continue
        p = paras[idx]
        has_children = any(sec.start < o.start < sec.end and o.level > sec.level for o in sections)
        has_body = _item_extent(text, paras, idx) > p.end
        if "。" not in p.text and len(p.text) < 40 and (has_children or not has_body):
            continue  # a heading over other items, not a measure
        candidates.append((sec, idx))
    # Keep the innermost measures: drop one that holds another candidate.
    keep = []
    for sec, idx in candidates:
        end = _item_extent(text, paras, idx)
        if any(o is not sec and sec.start < o.start < end for o, _ in candidates):
            continue
        keep.append((sec, idx, end))
    out = []
    for sec, idx, end in keep:
        s, e = _strip(text, sec.start, end)
        groups = [m for m in LEAD_GROUP.pattern.finditer(text, s, e)]
        if not groups:
            groups = [m for m in LEAD_LINE.pattern.finditer(text, s, e)]
        bounds = []
        cursor = s
        for g in groups:
            bounds.append((cursor, g.end(), g))
            cursor = g.end()
        if cursor < e and len(re.sub(r"[\W_]", "", text[cursor:e])) > 5:
            bounds.append((cursor, e, None))
        if not bounds:
            bounds = [(s, e, None)]
        for task, (ts, te, g) in enumerate(bounds, start=1):
            ts, te = _strip(text, ts, te)
            body = text[ts:te]
            support: list = []
            if g is not None:
                lead_list, support = parse_lead_group(g["body"], meta, aliases, first_leads)
                leads = tuple(dict.fromkeys(c for _, c, _ in lead_list))
            else:
                leads = _inline_leads(text[s:e] if task == 1 else body, meta, aliases)
            deadline, basis, written = _deadline(body, meta, is_policy=True)
            out.append(Commitment(sec.label, task, ts, te, body, leads, tuple(c for _, c, _ in support),
                                  deadline, basis, written, _section_path(sections, ts)))
    return out


def _inline_leads(body: str, meta: DocMeta, aliases: dict[str, str]) -> tuple[str, ...]:
    """Leads of a measure with no lead group: 由X会同Y牵头, else the agency a 负责 sentence
    opens with, else the issuer."""
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
    first = next((s for s in re.split(r"(?<=。)", body) if "负责" in s), "")
    if first:
        refs = agencies.find_mentions(first[: first.index("负责")], meta.jurisdiction, meta.issuer, aliases)
        if refs:
            return (refs[0].canonical,)
    return (meta.issuer,) if meta.issuer else ()


TABLE_ROW = re.compile(r"^(?P<no>\d{1,3})\t(?P<cells>[^\n]+)$", re.M)
"""A row of a task table (序号 → 任务 → 责任单位 → 完成时限), one row a line, cells split by tabs."""


def _table_commitments(text: str, meta: DocMeta, aliases: dict[str, str], known: list[Commitment]) -> list[Commitment]:
    """Each numbered row of a task table whose cells name accountable agencies is a commitment."""
    out = []
    issue_year = int(meta.issue_date[:4]) if meta.issue_date else None
    for m in TABLE_ROW.finditer(text):
        if any(c.start <= m.start() < c.end for c in known):
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
    """Find the commitments of one document."""
    if meta.doc_type == "policy_measures":
        found = _policy_commitments(text, paras, sections, meta, aliases)
    else:
        found = _reply_commitments(text, paras, sections, meta, aliases)
    if "\t" in text:
        found = sorted(found + _table_commitments(text, meta, aliases, found), key=lambda c: c.start)
    return found

