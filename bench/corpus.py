"""Generate a deterministic benchmark corpus by recombining the seed documents.

In: the seed texts (``seeds/*.txt``), a document count and an RNG seed. Out: text files under
``data/bench/`` (git-ignored) and a ``manifest.json`` naming them.

Each seed is parsed into header, an outline of numbered items (一、 / (一) / 1. / 一是, plus
下一步 passages) and a footer. A generated document takes one seed as its skeleton, drops some
items, borrows items (with their sub-items) of the same numbering style from the other seeds,
renumbers everything, then varies years, amounts, counts, districts, proposal numbers and
addressees. Document ``i`` depends only on (seed, i), so the first 1,000 documents of a 10,000
corpus are the 1,000-document corpus. About one file in ten is written in GB18030.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.counts import COUNT_RULES
from etl.money import MONEY_RULES

GENERATOR_VERSION = 3
DEFAULT_SEED = 20240601
DEFAULT_OUT = Path("data/bench")
SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"
GB18030_SHARE = 0.1

_CN_DIGITS = "零一二三四五六七八九"
_CN_NUM = r"[一二三四五六七八九十]{1,3}"

LABELS = (  # (kind, pattern): the numbering styles an item line can start with
    ("cn", re.compile(rf"^(\s*)({_CN_NUM})(、)")),
    ("paren", re.compile(rf"^(\s*[（(])({_CN_NUM})([）)])")),
    ("arabic", re.compile(r"^(\s*)(\d{1,2})([.．、])(?!\d)")),
    ("shi", re.compile(rf"^(\s*)({_CN_NUM})(是)")),
)
NEXT_STEP = re.compile(r"^\s*下一步")
CLOSING = re.compile(r"^\s*(此复|特此|非常感谢|感谢|本措施|本办法|本意见|本通知|主办单位|[（(]?联系人)")
DISTRICTS = ("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国华明丽军伟芳敏静强磊洋艳勇杰娟涛超秀霞平刚桂英兰红玉文志海燕鹏飞宇欣怡浩然晨曦嘉琪俊凯佳颖思远梓涵"

AMOUNT = re.compile(r"(?<![\d.第])(\d+(?:\.\d+)?)(?=(?:多|余)?(?:万亿|亿|万|千|百)?(?:元|个|家|项|台|所|人|名|件|条|批|座|户|套|场|次|平方米|亩|%|%))")
YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-3]\d)(?=年|-\d|〕|\])|(?<=〔)(20[0-3]\d)(?!\d)")
PROPOSAL_NO = re.compile(r"(第)(\d{3,8})(号)")
ADDRESSEE = re.compile(r"^(\s*)(\S{2,3}?)(等)?(代表|委员)([::])", re.M)
SIGN_DATE = re.compile(r"^(\s*\d{4}年)(\d{1,2})(月)(\d{1,2})(日\s*)$", re.M)
DOC_NO = re.compile(r"(〔\d{4}〕)(\d{1,3})(号)")


@dataclass
class Item:
    kind: str  # cn / paren / arabic / shi / next
    lines: list[str]  # the label line and the unlabelled lines after it
    children: list["Item"] = field(default_factory=list)
    first_no: int = 1  # the number the seed gave it (1 for 下一步)
    source: str = ""

    def flat(self) -> list["Item"]:
        return [self] + [d for c in self.children for d in c.flat()]


@dataclass
class Seed:
    name: str
    header: list[str]
    body: list[Item]
    footer: list[str]
    depth: dict[int, int] = field(default_factory=dict)


def cn_number(n: int) -> str:
    """Write 1..99 as a Chinese numeral.

    >>> cn_number(1), cn_number(10), cn_number(14), cn_number(22)
    ('一', '十', '十四', '二十二')
    """
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + ("" if ones == 0 else _CN_DIGITS[ones])


def cn_value(s: str) -> int:
    """Read a Chinese numeral of 1..99.

    >>> cn_value("十"), cn_value("十七"), cn_value("二十二")
    (10, 17, 22)
    """
    if "十" not in s:
        return _CN_DIGITS.index(s)
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(ones) if ones else 0)


def _label(line: str) -> tuple[str, re.Match] | None:
    for kind, pattern in LABELS:
        m = pattern.match(line)
        if m:
            return kind, m
    return None


def parse_seed(name: str, text: str) -> Seed:
    """Split a seed into header lines, an item tree and footer lines."""
    lines = text.split("\n")
    first = next((i for i, ln in enumerate(lines) if _label(ln) or NEXT_STEP.match(ln)), len(lines))
    close = next((i for i in range(first, len(lines)) if CLOSING.match(lines[i])), len(lines))
    body = lines[first:close]
    rank: dict[str, int] = {"next": 0}
    roots: list[Item] = []
    stack: list[tuple[int, Item]] = []
    for k, ln in enumerate(body):
        got = _label(ln)
        opens = got is None and NEXT_STEP.match(ln) is not None and _opens_list(body[k + 1:])
        if got is None and not opens:  # plain text, or a 下一步 paragraph inside a section
            if stack:
                stack[-1][1].lines.append(ln)
            else:
                roots.append(Item("text", [ln], source=name))
            continue
        kind = got[0] if got else "next"
        if kind not in rank:
            rank[kind] = len(rank)
        number = 1 if not got else (int(got[1].group(2)) if kind == "arabic" else cn_value(got[1].group(2)))
        item = Item(kind, [ln], first_no=number, source=name)
        while stack and stack[-1][0] >= rank[kind]:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(item)
        stack.append((rank[kind], item))
    return Seed(name, lines[:first], roots, lines[close:])


def _opens_list(rest: list[str]) -> bool:
    """Whether a 下一步 paragraph introduces a list: the next numbered line restarts at 1."""
    for ln in rest:
        got = _label(ln)
        if got:
            kind, m = got
            return (int(m.group(2)) if kind == "arabic" else cn_value(m.group(2))) == 1
    return False


def _unlabelled(line: str) -> str:
    got = _label(line)
    return line[got[1].end():] if got else line


def _runs(items: list[Item]) -> list[list[Item]]:
    """Group consecutive siblings of one numbering style."""
    runs: list[list[Item]] = []
    for it in items:
        if runs and runs[-1][0].kind == it.kind:
            runs[-1].append(it)
        else:
            runs.append([it])
    return runs


def _has_money(text: str) -> bool:
    """Whether ``text`` holds an amount by the money extractor's own rules."""
    return any(r.pattern.search(text) for r in MONEY_RULES)


def _has_count(text: str) -> bool:
    """Whether ``text`` holds a project count by the count extractor's own rules."""
    return any(r.pattern.search(text) for r in COUNT_RULES)


def _holds_next_step(item: Item) -> bool:
    """Whether an item holds a 下一步 passage (where replies put their commitments): never dropped."""
    return any("下一步" in ln for it in item.flat() for ln in it.lines)


def _copy(item: Item) -> Item:
    return Item(item.kind, list(item.lines), [_copy(c) for c in item.children], item.first_no, item.source)


class Recombiner:
    """Make new item trees from a skeleton seed and items borrowed from all seeds."""

    def __init__(self, seeds: list[Seed]):
        self.seeds = seeds
        self.pool: dict[str, list[Item]] = {}
        for s in seeds:
            for root in s.body:
                for it in root.flat():
                    if it.kind not in ("next", "text") and len("".join(it.lines)) > 60:
                        self.pool.setdefault(it.kind, []).append(it)
        paragraphs = [_unlabelled(ln) for s in seeds for root in s.body for it in root.flat() for ln in it.lines]
        self.money_lines = [ln for ln in paragraphs if _has_money(ln) and len(ln) < 1300]
        self.count_lines = [ln for ln in paragraphs if _has_count(ln) and len(ln) < 1300]

    def items(self, rng: random.Random, items: list[Item], depth: int, skeleton: str) -> list[Item]:
        out: list[Item] = []
        for run in _runs(items):
            if run[0].kind in ("next", "text"):
                out += [self._with_children(rng, it, depth, skeleton) for it in run]
                continue
            kept = [it for it in run if _holds_next_step(it) or rng.random() > 0.45] or [rng.choice(run)]
            borrowable = [it for it in self.pool.get(run[0].kind, ()) if it.source != skeleton]
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2)) if borrowable else 0):
                kept.insert(rng.randrange(len(kept) + 1), rng.choice(borrowable))
            start = run[0].first_no
            for k, it in enumerate(kept):
                new = self._with_children(rng, it, depth, skeleton)
                new.first_no = start if k == 0 else 0  # 0: continues the run
                out.append(new)
        return out

    def _with_children(self, rng: random.Random, item: Item, depth: int, skeleton: str) -> Item:
        new = _copy(item)
        new.children = self.items(rng, item.children, depth + 1, skeleton) if depth < 4 else new.children
        return new


def _renumber(items: list[Item], counters: dict[str, int]) -> list[str]:
    lines: list[str] = []
    for it in items:
        if it.kind in ("next", "text"):
            lines += it.lines
        else:
            n = 1 if it.first_no == 1 else counters.get(it.kind, 0) + 1
            counters[it.kind] = n
            pattern = dict(LABELS)[it.kind]
            m = pattern.match(it.lines[0])
            number = str(n) if it.kind == "arabic" else cn_number(n)
            lines.append(m.group(1) + number + m.group(3) + it.lines[0][m.end():])
            lines += it.lines[1:]
        lines += _renumber(it.children, counters)
    return lines


def _vary(text: str, rng: random.Random, i: int) -> str:
    shift = rng.randint(-4, 3)
    text = YEAR.sub(lambda m: str(int(m.group(0)) + shift), text)

    def amount(m: re.Match) -> str:
        raw = m.group(1)
        v = float(raw) * rng.uniform(0.4, 2.5)
        if "." in raw:
            return f"{v:.{len(raw.split('.')[1])}f}"
        return str(max(1, round(v)))

    text = AMOUNT.sub(amount, text)
    perm = list(DISTRICTS)
    rng.shuffle(perm)
    mapping = dict(zip(DISTRICTS, perm))
    text = re.sub("|".join(DISTRICTS), lambda m: mapping[m.group(0)], text)
    text = PROPOSAL_NO.sub(lambda m: f"{m.group(1)}{rng.randint(10 ** (len(m.group(2)) - 1), 10 ** len(m.group(2)) - 1)}{m.group(3)}", text)
    text = DOC_NO.sub(lambda m: f"{m.group(1)}{rng.randint(1, 180)}{m.group(3)}", text)
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    text = ADDRESSEE.sub(lambda m: f"{m.group(1)}{name}{m.group(3) or ''}{m.group(4)}{m.group(5)}", text, count=1)
    text = SIGN_DATE.sub(lambda m: f"{m.group(1)}{rng.randint(1, 12)}{m.group(3)}{rng.randint(1, 28)}{m.group(5)}", text)
    return text


def load_seeds(seed_dir: Path = SEED_DIR) -> list[Seed]:
    return [parse_seed(p.name, p.read_text(encoding="utf-8")) for p in sorted(seed_dir.glob("*.txt"))]


def make_document(recombiner: Recombiner, key: str) -> tuple[str, str]:
    """Return (text, encoding) of the document named by ``key`` (deterministic)."""
    rng = random.Random(key)
    seed = rng.choice(recombiner.seeds)
    body = recombiner.items(rng, seed.body, 0, seed.name)
    lines = seed.header + _renumber(body, {}) + seed.footer
    text = "\n".join(lines)
    # Keep money and project counts in every document: add a paragraph from the seeds if missing.
    for present, pool in ((_has_money(text), recombiner.money_lines), (_has_count(text), recombiner.count_lines)):
        if not present:
            lines.insert(len(seed.header) + 1, rng.choice(pool))
    text = "\n".join(lines)
    text = _vary(text, rng, 0)
    encoding = "gb18030" if rng.random() < GB18030_SHARE else "utf-8"
    return text, encoding


def generate(n: int, out_dir: Path = DEFAULT_OUT / "corpus", seed: int = DEFAULT_SEED, prefix: str = "bench",
             namespace: str = "doc") -> list[Path]:
    """Write ``n`` documents under ``out_dir`` (reused when its manifest matches); return their paths."""
    out_dir = Path(out_dir)
    manifest = out_dir / "manifest.json"
    want = {"version": GENERATOR_VERSION, "seed": seed, "n": n, "prefix": prefix, "namespace": namespace}
    if manifest.exists():
        got = json.loads(manifest.read_text())
        paths = [out_dir / p for p in got.get("files", [])]
        if {k: got.get(k) for k in want} == want and all(p.exists() for p in paths):
            return paths
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.rglob("*.txt"):
        old.unlink()
    recombiner = Recombiner(load_seeds())
    paths: list[Path] = []
    shas: set[str] = set()
    for i in range(n):
        attempt = 0
        while True:
            text, encoding = make_document(recombiner, f"{seed}:{namespace}:{i}:{attempt}")
            data = text.encode(encoding)
            sha = hashlib.sha256(data).hexdigest()
            if sha not in shas:
                break
            attempt += 1
        shas.add(sha)
        path = out_dir / f"{i // 1000:03d}" / f"{prefix}_{i:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    manifest.write_text(json.dumps({**want, "files": [str(p.relative_to(out_dir)) for p in paths]}))
    return paths
