"""Recognise agencies in text and resolve each to the registry (``etl/data/agencies.csv``).

In: text (and the document's jurisdiction / issuer for relative names). Out: ``AgencyRef``s.
An agency that the registry does not know is kept as written (prefixed with its jurisdiction
where the text implies one) and flagged ``is_registered=False``, never mapped to a catch-all.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.model import AgencyRef

REGISTRY_CSV = Path(__file__).with_name("data") / "agencies.csv"
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
    by_name: dict  # every written form -> canonical

    def get(self, canonical: str) -> Agency | None:
        return _by_canonical(self)[canonical] if canonical in _by_canonical(self) else None

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


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Load the agency registry from its CSV."""
    agencies = []
    by_name: dict[str, str] = {}
    with REGISTRY_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            aliases = tuple(a for a in (row["aliases"] or "").split("|") if a)
            ag = Agency(row["canonical"], row["short_name"], row["name_en"], row["level"],
                        row["jurisdiction"], aliases, row["successor"] or None)
            agencies.append(ag)
    for ag in agencies:
        forms = [ag.canonical, ag.short_name, *ag.aliases]
        if ag.canonical.startswith(CITY):
            forms.append(ag.canonical[len(CITY):])
            forms.append("市" + ag.canonical[len(CITY):])
        if ag.canonical.startswith("中共广州市委"):
            forms.append("市委" + ag.canonical[len("中共广州市委"):])
        for form in forms:
            # District short forms (区发改局) are resolved with the document's district, not here.
            if form and not (ag.level != "government" and ag.jurisdiction != CITY and form.startswith("区")):
                by_name.setdefault(form, ag.canonical)
    return Registry(tuple(agencies), by_name)


# ---------------------------------------------------------------------------------------
# Recogniser: names of agencies as the documents write them.

_ORG_SUFFIX = (
    r"(?:人民政府|政府|办公厅|办公室|委员会|领导小组|局|委|办|厅|部|署|总社|集团(?:有限公司)?|中心)"
)
_DISTRICT = "(?:" + "|".join(DISTRICTS) + ")"

_HEAD_CHARS = r"[\u4e00-\u9fff]"


def _alias_pattern() -> re.Pattern:
    names = sorted(registry().by_name, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names))


@lru_cache(maxsize=1)
def _alias_re() -> re.Pattern:
    return _alias_pattern()


GENERIC_AGENCY = re.compile(
    r"(?:广州市|市委|市|" + _DISTRICT + r"|区)"
    r"[\u4e00-\u9fff]{2,14}?"
    r"(?:局|委员会|委|办公室|办|总社|领导小组)"
    r"(?![\u4e00-\u9fff]{0,2}(?:长|主任|书记|制度|机制|工作|系统|平台))"
)
"""Names of the shape 市X局 / 区X局 / 市委X办 that the registry may not hold.

>>> bool(GENERIC_AGENCY.fullmatch("市港务局"))
True
"""


CLAUSE_DISTRICT = re.compile(r"(?:(?<=^)|(?<=[。;;,,:\n]))" + _DISTRICT + r"(?![\u4e00-\u9fff]{0,2}政府)(?=[\u4e00-\u9fff])")
"""A district named at the head of a clause acts as its government (番禺区推动设立…基金)."""


def resolve(written: str, jurisdiction: str | None = None, issuer: str | None = None,
            local_aliases: dict[str, str] | None = None) -> tuple[str, bool] | None:
    """Resolve one written agency name to (canonical, is_registered), or None if not an agency.

    >>> resolve("市工信委")
    ('广州市工业和信息化委员会', True)
    >>> resolve("区发改局", jurisdiction="天河区")
    ('天河区发展和改革局', True)
    >>> resolve("天河区")
    ('广州市天河区人民政府', True)
    """
    reg = registry()
    name = written.strip().strip("“”\"'")
    if not name:
        return None
    if local_aliases and name in local_aliases:
        return local_aliases[name], registry().get(local_aliases[name]) is not None
    if name in ("我局", "我委", "我市", "我区", "我办", "本局", "本委", "我们", "我厅") and issuer:
        if name in ("我市",) and issuer and not issuer.startswith(CITY):
            return issuer, reg.get(issuer) is not None
        return issuer, reg.get(issuer) is not None
    if name in reg.by_name and not name.startswith("区"):
        return reg.by_name[name], True
    if name in DISTRICTS:
        return f"{CITY}{name}人民政府", True
    m = re.fullmatch(_DISTRICT + r"(?:人民)?政府", name)
    if m:
        return f"{CITY}{name.replace('人民政府', '政府').replace('政府', '人民政府')}", True
    if name.startswith("区") and jurisdiction and jurisdiction != CITY:
        rest = name[1:]
        rest = DISTRICT_SHORT_FORMS.get(rest, rest)
        full = jurisdiction + rest
        if reg.get(full):
            return full, True
        return full, False
    for district in DISTRICTS:
        if name.startswith(district) and len(name) > len(district):
            rest = name[len(district):]
            full = district + DISTRICT_SHORT_FORMS.get(rest, rest)
            if reg.get(full):
                return full, True
            if full in reg.by_name:
                return reg.by_name[full], True
            return full, False
    if name.startswith(("市", "广州市")) and GENERIC_AGENCY.fullmatch(name):
        base = name[3:] if name.startswith("广州市") else name[1:]
        return CITY + base, False
    if GENERIC_AGENCY.fullmatch(name):
        return name, False
    return None


def find_mentions(text: str, jurisdiction: str | None = None, issuer: str | None = None,
                  local_aliases: dict[str, str] | None = None) -> list[AgencyRef]:
    """Find every agency named in ``text``: registry forms first, then the generic shapes.

    >>> [r.canonical for r in find_mentions("由市发展改革委、市财政局负责")]
    ['广州市发展和改革委员会', '广州市财政局']
    """
    taken = [False] * len(text)
    refs: list[AgencyRef] = []
    patterns = [_alias_re()]
    if local_aliases:
        patterns.insert(0, re.compile("|".join(re.escape(k) for k in sorted(local_aliases, key=len, reverse=True))))
    patterns.append(re.compile(_DISTRICT + r"(?:人民)?政府"))
    patterns.append(CLAUSE_DISTRICT)
    patterns.append(GENERIC_AGENCY)
    for pattern in patterns:
        for m in pattern.finditer(text):
            s, e = m.span()
            # A registry short form inside a longer word (…局长, …办法) is not a mention.
            if any(taken[s:e]) or (e < len(text) and text[e] in "长法"):
                continue
            if s > 0 and pattern is not patterns[0] and "\u4e00" <= text[s - 1] <= "\u9fff" and text[s] == "市" and text[s - 1] not in "州由与和、及会同在经向对将":
                continue
            got = resolve(m.group(), jurisdiction, issuer, local_aliases)
            if got is None:
                continue
            canonical, registered = got
            refs.append(AgencyRef(canonical, m.group(), s, e, registered))
            for i in range(s, e):
                taken[i] = True
    refs.sort(key=lambda r: r.start)
    return refs


_LIST_SPLIT = re.compile(r"[、,,;;]|和(?=[市区县各相有])|及(?=[市区县各相有])|与(?=[市区县各相有])")


def parse_agency_list(group: str, jurisdiction: str | None = None, issuer: str | None = None,
                      local_aliases: dict[str, str] | None = None) -> list[tuple[str, str, bool]]:
    """Parse a list of agencies as a lead group writes it, expanding elided prefixes and suffixes.

    Returns (written, canonical, is_registered) in order.

    >>> [c for _, c, _ in parse_agency_list("市科技局、地方金融监管局")]
    ['广州市科学技术局', '广州市地方金融监督管理局']
    >>> [c for _, c, _ in parse_agency_list("天河区、黄埔区政府")]
    ['广州市天河区人民政府', '广州市黄埔区人民政府']
    """
    parts = [p.strip() for p in _LIST_SPLIT.split(group) if p and p.strip()]
    if not parts:
        return []
    # Suffix elision: "天河区、黄埔区政府" -> both governments.
    last = parts[-1]
    suffix = ""
    for suf in ("人民政府", "政府"):
        if last.endswith(suf) and last[: -len(suf)] in DISTRICTS:
            suffix = suf
    # Prefix elision: "市科技局、地方金融监管局" -> both city agencies.
    first = parts[0]
    prefix = "市" if first.startswith("市") and not first.startswith("市委") else ""
    if first.startswith("市委"):
        prefix = "市"
    out = []
    for part in parts:
        written = part
        if suffix and part in DISTRICTS:
            part = part + suffix
        got = None
        if prefix and not part.startswith(("市", "区", "广州", "中共", "各", "相关", "有关")) and part not in DISTRICTS:
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


def jurisdiction_of(canonical: str | None) -> str | None:
    """Return the jurisdiction an agency belongs to (广州市 or a district)."""
    if not canonical:
        return None
    ag = registry().get(canonical)
    if ag:
        return ag.jurisdiction
    for district in DISTRICTS:
        if district in canonical:
            return district
    return CITY if canonical.startswith((CITY, "中共广州")) else None
