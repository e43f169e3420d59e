"""Turn extractions into table rows and write them to DuckDB (the data checks are in ``checks``).

In: (doc_id, file, ReadResult, Extraction). Out: rows per table (``document_rows``), and
``insert_rows`` / ``delete_documents`` / ``upsert_agencies`` over an open read-write connection.
IDs are derived from content, so loading the same files twice gives the same rows and IDs.
"""

from __future__ import annotations

import hashlib
import operator
import re
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import agencies as ag
from etl.model import Extraction
from etl.normalize import fold
from etl.read import ReadResult
from etl.schema import TABLES, ddl
from etl.segment import Rule


def _h(prefix: str, *parts) -> str:
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return prefix + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def doc_id_for(file_name: str) -> str:
    """Return the stable document ID of a file name (a changed file keeps its ID).

    >>> doc_id_for("000_a.txt") == doc_id_for("000_a.txt")
    True
    """
    return _h("d_", Path(file_name).name)


_WHITE = Rule("white", re.compile(r"\s+"), ("关于 措施\n", "\t"), ("关于措施",))
"""White space: no part of what makes two texts the same document or sentence."""


def text_sha256(text: str) -> str:
    """Hash a stored text as the same document whatever its encoding, format or spacing.

    >>> text_sha256("关于 措施（一）\\n") == text_sha256("关于措施(一)")
    True
    """
    return hashlib.sha256(_WHITE.pattern.sub("", fold(text)).encode("utf-8")).hexdigest()


def _norm(text: str) -> str:
    return _WHITE.pattern.sub("", text)


def document_rows(doc_id: str, file_name: str, source_path: str, rr: ReadResult, ex: Extraction) -> dict[str, list[dict]]:
    """Build every table's rows for one document."""
    meta = ex.meta
    reg = ag.registry()
    issue_year = int(meta.issue_date[:4]) if meta.issue_date else None
    rows: dict[str, list[dict]] = {name: [] for name in ("documents", "commitments", "commitment_agencies",
                                                          "figures", "agency_mentions", "sections", "agencies",
                                                          "reported_figures")}
    unregistered: dict[str, str] = {}
    ids: dict[str, str] = {}  # names repeat within a document: look each up once

    def aid(name: str | None) -> str | None:
        if not name:
            return None
        got = ids.get(name)
        if got is None:
            if reg.get(name) is None:
                unregistered.setdefault(name, name)
            got = ids[name] = ag.agency_id(name)
        return got

    rows["documents"].append({
        "doc_id": doc_id, "file_name": file_name, "source_path": source_path,
        "content_sha256": rr.content_sha256, "text_sha256": text_sha256(rr.text), "source_format": rr.source_format, "encoding": rr.encoding,
        "doc_type": meta.doc_type, "title": meta.title, "issuer_id": aid(meta.issuer), "issuer_name": meta.issuer,
        "jurisdiction": meta.jurisdiction, "issue_date": meta.issue_date, "issue_year": issue_year,
        "proposal_no": meta.proposal_no, "doc_no": meta.doc_no, "addressee": meta.addressee,
        "co_agencies": list(meta.co_agencies), "valid_from": meta.valid_from, "valid_until": meta.valid_until,
        "text": rr.text, "original_text": rr.original_text if rr.original_text != rr.text else None,
        "char_count": len(rr.text), "warnings": list(rr.warnings) + list(ex.warnings),
    })
    for name in meta.co_agencies:
        aid(name)

    seen: dict[str, int] = {}
    commitment_spans = []
    for c in ex.commitments:
        base = _h("c_", doc_id, c.item_label, c.task_no, _norm(c.text))
        n = seen.get(base, 0)
        seen[base] = n + 1
        cid = base if n == 0 else _h("c_", base, n)
        commitment_spans.append((c.char_start, c.char_end, cid))
        rows["commitments"].append({
            "commitment_id": cid, "doc_id": doc_id, "item_label": c.item_label, "task_no": c.task_no,
            "section_path": c.section_path, "text": c.text, "char_start": c.char_start, "char_end": c.char_end,
            "lead_agency_ids": [aid(a) for a in c.lead_agencies], "lead_agency_names": list(c.lead_agencies),
            "deadline_date": c.deadline_date, "deadline_year": int(c.deadline_date[:4]) if c.deadline_date else None,
            "deadline_basis": c.deadline_basis, "deadline_text": c.deadline_text,
        })
        pos = 0
        for role, names in (("lead", c.lead_agencies), ("support", c.support_agencies)):
            for name in dict.fromkeys(names):
                rows["commitment_agencies"].append({"commitment_id": cid, "agency_id": aid(name), "role": role,
                                                    "written_as": name, "position": pos})
                pos += 1

    in_commitment = _SpanFinder(commitment_spans).find

    fseen: dict[str, int] = {}

    def fid(kind: str, span: str, sentence: str) -> str:
        base = _h("f_", doc_id, kind, span, _norm(sentence))
        n = fseen.get(base, 0)
        fseen[base] = n + 1
        return base if n == 0 else _h("f_", base, n)

    def figure(figure_type, f, agency_names, same_sentence, *, value, unit, amount_yuan, money_kind, is_target, metric):
        """A ``figures`` row of a money, count or target fact. Its fields named as the columns go
        across as they are; the keywords are the columns each kind of fact fills its own way."""
        ids = [aid(a) for a in agency_names if a]
        rows["figures"].append({
            "figure_id": fid(figure_type, f.span_text, f.sentence.text), "doc_id": doc_id,
            "commitment_id": in_commitment(f.char_start), "figure_type": figure_type, "span_text": f.span_text,
            "value": float(value), "unit": unit, "amount_yuan": amount_yuan, "qualifier": f.qualifier,
            "money_kind": money_kind, "figure_year": f.figure_year, "is_target": bool(is_target),
            "is_breakdown": _breakdown(f, same_sentence.get(f.sentence.start, ())) or getattr(f, "is_part", False),
            "is_cumulative": getattr(f, "is_cumulative", False), "metric": metric,
            "agency_id": ids[0] if ids else None, "agency_ids": ids, "char_start": f.char_start, "char_end": f.char_end,
            "sentence": f.sentence.text, "sentence_start": f.sentence.start, "sentence_end": f.sentence.end,
        })

    leads_at: dict[tuple[int, int], tuple[str, ...]] = {}
    for c in ex.commitments:
        leads_at.setdefault((c.char_start, c.char_end), c.lead_agencies)
    lead_of = {cid: leads_at.get((s, e), ()) for s, e, cid in commitment_spans}
    money_by_sentence, counts_by_sentence = _by_sentence(ex.money), _by_sentence(ex.counts)
    targets_by_unit = {unit: _by_sentence([x for x in ex.targets if x.unit == unit]) for unit in {t.unit for t in ex.targets}}
    for m in ex.money:
        cid = in_commitment(m.char_start)
        names = [m.agency] if m.agency else list(lead_of.get(cid, ())) if cid else []
        figure("money", m, names, money_by_sentence, value=m.amount_yuan, unit="元", amount_yuan=m.amount_yuan,
               money_kind=m.money_kind, is_target=m.is_target, metric=None)
    for c in ex.counts:
        cid = in_commitment(c.char_start)
        figure("count", c, list(lead_of.get(cid, ())) if cid else [], counts_by_sentence, value=c.value, unit="个",
               amount_yuan=None, money_kind=None, is_target=c.is_target, metric=c.metric)
    for t in ex.targets:
        figure("target", t, list(t.lead_agencies), targets_by_unit[t.unit], value=t.value, unit=t.unit,
               amount_yuan=t.value if t.unit == "元" else None, money_kind=None, is_target=True, metric=t.metric)

    rows["reported_figures"] = reported_figure_rows(doc_id, ex, aid, in_commitment)

    mention_seen = set()
    for r in ex.agency_mentions:
        if (r.char_start, r.char_end) in mention_seen:
            continue
        mention_seen.add((r.char_start, r.char_end))
        rows["agency_mentions"].append({"doc_id": doc_id, "agency_id": aid(r.canonical), "written_as": r.written_as,
                                        "char_start": r.char_start, "char_end": r.char_end})
    for i, s in enumerate(ex.sections):
        rows["sections"].append({"doc_id": doc_id, "section_no": i, "level": s.level, "label": s.label,
                                 "heading": s.heading[:200], "char_start": s.char_start, "char_end": s.char_end})
    for name in unregistered:
        rows["agencies"].append(_agency_row(name, registered=False))
    return rows


def reported_figure_rows(doc_id: str, ex: Extraction, aid, in_commitment) -> list[dict]:
    """One ``reported_figures`` row per figure of the extraction (``aid`` names → agency IDs,
    ``in_commitment`` offset → commitment ID)."""
    out, seen, norms = [], {}, {}
    for f in ex.figures:
        norm = norms.get(f.sentence.start)
        if norm is None:
            norm = norms[f.sentence.start] = _norm(f.sentence.text)
        base = _h("g_", doc_id, f.span_text, f.char_start - f.sentence.start, norm)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append({
            "figure_id": base if n == 0 else _h("g_", base, n), "doc_id": doc_id,
            "commitment_id": in_commitment(f.char_start), "span_text": f.span_text, "value": float(f.value), "unit": f.unit,
            "is_unit_known": f.is_unit_known, "qualifier": f.qualifier, "kind": f.kind, "metric": f.metric,
            "year": f.year, "year_basis": f.year_basis, "is_cumulative": f.is_cumulative, "is_change": f.is_change,
            "is_target": f.is_target, "agency_id": aid(f.agency), "char_start": f.char_start, "char_end": f.char_end,
            "sentence": f.sentence.text, "sentence_start": f.sentence.start, "sentence_end": f.sentence.end,
        })
    return out


BREAKDOWN = Rule("breakdown", re.compile(r"其中"), ("近千个,其中百亿级项目超30个",), ("其他",))
"""A later figure of a sentence after 其中 is a part of an earlier one."""


def is_breakdown(fact, earlier) -> bool:
    """True when a figure is part of an earlier one of its sentence: 近千个,其中百亿级项目超30个.

    >>> from types import SimpleNamespace as F
    >>> s = F(start=0, end=30, text="引进优质项目近千个,其中500亿级项目6个")
    >>> a, b = F(char_start=4, char_end=9, sentence=s), F(char_start=13, char_end=22, sentence=s)
    >>> is_breakdown(b, [a, b]), is_breakdown(a, [a, b])
    (True, False)
    """
    return _breakdown(fact, [e for e in earlier if e.sentence.start == fact.sentence.start])


def _by_sentence(facts) -> dict[int, list]:
    """Facts grouped by the start of their sentence, in their order (so each figure looks at its own)."""
    out: dict[int, list] = {}
    for f in facts:
        out.setdefault(f.sentence.start, []).append(f)
    return out


def _breakdown(fact, same_sentence) -> bool:
    sent = fact.sentence
    first = next((e for e in same_sentence if e.char_end <= fact.char_start), None)
    if first is None:
        return False
    # 其中 after the first figure of the sentence opens a breakdown that runs to the sentence's end.
    return bool(BREAKDOWN.pattern.search(sent.text[first.char_end - sent.start:fact.char_start - sent.start]))


class _SpanFinder:
    """Which of some spans (start, end, key) holds a position: the first listed, as a scan would say,
    found by bisection (a long document has thousands of commitments and figures).

    >>> _SpanFinder([(0, 10, "a"), (5, 8, "b"), (20, 30, "c")]).find(6), _SpanFinder([(20, 30, "c")]).find(3)
    ('a', None)
    """

    def __init__(self, spans):
        self.spans = sorted((s, e, order, key) for order, (s, e, key) in enumerate(spans))
        self.starts = [s for s, *_ in self.spans]
        self.longest = max((e - s for s, e, *_ in self.spans), default=0)

    def find(self, pos: int):
        import bisect

        best = None
        i = bisect.bisect_right(self.starts, pos) - 1
        while i >= 0 and self.spans[i][0] > pos - self.longest - 1:
            s, e, order, key = self.spans[i]
            if s <= pos < e and (best is None or order < best[0]):
                best = (order, key)
            i -= 1
        return None if best is None else best[1]


def _agency_row(name: str, registered: bool) -> dict:
    reg = ag.registry()
    a = reg.get(name)
    if a is not None:
        current = reg.current(name)
        return {"agency_id": a.agency_id, "canonical_name": a.canonical, "short_name": a.short_name,
                "name_en": a.name_en, "level": a.level, "jurisdiction": a.jurisdiction, "aliases": list(a.aliases),
                "successor_id": ag.agency_id(a.successor) if a.successor else None,
                "current_id": ag.agency_id(current), "is_registered": True}
    return {"agency_id": ag.agency_id(name), "canonical_name": name, "short_name": name, "name_en": None,
            "level": "unknown", "jurisdiction": ag.jurisdiction_of(name), "aliases": [], "successor_id": None,
            "current_id": ag.agency_id(name), "is_registered": registered}


def registry_rows() -> list[dict]:
    return [_agency_row(a.canonical, True) for a in ag.registry().agencies]


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in ddl():
        con.execute(stmt)


DOC_TABLES = ("documents", "commitments", "commitment_agencies", "figures", "agency_mentions", "sections",
              "reported_figures")


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Delete every row of these documents, in one statement per table."""
    if not doc_ids:
        return
    ids = list(doc_ids)
    con.execute("DELETE FROM commitment_agencies WHERE commitment_id IN "
                "(SELECT commitment_id FROM commitments WHERE list_contains($ids, doc_id))", {"ids": ids})
    for table in ("figures", "reported_figures", "agency_mentions", "sections", "commitments", "documents"):
        con.execute(f"DELETE FROM {table} WHERE list_contains($ids, doc_id)", {"ids": ids})


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert rows in bulk through an Arrow table built column by column (column order from the schema)."""
    if not rows:
        return
    cols = TABLES[table].column_names
    try:  # every row has every column (as ``document_rows`` builds them): transposed in C
        columns = list(zip(*map(operator.itemgetter(*cols), rows))) if len(cols) > 1 else [[r[cols[0]] for r in rows]]
    except KeyError:
        columns = [[r.get(c) for r in rows] for c in cols]
    arrow = pa.table({c: pa.array(v, type=_ARROW_TYPES.get(TABLES[table].column(c).sql_type))
                      for c, v in zip(cols, columns)})
    con.register("_rows", arrow)
    try:
        casts = ", ".join(f"CAST({c} AS {TABLES[table].column(c).sql_type}) AS {c}" for c in cols)
        con.execute(f"INSERT INTO {table} SELECT {casts} FROM _rows")
    finally:
        con.unregister("_rows")


_ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
                "DATE": pa.string(), "VARCHAR[]": pa.list_(pa.string())}
"""Arrow types to carry each SQL type in (dates travel as ISO strings; TIMESTAMP is inferred)."""


def upsert_agencies(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    if not rows:
        return
    unique = {r["agency_id"]: r for r in rows}
    existing = {r[0] for r in con.execute("SELECT agency_id FROM agencies").fetchall()}
    insert_rows(con, "agencies", [r for k, r in unique.items() if k not in existing])
