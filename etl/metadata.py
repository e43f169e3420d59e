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

ADDRESSEE = Rule("addressee", re.compile(r"^(?:尊敬的)?(?P<name>[\u4e00-\u9fff·、]{2,24}?)(?P<role>代表|委员)(?:们)?[::]"),
                 ("王泽新等代表:", "许若宁委员:", "尊敬的李明、王芳代表:"), ("各区人民政府,市政府各部门:", "民革广州市委员会:"))
PROPOSAL_NO = Rule("proposal_no", re.compile(r"第\s*(?P<no>\d{3,})\s*号"), ("(第20222223号)", "第2009号委员提案"), ("穗府〔2020〕4号",))
REPLY_MARKERS = re.compile(r"答复如下|收悉|此复|办理情况|答复")
POLICY_TITLE = re.compile(
    r"^(?:关于)?[^,。:;!?]{2,60}?(?:若干措施|若干意见|实施意见|工作方案|实施方案|行动方案|行动计划|管理办法|实施办法|实施细则|暂行办法|办法|规定|措施)$")
PUBLISHED = re.compile(r"(?:发布日期|发布时间|发表于|发文日期|成文日期|日期)[::]\s*(?P<date>\S+)(?P<rest>.*)$")
BREADCRUMB = re.compile(r"当前位置[::]\s*(?P<site>[^>›»\s]+)")
CO_HANDLING = re.compile(
    r"(?:会同|组织|联合|与|协调)(?P<list>[^。;]*?)(?:等(?:会办|协办)?单位|负责办理|研究办理|共同办理|办理|等部门)")
ALIAS_DEF = re.compile(r"(?P<full>[\u4e00-\u9fff]{3,30})[(（](?:以下简称|下称|简称)[“\"](?P<short>[^”\"]{2,12})[”\"][)）]")
SUBUNITS = re.compile(r"(?P<parent>[\u4e00-\u9fff“”]{2,20}?)下设[^。:]*[::](?P<rest>[^。]*)")
SIGNED_LINE = re.compile(r"^(?P<agency>[\u4e00-\u9fff]{4,40}?)[\s\u3000]+(?P<date>\S{8,16}日)$")
VALID_FROM = re.compile(r"自(?P<date>[^起,。]{6,16}?)起(?:施行|实施|执行)")
VALID_FROM_ISSUE = re.compile(r"自(?:印发|发布|公布)之日起(?:施行|实施|执行)")
VALID_UNTIL = re.compile(r"有效期至(?P<date>[^,。;)]{6,16})")
VALID_YEARS = re.compile(r"有效期(?:为)?(?P<n>\d+|[一二三四五六七八九十])年")


def local_aliases(text: str) -> dict[str, str]:
    """Aliases a document defines for itself.

    >>> local_aliases("成立天河区产业发展领导小组(下称“领导小组”),领导小组下设三个办公室:产业服务办公室设在区商务金融局")
    {'领导小组': '天河区产业发展领导小组', '产业服务办公室': '天河区产业发展领导小组产业服务办公室'}
    """
    out: dict[str, str] = {}
    if "称" not in text and "下设" not in text:
        return out
    for m in ALIAS_DEF.finditer(text) if "称" in text else ():
        full = re.sub(r"^(?:成立|设立|组建|建立)", "", m["full"])
        out[m["short"]] = full
    for k in (hit.start() for hit in re.finditer("下设", text)):
        m = SUBUNITS.search(text, max(0, k - 20), k + 400)
        if not m or m.start("parent") > k:
            continue
        parent = out.get(m["parent"].strip("“”"), m["parent"].strip("“”"))
        if not re.search(r"领导小组|委员会|联席会议", parent):
            continue
        for office in re.findall(r"(?:^|[;;,,、])([\u4e00-\u9fff]{2,12}?办公室)", m["rest"]):
            out.setdefault(office, parent + office)
    return out


def _lines(text: str) -> list[str]:
    return [ln.strip(" \t\u3000\xa0") for ln in text.split("\n")]


def find_signature(text: str, jurisdiction: str | None = None) -> tuple[str | None, str | None]:
    """Return (issuer, date) of the last signature block: an agency line followed by a date line."""
    lines = [ln for ln in _lines(text) if ln]
    found = (None, None)
    for i, line in enumerate(lines):
        date = dates.date_line(lines[i + 1]) if i + 1 < len(lines) else None
        if not date:
            same = SIGNED_LINE.match(line)  # "广州市商务局  2021年7月5日" on one line
            if not same or not dates.date_line(same["date"]):
                continue
            line, date = same["agency"], dates.date_line(same["date"])
        got = agencies.resolve(line, jurisdiction)
        if got is None:
            refs = agencies.find_mentions(line)
            if refs and refs[0].start == 0 and refs[-1].end == len(line):
                got = (refs[-1].canonical, refs[-1].is_registered)
        if got:
            found = (got[0], date)
    return found


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
    is_reply = bool(addressee) or bool(REPLY_MARKERS.search(head[:1500]) and re.search(r"建议|提案", head[:1500]))
    proposal_no = None
    m = PROPOSAL_NO.pattern.search(head)
    if m and is_reply:
        proposal_no = m["no"]

    # Title: a reply's own title line, or a policy's standalone title line.
    title = None
    policy_title = None
    for line in lines[:40]:
        if not line or "当前位置" in line or len(line) > 80:
            continue
        if is_reply and re.search(r"答复$|复函$|答复的函$", line) and not line.startswith(("现将", "您")):
            title = line
            break
        if not is_reply and POLICY_TITLE.match(line) and "《" not in line:
            policy_title = line
            break
    if is_reply:
        if role == "委员" or re.search(r"提案", head[:1500]) and role != "代表":
            doc_type = "cppcc_proposal_reply"
            kind_word = "提案"
        elif role == "代表" or re.search(r"人大代表|代表建议|号建议", head[:1500]):
            doc_type = "npc_suggestion_reply"
            kind_word = "建议"
        else:
            doc_type, kind_word = "other", "来信"
        if title is None and proposal_no:
            title = f"关于第{proposal_no}号{kind_word}的答复"
    elif policy_title:
        doc_type, title = "policy_measures", policy_title
    else:
        doc_type = "other"
        title = next((ln for ln in lines if ln and "当前位置" not in ln and len(ln) <= 60), None)

    # Issuer and issue date: the signature block, else the page's own publication line.
    issuer, issue_date = find_signature(text)
    published_date, published_by = None, None
    for line in lines[:30]:
        pm = PUBLISHED.search(line)
        if pm:
            published_date = dates.parse_date(pm["date"])
            rest = pm["rest"].strip()
            refs = agencies.find_mentions(rest)
            if refs:
                published_by = refs[-1].canonical
            break
    if issue_date is None:
        issue_date = published_date
    if issuer is None:
        issuer = published_by
    if issuer is None:
        for line in lines[:10]:
            bm = BREADCRUMB.search(line)
            if bm:
                got = agencies.resolve(bm["site"])
                issuer = got[0] if got else None
    jurisdiction = agencies.jurisdiction_of(issuer)
    aliases = local_aliases(text)

    co: list[str] = []
    if is_reply:
        for p in paras[:12]:
            cm = CO_HANDLING.search(p.text)
            if not cm:
                continue
            group = re.sub(r"以及", "、", cm["list"])
            for _, canonical, _reg in agencies.parse_agency_list(group, jurisdiction, issuer, aliases):
                if canonical != issuer and canonical not in co and agencies.resolve(canonical) is not None:
                    co.append(canonical)
            if co:
                break

    valid_from = valid_until = None
    tail = text[-3000:]
    if VALID_FROM_ISSUE.search(tail):
        valid_from = issue_date
    else:
        vm = VALID_FROM.search(tail)
        if vm:
            valid_from = dates.parse_date(vm["date"])
    um = VALID_UNTIL.search(tail)
    if um:
        valid_until = dates.parse_date(um["date"])
    else:
        ym = VALID_YEARS.search(tail)
        start = valid_from or issue_date
        if ym and start:
            n = ym["n"]
            valid_until = dates.add_years(start, int(n) if n.isdigit() else int("一二三四五六七八九十".index(n) + 1))
            valid_from = valid_from or start

    meta = DocMeta(doc_type, title, issuer, jurisdiction, issue_date, proposal_no, addressee,
                   tuple(co), valid_from, valid_until)
    return meta, aliases
