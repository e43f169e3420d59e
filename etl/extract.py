"""Run every extractor over one document's stored text.

In: stored text (already decoded and simplified). Out: ``Extraction``, and ``to_answer_json``
for the answer-key format (``file``, ``doc``, ``commitments``, ``money``, ``counts``, ``targets``).
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from etl import agencies, segment
from etl.commitments import extract_commitments
from etl.counts import extract_counts
from etl.figures import extract_figures
from etl.metadata import extract_metadata
from etl.model import Extraction
from etl.money import MoneyContext, extract_money
from etl.normalize import fold, restore, restore_phrase
from etl.spans import Ordered
from etl.targets import extract_targets, future_sentences


def extract(original: str) -> Extraction:
    """Extract metadata, outline, commitments, money, counts, targets and agency mentions.

    The rules read the folded view of the text (``etl.normalize``); every fact returned quotes
    the original at its offsets.
    """
    text = fold(original)
    paras = segment.paragraphs(text)
    sections = segment.outline(text, paras)
    meta, aliases = extract_metadata(text, paras)
    sents = segment.sentences(text)
    commitments = extract_commitments(text, paras, sections, meta, aliases)
    issue_year = int(meta.issue_date[:4]) if meta.issue_date else None
    is_policy = meta.doc_type == "policy_measures"
    spans = tuple((c.char_start, c.char_end) for c in commitments)
    is_rules = sum(s.label_style == "article" for s in sections) >= 3
    ctx = MoneyContext(issue_year, not is_policy, is_policy, spans, is_rules)
    money = extract_money(text, sents, ctx)
    counts = extract_counts(text, sents, ctx)
    mentions = agencies.find_mentions(text, meta.jurisdiction, meta.issuer, aliases)
    leads = [(c.char_start, c.char_end, c.lead_agencies) for c in commitments]
    default = (meta.issuer,) if meta.issuer else ()
    future = future_sentences(text, sents, paras, leads)  # which sentences plan: targets and figures alike
    targets = extract_targets(text, sents, paras, money, leads, issue_year, mentions, default, future)
    by_start = Ordered(mentions)  # mentions between two offsets, by bisection
    money = [_with_agency(m, by_start) for m in money]
    figures = extract_figures(text, sents, paras, ctx, money, counts, targets, mentions, original,  # quotes original
                              future)
    targets = _with_figure_metrics(targets, figures)
    warnings = []
    if not commitments:
        warnings.append("no commitments found: no 下一步 passage or numbered measure recognised")
    if meta.issue_date is None:
        warnings.append("no issue date found")
    if meta.issuer is None:
        warnings.append("no issuer found")
    if text != original:
        meta = replace(meta, title=restore_phrase(meta.title, text, original),
                       addressee=restore_phrase(meta.addressee, text, original))
        sections, commitments, money, counts, targets, mentions = (
            restore(tuple(x), original) for x in (sections, commitments, money, counts, targets, mentions))
    return Extraction(original, meta, tuple(sections), tuple(commitments), tuple(money), tuple(counts),
                      tuple(targets), tuple(mentions), tuple(warnings), tuple(figures))


def _with_figure_metrics(targets, figures):
    """Give each target the metric its figure has: one rule names what a number measures."""
    by_span = {(f.char_start, f.char_end): f.metric for f in figures}
    return [replace(t, metric=by_span[(t.char_start, t.char_end)]) if by_span.get((t.char_start, t.char_end)) else t
            for t in targets]


def _with_agency(m, mentions):
    """Attach the agency the amount's sentence names before it, if any."""
    from etl.context import title_spans, inside

    quoted = title_spans(m.sentence.text)
    before = [r for r in mentions.between(m.sentence.start, m.char_start)
              if not inside(quoted, r.char_start - m.sentence.start, r.char_end - m.sentence.start)]
    return replace(m, agency=before[-1].canonical) if before else m


ANSWER_KIND = {"financing": "fund"}
"""Money kinds the answer key does not split: a financing programme is one of its ``fund``s."""


def _num(v: float):
    return int(v) if float(v).is_integer() else v


def to_answer_json(file_name: str, ex: Extraction) -> dict:
    """Render an extraction in the answer key's format (its own keys: ``start``, ``yuan``, ``kind``,
    ``target``…, where the facts' fields are named as the table columns)."""
    meta = ex.meta
    return {
        "file": file_name,
        "doc": {
            "doc_type": meta.doc_type, "title": meta.title, "issuer": meta.issuer,
            "jurisdiction": meta.jurisdiction, "issue_date": meta.issue_date,
            "proposal_no": meta.proposal_no, "addressee": meta.addressee,
            "co_agencies": list(meta.co_agencies), "valid_from": meta.valid_from,
            "valid_until": meta.valid_until, "doc_no": meta.doc_no,
        },
        "commitments": [
            {"item": c.item_label, "task": c.task_no, "start": c.char_start, "end": c.char_end,
             "starts_with": c.text[:12], "lead_agencies": list(c.lead_agencies), "deadline": c.deadline_date,
             "deadline_basis": c.deadline_basis}
            for c in ex.commitments
        ],
        "money": [
            {"span": m.span_text, "start": m.char_start, "end": m.char_end, "yuan": _num(m.amount_yuan),
             "qualifier": m.qualifier, "year": m.figure_year, "kind": ANSWER_KIND.get(m.money_kind, m.money_kind),
             "target": m.is_target}
            for m in ex.money
        ],
        "counts": [
            {"span": c.span_text, "start": c.char_start, "end": c.char_end, "value": _num(c.value),
             "qualifier": c.qualifier, "year": c.figure_year, "metric": c.metric, "target": c.is_target}
            for c in ex.counts
        ],
        "targets": [
            {"span": t.span_text, "start": t.char_start, "end": t.char_end, "value": _num(t.value), "unit": t.unit,
             "qualifier": t.qualifier, "year": t.figure_year, "metric": t.metric, "lead_agencies": list(t.lead_agencies)}
            for t in ex.targets
        ],
        "figures": [
            {"span": f.span_text, "start": f.char_start, "end": f.char_end, "value": _num(f.value), "unit": f.unit,
             "qualifier": f.qualifier, "metric": f.metric, "year": f.year, "cumulative": f.is_cumulative,
             "change": f.is_change, "target": f.is_target, "kind": f.kind}
            for f in ex.figures
        ],
    }
