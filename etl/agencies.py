"""Recognise agencies in text and resolve each to the registry (``etl/data/agencies*.csv``).

In: text (and the document's jurisdiction / issuer for relative names). Out: ``AgencyRef``s.
The registry holds the Guangzhou bodies the seeds name (``agencies.csv``) and the State
Council's ministries, commissions, agencies and the groups national texts make responsible
(``agencies_national.csv``). Any other body is recognised by its structure (a place or level
prefix and an organ: 成都市交通运输局, 马关县人民政府, 中共成都市委组织部), kept as written (prefixed
with the document's own place where the text writes it short, 市交通运输局 in a Chengdu text) and
flagged ``is_registered=False``, never mapped to a catch-all.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.model import AgencyRef
from etl.normalize import fold
from etl.segment import Rule

DATA = Path(__file__).with_name("data")
REGISTRY_CSV = DATA / "agencies.csv"
NATIONAL_CSV = DATA / "agencies_national.csv"
NATIONAL = "全国"
CITY = "广州市"
DISTRICTS = ("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区")

# District bureaus are written short inside a district's own documents (区发改局).
DISTRICT_SHORT_FORMS = {
    "发改局": "发展和改革局",
    "发展改革局": "发展和改革局",
    "科工信局": "科技工业和信息化局",
    "工信局": "工业和信息化局",
    "住建局": "住房和城乡建设局",
    "人社局": "人力资源和社会保障局",
    "市场监管局": "市场监督管理局",
}

def trie_pattern(words) -> str:
    """A regex matching any of ``words``, longest first, written as a trie (one branch per shared
    prefix) so the engine tries a handful of characters at each position, not every word.

    >>> p = re.compile(trie_pattern(["财政局", "财政部", "商务局", "财政"]))
    >>> [m.group() for m in p.finditer("财政部、商务局和财政")]
    ['财政部', '商务局', '财政']
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie) or "(?!)"


PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区", "新疆生产建设兵团",
)
"""China's provincial-level units (public general knowledge): the top of every place prefix."""


@dataclass(frozen=True)
class Agency:
    canonical: str
    short_name: str
    name_en: str
    level: str
    jurisdiction: str
    aliases: tuple[str, ...]
    successor: str | None
    is_registered: bool = True

    @property
    def agency_id(self) -> str:
        return agency_id(self.canonical)


def agency_id(canonical: str) -> str:
    """Return the stable ID of an agency's canonical name.

    >>> agency_id("广州市财政局") == agency_id("广州市财政局")
    True
    """
    return "ag_" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Registry:
    agencies: tuple[Agency, ...]
    by_name: dict  # every written form -> canonical (Guangzhou forms first, as the seeds read them)
    local: dict  # forms of the Guangzhou registry, including the short 市X forms
    national: dict  # forms of the national registry

    def get(self, canonical: str) -> Agency | None:
        return _by_canonical(self).get(canonical)

    def current(self, canonical: str) -> str:
        """Follow successors to today's agency (市工信委 -> 市工业和信息化局)."""
        seen = set()
        name = canonical
        while True:
            ag = self.get(name)
            if ag is None or not ag.successor or name in seen:
                return name
            seen.add(name)
            name = ag.successor


_CANON_CACHE: dict[int, dict[str, Agency]] = {}


def _by_canonical(reg: Registry) -> dict[str, Agency]:
    key = id(reg)
    if key not in _CANON_CACHE:
        _CANON_CACHE[key] = {a.canonical: a for a in reg.agencies}
    return _CANON_CACHE[key]


def _read(path: Path) -> list[Agency]:
    with path.open(encoding="utf-8") as fh:
        return [Agency(row["canonical"], row["short_name"], row["name_en"], row["level"], row["jurisdiction"],
                       tuple(fold(a) for a in (row["aliases"] or "").split("|") if a), row["successor"] or None)
                for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Load the agency registry from its CSVs (Guangzhou, then national)."""
    local_rows, national_rows = _read(REGISTRY_CSV), _read(NATIONAL_CSV)
    local: dict[str, str] = {}
    for ag in local_rows:
        forms = [ag.canonical, ag.short_name, *ag.aliases]
        if ag.canonical.startswith(CITY):
            forms.append(ag.canonical[len(CITY):])
            forms.append("市" + ag.canonical[len(CITY):])
        if ag.canonical.startswith("中共广州市委"):
            forms.append("市委" + ag.canonical[len("中共广州市委"):])
        for form in forms:
            # District short forms (区发改局) are resolved with the document's district, not here.
            if form and not (ag.level != "government" and ag.jurisdiction != CITY and form.startswith("区")):
                local.setdefault(form, ag.canonical)
    national: dict[str, str] = {}
    for ag in national_rows:
        for form in (ag.canonical, ag.short_name, *ag.aliases):
            if form:
                national.setdefault(form, ag.canonical)
    by_name = dict(national)
    by_name.update(local)
    return Registry(tuple(local_rows + national_rows), by_name, local, national)


# ---------------------------------------------------------------------------------------
# The structure of a body's name: place prefix + organ.

_HAN = "\u4e00-\u9fff"
_HAN_CLASS = "[\u4e00-\u9fff]"
_NOT_A_PLACE = (r"(?!各|本|全|我|该|有关|相关|试点|其他|其它|所在|当地|地方|省级|市级|县级|区级|城|相应|同级|上级|下级|每|分|个"
                r"|直辖|计划单列|设区|地级|副省级|大中|中小|建议|根据|据|关于|以|意|同意|距|西距|东距|南距|北距|位于|属|为|是"
                r"|鼓励|支持|推动|推进|加强|实现|开展|组织|积极|指导|协调|督促|要求|请|由|经|向|对|将|在|从|按|与|和|及)")
_PROVINCE = "(?:" + "|".join(PROVINCES) + ")"
_STEM = rf"(?:(?![和及与由会同的部门局委办厅署在对将向为请从等或并]){_HAN_CLASS})"
PLACE_NAME = (rf"(?:{_PROVINCE}|{_NOT_A_PLACE}(?:{_STEM}{{2,8}}?(?:自治州|自治县|自治旗)"
              rf"|{_STEM}{{2,6}}?(?:开发区|园区|新区|试验区)|{_STEM}{{2,4}}?(?:地区|街道|市|州|县|区|旗|盟|镇|乡)))")
"""A place: a province (enumerated, so no other 省 is a place), or a stem of two or more characters
and a level word; stems never hold linking words and never start with a verb or a level phrase."""
_ORGAN_CHAR = rf"(?:(?![的及或等在对将向是了,、。]){_HAN_CLASS})"
_ORGAN = (rf"(?:人民政府(?:办公厅|办公室)?|政府(?:办公厅|办公室)?|委(?:{_ORGAN_CHAR}{{1,10}}?(?:部|办公室|委员会|办))?"
          rf"|{_ORGAN_CHAR}{{1,14}}?(?:委员会|管委会|领导小组办公室|领导小组|总局|局|厅|委|办公室|办事处|署|中心|部|指挥部))")
PLACE = Rule("place", re.compile(PLACE_NAME), ("成都市", "马关县", "江苏省", "新疆维吾尔自治区"), ("各地", "全市", "本区"))
STRUCTURED = Rule("structured_agency", re.compile(rf"(?P<party>中共)?(?P<places>(?:{PLACE_NAME})+)(?P<organ>{_ORGAN})"),
                  ("成都市交通运输局", "马关县人民政府", "江苏省人民政府办公厅", "中共成都市委组织部", "四川省成都市武侯区教育局",
                   "苏州工业园区管委会", "武侯区玉林街道办事处"),
                  ("有关部门", "各地区", "城市管理"))
"""A body named by its place and organ, registered or not."""
RELATIVE = Rule("relative_agency", re.compile(rf"(?P<level>市委|省委|区委|县委|市|省|区|县|州|镇|乡)(?!各|有关|相关|直|属)(?P<organ>{_ORGAN})"),
                ("市交通运输局", "县人民政府", "市委组织部", "省发展改革委"), ("各部门", "省各委办", "县直各部门"))
"""A body written short with its level only (市交通运输局): the document's own place is meant."""

_PROVINCE_TRIE = trie_pattern(PROVINCES)
_LEVEL_AHEAD = rf"(?=(?:中共)?[{_HAN}]{{1,13}}?[市州县区旗盟镇乡道省])"
"""Every place name ends in one of these level characters within a few characters of its start
(provinces included): a cheap test that spares the full pattern at most positions."""
OPEN_AGENCY = Rule("open_agency", re.compile(
    rf"(?:(?<=^)|(?<=[^{_HAN}])|(?<=[由和及与同请经向对将在从])){_LEVEL_AHEAD}(?:中共)?(?:{PLACE_NAME})+{_ORGAN}"
    rf"|(?:中共)?(?={_PROVINCE_TRIE}){_PROVINCE}(?:{PLACE_NAME})*{_ORGAN}"),
    ("由成都市交通运输局负责", "建议湖北省人民政府加快", "中共成都市委组织部"), ("各地区", "城市管理局"))
"""Place-prefixed bodies inside running text: after a boundary or a linking word, or anywhere
when the place is a province (建议湖北省人民政府…). The definition: ``open_agency_spans`` finds
the same spans as its pattern's ``finditer`` three times faster (a test holds the two equal)."""

_OPEN_BODY = Rule("open_body", re.compile(rf"{_LEVEL_AHEAD}(?:中共)?(?:{PLACE_NAME})+{_ORGAN}"),
                  ("成都市交通运输局", "马关县人民政府"), ("有关部门",))
_OPEN_AFTER = Rule("open_after", re.compile(rf"[\x00-\u4dff\ua000-\U0010ffff由和及与同请经向对将在从](?P<body>{_OPEN_BODY.pattern.pattern})"),
                   ("由成都市交通运输局负责", "(马关县人民政府)"), ("成都市交通运输局",))
"""The first branch with the character before it consumed, not looked behind at: a pattern that
starts with a character class is searched by skipping to that class, not tried at every position."""
_OPEN_PROVINCIAL = Rule("open_provincial", re.compile(rf"(?:中共)?(?={_PROVINCE_TRIE}){_PROVINCE}(?:{PLACE_NAME})*{_ORGAN}"),
                        ("建议湖北省人民政府加快", "江苏省成都市交通运输局"), ("成都市交通运输局", "湖北省"))
"""The second branch: a province and an organ, anywhere in the text."""
_PROVINCE_RE = Rule("province", re.compile(_PROVINCE_TRIE), ("建议湖北省人民政府", "新疆维吾尔自治区"), ("省级人民政府",))
_NONE = (1 << 62, 1 << 62)


def _open_after(text: str, pos: int) -> tuple[int, int]:
    """The first span ≥ ``pos`` of ``OPEN_AGENCY``'s first branch."""
    if pos == 0:
        m = _OPEN_BODY.pattern.match(text)
        if m:
            return m.span()
    m = _OPEN_AFTER.pattern.search(text, max(pos - 1, 0))
    return m.span("body") if m else _NONE


def _open_provincial(text: str, pos: int) -> tuple[int, int]:
    """The first span ≥ ``pos`` of ``OPEN_AGENCY``'s second branch: at a province, or 中共 before one."""
    while True:
        m = _PROVINCE_RE.pattern.search(text, pos)
        if m is None:
            return _NONE
        q = m.start()
        if q - 2 >= pos and text[q - 2:q] == "中共":
            got = _OPEN_PROVINCIAL.pattern.match(text, q - 2)
            if got:
                return got.span()
        got = _OPEN_PROVINCIAL.pattern.match(text, q)
        if got:
            return got.span()
        pos = q + 1


def open_agency_spans(text: str):
    """Yield the spans ``OPEN_AGENCY.pattern.finditer(text)`` yields: of the two branches' next spans the
    leftmost, the first branch on a tie (as the alternation tries it first); each branch's next
    span is kept while it starts at or after where the scan stands.

    >>> list(open_agency_spans("由成都市交通运输局和湖北省人民政府负责"))
    [(1, 9), (10, 17)]
    """
    pos, n = 0, len(text)
    a = b = None
    while pos < n:
        if a is None or a[0] < pos:
            a = _open_after(text, pos)
        if b is None or b[0] < pos:
            b = _open_provincial(text, pos)
        best = a if a[0] <= b[0] else b
        if best[0] > n:
            return
        yield best
        pos = best[1]

_DISTRICT = "(?:" + "|".join(DISTRICTS) + ")"


_ALIASES = Rule("registry_form", re.compile(trie_pattern(registry().by_name)),
                 ("积极组织市发展改革委、科技局、财政局", "发展改革委", "财政部门"), ("有关部门", "下一步工作计划"))
"""Every written form of the registry (built from its CSVs when the module is imported)."""
_GROUP_NAMES = {a.canonical for a in registry().agencies if a.level == "group"}
_GROUPS = Rule("registry_group", re.compile(trie_pattern(f for f, c in registry().by_name.items() if c in _GROUP_NAMES)),
               ("各省、自治区、直辖市人民政府", "县级以上地方人民政府"), ("省人民政府", "财政部"))
"""Every written form of the registry's groups (各省、自治区、直辖市人民政府), matched before any body."""


_GENERIC_FIRST = "".join(sorted(set("广市省县区" + "".join(d[0] for d in DISTRICTS))))
GENERIC_AGENCY = Rule("generic_agency", re.compile(
    rf"(?=[{_GENERIC_FIRST}])"  # a cheap test of the first character: the branches are tried only there
    r"(?:广州市|市委|省委|县委|市|省|县|" + _DISTRICT + r"|区)"
    r"(?!各|有关|相关|直属)[\u4e00-\u9fff]{2,14}?"
    r"(?:局|委员会|委|办公室|办|总社|领导小组)"
    r"(?![\u4e00-\u9fff]{0,2}(?:长|主任|书记|制度|机制|工作|系统|平台))"
), ("市港务局", "即市招商办,具体在市商务局"), ("市有关部门", "区直属单位", "市财政局长"))
"""Names of the shape 市X局 / 区X局 / 市委X办 that the registry may not hold.

>>> bool(GENERIC_AGENCY.pattern.fullmatch("市港务局"))
True
"""


CLAUSE_DISTRICT = Rule("clause_district", re.compile(
    r"(?:(?<=^)|(?<=[。;;,,:\n]))" + _DISTRICT + r"(?![\u4e00-\u9fff]{0,2}政府)(?=[\u4e00-\u9fff])"),
    ("番禺区推动设立总规模10亿元", "200多亿条。区级层面:海珠区打造了"), ("海珠区政府负责", "推动番禺区发展"))
"""A district named at the head of a clause acts as its government (番禺区推动设立…基金).
The definition: ``clause_district_spans`` finds its spans four times faster."""
_CLAUSE_DISTRICT_BODY = Rule("clause_district_body", re.compile(_DISTRICT + r"(?![\u4e00-\u9fff]{0,2}政府)(?=[\u4e00-\u9fff])"),
                             ("番禺区推动设立", "推动番禺区发展"), ("海珠区人民政府",))
_CLAUSE_DISTRICT_AFTER = Rule("clause_district_after", re.compile(r"[。;;,,:\n](?P<body>" + _CLAUSE_DISTRICT_BODY.pattern.pattern + ")"),
                              ("七大功能模块。天河区推动", ",黄埔区针对重点企业"), ("推动番禺区发展",))


def clause_district_spans(text: str):
    """Yield the spans of ``CLAUSE_DISTRICT.pattern.finditer(text)``, the clause break before each consumed
    rather than looked behind at (a district never ends in a break, so no match is lost).

    >>> list(clause_district_spans("番禺区推动设立基金;海珠区人民政府负责,天河区落实"))
    [(0, 3), (20, 23)]
    """
    pos = 0
    m = _CLAUSE_DISTRICT_BODY.pattern.match(text)
    if m:
        yield m.span()
        pos = m.end()
    for m in _CLAUSE_DISTRICT_AFTER.pattern.finditer(text, pos):
        yield m.span("body")

_GZ_FAMILY = frozenset((CITY, *DISTRICTS))
_SELF = ("我局", "我委", "我市", "我区", "我办", "本局", "本委", "我们", "我厅", "我部", "我署", "我县", "我省")
_PLACE_PREFIX = Rule("place_prefix", re.compile(rf"(?:{PLACE_NAME})"), ("四川省成都市武侯区教育局", "苏州工业园区管委会"), ("教育部", "各地"))
_NATIONAL_HEAD = ("国务院", "国家", "中国", "中华", "中央", "全国", "中共中央")


def places_of(name: str) -> list[str]:
    """The place names a body's name begins with, outermost first.

    >>> places_of("四川省成都市武侯区教育局"), places_of("中共成都市委组织部"), places_of("教育部")
    (['四川省', '成都市', '武侯区'], ['成都市'], [])
    >>> places_of("苏州工业园区管委会"), places_of("建议湖北省人民政府")
    (['苏州工业园区'], [])
    """
    out: list[str] = []
    pos = 2 if name.startswith("中共") and not name.startswith("中共中央") else 0
    while True:
        m = _PLACE_PREFIX.pattern.match(name, pos)
        if not m or m.end() >= len(name):
            return out
        out.append(m.group())
        pos = m.end()


def place_chain(jurisdiction: str | None, issuer: str | None = None) -> list[str]:
    """The places of the document's own government, outermost first (for 市X / 区X forms).

    >>> place_chain("武侯区", "成都市武侯区人民政府"), place_chain("天河区")
    (['成都市', '武侯区'], ['广州市', '天河区'])
    """
    chain = places_of(issuer) if issuer else []
    if not chain and jurisdiction and jurisdiction != NATIONAL:
        chain = [jurisdiction]
    if chain and chain[-1] in DISTRICTS and CITY not in chain:
        chain = [CITY, *chain]
    return chain


def _place_for(level: str, chain: list[str]) -> str | None:
    """The place of ``chain`` a level word (市 / 区 / 县 / 省) stands for."""
    ends = {"市": ("市",), "区": ("区",), "县": ("县",), "省": ("省", "自治区"), "州": ("州",), "镇": ("镇",), "乡": ("乡",)}
    for place in reversed(chain):
        if place.endswith(ends.get(level[0], (level[0],))):
            return place
    return None


def _is_guangzhou(jurisdiction: str | None, issuer: str | None) -> bool:
    if jurisdiction is None and issuer is None:
        return True  # no context: the seeds' city, as the registry's short forms were written for
    if jurisdiction is not None:
        return jurisdiction in _GZ_FAMILY
    return bool(issuer) and (issuer.startswith((CITY, "中共广州")) or any(issuer.startswith(d) for d in DISTRICTS))


def _is_national(jurisdiction: str | None, issuer: str | None) -> bool:
    if jurisdiction == NATIONAL:
        return True
    ag = registry().get(issuer) if issuer else None
    return bool(ag) and ag.jurisdiction == NATIONAL


def _with_government(name: str) -> str:
    """X政府 -> X人民政府 (the canonical form of a government)."""
    if name.endswith("政府") and not name.endswith("人民政府"):
        return name[:-2] + "人民政府"
    return name.replace("政府办公", "人民政府办公") if "人民政府" not in name else name


def resolve(written: str, jurisdiction: str | None = None, issuer: str | None = None,
            local_aliases: dict[str, str] | None = None) -> tuple[str, bool] | None:
    """Resolve one written agency name to (canonical, is_registered), or None if not an agency.

    A body of the issuer's own district or county is named as the issuer names its place: with
    the city before it (成都市武侯区…), and the issuer itself where the two are one.

    >>> resolve("区卫生健康局", "武侯区", "成都市武侯区卫生健康局")
    ('成都市武侯区卫生健康局', False)
    >>> resolve("区政府", "武侯区", "成都市武侯区卫生健康局")
    ('成都市武侯区人民政府', False)
    """
    got = _resolve(written, jurisdiction, issuer, local_aliases)
    if got is None or not issuer or not jurisdiction:
        return got
    canonical, registered = got
    at = issuer.find(jurisdiction)
    if not registered and at > 0 and canonical.startswith(jurisdiction):
        canonical = issuer[:at] + canonical  # 武侯区卫生健康局 in a 成都市武侯区… document
    return canonical, registered


def _resolve(written: str, jurisdiction: str | None = None, issuer: str | None = None,
             local_aliases: dict[str, str] | None = None) -> tuple[str, bool] | None:
    """Resolve one written name (``resolve`` without the issuer's place prefix).

    >>> resolve("市工信委")
    ('广州市工业和信息化委员会', True)
    >>> resolve("区发改局", jurisdiction="天河区")
    ('天河区发展和改革局', True)
    >>> resolve("天河区")
    ('广州市天河区人民政府', True)
    >>> resolve("发展改革委", jurisdiction="全国")
    ('国家发展和改革委员会', True)
    >>> resolve("市交通运输局", jurisdiction="成都市")
    ('成都市交通运输局', False)
    """
    reg = registry()
    name = fold(written).strip(" \t\n“”\"'")
    if not name:
        return None
    if local_aliases and name in local_aliases:
        return local_aliases[name], reg.get(local_aliases[name]) is not None
    if name in _SELF and issuer:
        return issuer, reg.get(issuer) is not None
    if reg.get(name):
        return name, True
    if name.startswith(CITY) and name[len(CITY):].startswith(DISTRICTS) and len(name) > len(CITY) + 3:
        return resolve(name[len(CITY):], jurisdiction, issuer, local_aliases)  # 广州市天河区X局 is 天河区X局
    guangzhou = _is_guangzhou(jurisdiction, issuer)
    if guangzhou:
        if name in reg.local and not name.startswith("区"):
            return reg.local[name], True
        if name in reg.national:
            return reg.national[name], True
    else:
        if name in reg.national:
            return reg.national[name], True
        if name in reg.local and name.startswith("广州"):
            return reg.local[name], True
    if guangzhou or name.startswith(DISTRICTS):
        got = _resolve_guangzhou_district(name, jurisdiction)
        if got:
            return got
    chain = place_chain(jurisdiction, issuer)
    rel = RELATIVE.pattern.fullmatch(name)
    if rel and not guangzhou:
        place = _place_for(rel["level"], chain)
        if place is None:
            return (name, False) if not _is_national(jurisdiction, issuer) else None
        organ = rel["organ"]
        if rel["level"].endswith("委"):
            return f"中共{place}委{organ}", False
        template = reg.local.get("市" + organ) if rel["level"] == "市" else None
        if template and template.startswith(CITY):
            full = place + template[len(CITY):]
        else:
            full = place + DISTRICT_SHORT_FORMS.get(organ, organ)
        full = _with_government(full)
        return (full, True) if reg.get(full) else (full, False)
    if name.startswith(("市", "广州市")) and GENERIC_AGENCY.pattern.fullmatch(name):
        base = name[3:] if name.startswith("广州市") else name[1:]
        return CITY + base, False
    m = STRUCTURED.pattern.fullmatch(name)
    if m:
        full = _with_government(name)
        if m["organ"].startswith("委") and not m["party"]:
            full = "中共" + full  # 成都市委组织部 is the party committee's
        if reg.get(full):
            return full, True
        return full, False
    if GENERIC_AGENCY.pattern.fullmatch(name):
        return name, False
    return None


def _resolve_guangzhou_district(name: str, jurisdiction: str | None) -> tuple[str, bool] | None:
    reg = registry()
    if name in DISTRICTS:
        return f"{CITY}{name}人民政府", True
    if _DISTRICT_GOVERNMENT.pattern.fullmatch(name):
        return f"{CITY}{_with_government(name)}", True
    if name.startswith("区") and jurisdiction and jurisdiction != CITY and jurisdiction in _GZ_FAMILY:
        rest = name[1:]
        rest = DISTRICT_SHORT_FORMS.get(rest, rest)
        full = jurisdiction + rest
        return full, reg.get(full) is not None
    for district in DISTRICTS:
        if name.startswith(district) and len(name) > len(district):
            rest = name[len(district):]
            full = district + DISTRICT_SHORT_FORMS.get(rest, rest)
            if reg.get(full):
                return full, True
            if full in reg.by_name:
                return reg.by_name[full], True
            return full, False
    return None


_NOT_A_NAME_AFTER = {"部": "门长际分署", "局": "长", "委": "员", "办": "法理公", "厅": "长", "署": "名理"}
"""A registry form followed by these is part of a longer word (财政部门, 财政局长, 办法)."""


def _part_of_word(text: str, s: int, e: int) -> bool:
    if e >= len(text):
        return False
    nxt = text[e]
    if nxt in "长法":
        return True
    if nxt in _NOT_A_NAME_AFTER.get(text[e - 1], ""):
        return True
    return text[s:e] == "各地" and nxt in "区方市级"


def find_mentions(text: str, jurisdiction: str | None = None, issuer: str | None = None,
                  local_aliases: dict[str, str] | None = None) -> list[AgencyRef]:
    """Find every agency named in ``text``: registry forms first, then the generic shapes.

    >>> [r.canonical for r in find_mentions("由市发展改革委、市财政局负责")]
    ['广州市发展和改革委员会', '广州市财政局']
    >>> [r.canonical for r in find_mentions("发展改革委、财政部门和成都市交通运输局", jurisdiction="全国")]
    ['国家发展和改革委员会', '成都市交通运输局']
    """
    taken = bytearray(len(text))
    resolved: dict[str, tuple[str, bool] | None] = {}
    refs: list[AgencyRef] = []
    patterns = [_GROUPS.pattern, OPEN_AGENCY.pattern, _ALIASES.pattern]
    if local_aliases:
        patterns.insert(0, _local_alias_re(tuple(sorted(local_aliases, key=len, reverse=True))))
    patterns.append(_DISTRICT_GOVERNMENT.pattern)
    patterns.append(CLAUSE_DISTRICT.pattern)
    patterns.append(GENERIC_AGENCY.pattern)
    alias_re = _ALIASES.pattern
    open_agency, clause_district = OPEN_AGENCY.pattern, CLAUSE_DISTRICT.pattern
    local = registry().local
    for pattern in patterns:
        spans = (open_agency_spans(text) if pattern is open_agency else clause_district_spans(text)
                 if pattern is clause_district else (m.span() for m in pattern.finditer(text)))
        for s, e in spans:
            if taken.find(1, s, e) >= 0 or _part_of_word(text, s, e):
                continue
            written = text[s:e]
            if pattern is alias_re and s > 0 and text[s - 1] in "市区县省州" and written not in local:
                continue  # 市乡村振兴局 is the city's bureau, not the national one
            if (s > 0 and pattern is not open_agency and "\u4e00" <= text[s - 1] <= "\u9fff"
                    and text[s] in "市省县区" and text[s - 1] not in _LINKING):
                continue  # 各设区市人民政府, 城市管理局: the level word belongs to a longer phrase
            if written not in resolved:
                resolved[written] = resolve(written, jurisdiction, issuer, local_aliases)
            got = resolved[written]
            if got is None:
                continue
            canonical, registered = got
            refs.append(AgencyRef(canonical, written, s, e, registered))
            taken[s:e] = b"\x01" * (e - s)
    refs.sort(key=lambda r: r.char_start)
    return refs


_LINKING = "州由与和、及会同在经向对将请"


@lru_cache(maxsize=64)
def _local_alias_re(forms: tuple[str, ...]) -> re.Pattern:
    """A document's own short forms, longest first (compiled once per set of forms: the one
    pattern built from a call's arguments, so it cannot be a module-level Rule)."""
    return re.compile("|".join(re.escape(k) for k in forms))


_LIST_SPLIT = Rule("list_split", re.compile(r"[、,,;;]|和(?=[市区县各相有])|及(?=[市区县各相有])|与(?=[市区县各相有])"),
                   ("市科技局、地方金融监管局", "市商务局和市财政局"), ("市发展和改革委员会",))
"""What separates the bodies of a list (和 / 及 / 与 only before another body)."""
_GROUPED_FORMS = Rule("grouped_forms", re.compile(
    "|".join(re.escape(f) for f in sorted((f for f in registry().by_name if _LIST_SPLIT.pattern.search(f)), key=len, reverse=True))
    or r"(?!)"), ("发展改革委、各省(区、市)人民政府", "各地区、各部门"), ("各地区",))
"""Registry forms that hold a list separator themselves (各地区、各部门, 各省(区、市)人民政府)."""
_HELD = Rule("held", re.compile(r"\x00(\d+)\x00"), ("发展改革委、\x000\x00",), ("各地区、各部门",))
"""A registry form held out of a list while it is split (``\\x00n\\x00``)."""
TRAILING_WORDS = Rule("trailing_words", re.compile(r"(?:等(?:部门|单位|机构)?|会同(?:其他|其它)?(?:有关|相关)(?:部门|单位|方面))$"),
                      ("商务部、扶贫办等", "财政部会同有关部门", "开展重点领域靶向招商、资本招商等"), ("等部门负责人",))
"""What closes a list without naming a body (商务部等, 财政部会同有关部门)."""
GENERIC_PART = Rule("generic_part", re.compile(r"(?:其他|其它)?(?:有关|相关)(?:部门|单位|方面)"),
                    ("国务院有关部门", "需要其他相关部门支持配合", "有关方面"), ("财政部门",))
"""Generic 有关部门: no body, never a lead."""


def parse_agency_list(group: str, jurisdiction: str | None = None, issuer: str | None = None,
                      local_aliases: dict[str, str] | None = None) -> list[tuple[str, str, bool]]:
    """Parse a list of agencies as a lead group writes it, expanding elided prefixes and suffixes.

    Returns (written, canonical, is_registered) in order.

    >>> [c for _, c, _ in parse_agency_list("市科技局、地方金融监管局")]
    ['广州市科学技术局', '广州市地方金融监督管理局']
    >>> [c for _, c, _ in parse_agency_list("天河区、黄埔区政府")]
    ['广州市天河区人民政府', '广州市黄埔区人民政府']
    >>> [c for _, c, _ in parse_agency_list("发展改革委、各省(区、市)人民政府", "全国")]
    ['国家发展和改革委员会', '各省级人民政府']
    >>> [c for _, c, _ in parse_agency_list("商务部、扶贫办等", "全国")], parse_agency_list("有关部门", "全国")
    (['商务部', '国务院扶贫开发领导小组办公室'], [])
    """
    group = TRAILING_WORDS.pattern.sub("", fold(group).strip())
    kept: list[str] = []

    def hold(m: re.Match) -> str:
        kept.append(m.group())
        return f"\x00{len(kept) - 1}\x00"

    held = _GROUPED_FORMS.pattern.sub(hold, group)
    parts = [p.strip() for p in _LIST_SPLIT.pattern.split(held) if p and p.strip()]
    parts = [_HELD.pattern.sub(lambda m: kept[int(m.group(1))], p) for p in parts]
    parts = [TRAILING_WORDS.pattern.sub("", p) for p in parts]
    parts = [p for p in parts if p and not GENERIC_PART.pattern.fullmatch(p)]
    if not parts:
        return []
    # Suffix elision: "天河区、黄埔区政府" -> both governments.
    last = parts[-1]
    suffix = ""
    for suf in ("人民政府", "政府"):
        if last.endswith(suf) and (last[: -len(suf)] in DISTRICTS or _is_place(last[: -len(suf)])):
            suffix = suf
            break
    # Prefix elision: "市科技局、地方金融监管局" -> both city agencies.
    first = parts[0]
    prefix = first[0] if first[:1] in ("市", "省", "县") else ""
    out = []
    for part in parts:
        written = part
        if suffix and (part in DISTRICTS or _is_place(part)):
            part = part + suffix
        got = None
        if prefix and not part.startswith(("市", "省", "县", "区", "广州", "中共", "各", "相关", "有关")) and part not in DISTRICTS:
            got = resolve(prefix + part, jurisdiction, issuer, local_aliases)
            if got and not got[1]:
                alt = resolve(part, jurisdiction, issuer, local_aliases)
                if alt and alt[1]:
                    got = alt
        if got is None:
            got = resolve(part, jurisdiction, issuer, local_aliases)
        if got is None:
            # Kept as written and flagged: an unknown unit in a lead group is still a lead.
            got = (part, False)
        out.append((written, got[0], got[1]))
    return out


_PLACES_ONLY = Rule("places_only", re.compile(rf"(?:{PLACE_NAME})+"), ("天河区", "四川省成都市"), ("各地",))
_DISTRICT_GOVERNMENT = Rule("district_government", re.compile(_DISTRICT + r"(?:人民)?政府"),
                            ("以及海珠区政府、天河区政府", "番禺区人民政府"), ("海珠区发展和改革局",))


def _is_place(s: str) -> bool:
    return bool(s) and _PLACES_ONLY.pattern.fullmatch(s) is not None


def jurisdiction_of(canonical: str | None) -> str | None:
    """Return the jurisdiction an agency belongs to: 全国 for national bodies, else its innermost place.

    >>> jurisdiction_of("国务院办公厅"), jurisdiction_of("成都市交通运输局"), jurisdiction_of("江苏省人民政府办公厅")
    ('全国', '成都市', '江苏省')
    """
    if not canonical:
        return None
    ag = registry().get(canonical)
    if ag:
        return ag.jurisdiction
    for district in DISTRICTS:
        if district in canonical:
            return district
    if canonical.startswith((CITY, "中共广州")):
        return CITY
    if canonical.startswith(_NATIONAL_HEAD):
        return NATIONAL
    places = places_of(canonical)
    return places[-1] if places else None
