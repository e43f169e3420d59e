"""Place extracted facts on a document's stored text and render it with highlights by kind.

In: the document text and its facts (``queries.document_facts``). Out: ``Span``s (kind, offsets,
tooltip), the facts that could not be placed (with the reason), and HTML: the text with
nested highlights (a commitment's background, a figure's stronger colour inside it, agencies
underlined) and a legend. Pure: no Streamlit, no database; all text is HTML-escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from dashboard import i18n

KINDS = ("commitment", "money", "count", "target", "agency", "deadline")
STYLES = {
    "commitment": {"background": "#FFF3BF"},
    "deadline": {"background": "#FFD8A8", "box-shadow": "inset 0 -3px 0 #E8590C"},
    "count": {"background": "#99E9F2", "box-shadow": "inset 0 -3px 0 #0C8599"},
    "target": {"background": "#D0BFFF", "box-shadow": "inset 0 -3px 0 #6741D9"},
    "money": {"background": "#FFA8A8", "box-shadow": "inset 0 -3px 0 #C92A2A", "font-weight": "600"},
    "agency": {"text-decoration": "underline", "text-decoration-color": "#2B8A3E",
               "text-decoration-thickness": "3px", "text-underline-offset": "4px"},
}
BACKGROUND_PRIORITY = ("money", "target", "count", "deadline", "commitment")
"""The innermost (most specific) fact wins the background; a commitment is the outer layer."""


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    tip: str = ""
    fact_id: str = ""


def _placed(text: str, start, end, written) -> bool:
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return False
    start, end = int(start), int(end)
    return 0 <= start < end <= len(text) and (written is None or text[start:end] == written)


def listed(value) -> list[str]:
    """Return a DuckDB list value (list, array or None) as a list of strings."""
    return [] if value is None or isinstance(value, float) else [str(v) for v in value]


def _figure_tip(row: dict, lang: str) -> str:
    parts = [i18n.vocab("figure_type", row["figure_type"], lang), str(row["span_text"])]
    if row.get("money_kind") and not pd.isna(row["money_kind"]):
        parts.append(i18n.vocab("money_kind", row["money_kind"], lang))
    if row.get("metric") and not pd.isna(row["metric"]):
        parts.append(str(row["metric"]))
    if row.get("figure_year") is not None and not pd.isna(row["figure_year"]):
        parts.append(str(int(row["figure_year"])))
    parts.append(i18n.vocab("is_target", bool(row["is_target"]), lang))
    if row.get("is_corrected"):
        parts.append("✎")
    return " · ".join(parts)


def place_facts(text: str, facts: dict[str, pd.DataFrame], lang: str,
                valid_until=None) -> tuple[list[Span], pd.DataFrame]:
    """Return (spans placed on ``text``, facts not placed: kind, written, reason, count)."""
    spans: list[Span] = []
    unplaced: list[dict] = []

    def miss(kind: str, written: str, reason: str) -> None:
        unplaced.append({"kind": kind, "written": written, "reason": reason})

    for row in facts.get("commitments", pd.DataFrame()).to_dict("records"):
        leads = "、".join(listed(row.get("lead_agency_names")))
        tip = " · ".join(p for p in (i18n.vocab("fact_kind", "commitment", lang), str(row.get("item_label") or ""),
                                      leads, "✎" if row.get("is_corrected") else "") if p)
        if _placed(text, row["char_start"], row["char_end"], row["text"]):
            spans.append(Span("commitment", int(row["char_start"]), int(row["char_end"]), tip, row["commitment_id"]))
        else:
            miss("commitment", str(row["text"])[:60], i18n.tr("reason_offsets", lang))
        basis = row.get("deadline_basis")
        if basis in (None, "none") or pd.isna(row.get("deadline_date")):
            continue
        deadline = pd.Timestamp(row["deadline_date"]).date().isoformat()
        words = row.get("deadline_text")
        tip = f"{i18n.vocab('fact_kind', 'deadline', lang)} · {deadline} · {i18n.vocab('deadline_basis', basis, lang)}"
        if isinstance(words, str) and words:
            at = text.find(words, int(row["char_start"]), int(row["char_end"]))
            if at >= 0:
                spans.append(Span("deadline", at, at + len(words), tip, row["commitment_id"]))
            else:
                miss("deadline", f"{words} → {deadline}", i18n.tr("reason_not_found", lang))
        elif basis == "validity":
            until = "" if valid_until is None or pd.isna(valid_until) else pd.Timestamp(valid_until).date().isoformat()
            miss("deadline", deadline, i18n.tr("reason_validity", lang, until=until or deadline))
        else:
            miss("deadline", deadline, i18n.tr("reason_not_found", lang))

    for row in facts.get("figures", pd.DataFrame()).to_dict("records"):
        kind = row["figure_type"] if row["figure_type"] in KINDS else "money"
        if _placed(text, row["char_start"], row["char_end"], row["span_text"]):
            spans.append(Span(kind, int(row["char_start"]), int(row["char_end"]), _figure_tip(row, lang),
                              row["figure_id"]))
        else:
            miss(kind, str(row["span_text"]), i18n.tr("reason_offsets", lang))

    for row in facts.get("mentions", pd.DataFrame()).to_dict("records"):
        name = row.get("name_en") if lang == "en" and isinstance(row.get("name_en"), str) else row.get("canonical_name")
        tip = f"{i18n.vocab('fact_kind', 'agency', lang)} · {name or row['written_as']}"
        if _placed(text, row["char_start"], row["char_end"], row["written_as"]):
            spans.append(Span("agency", int(row["char_start"]), int(row["char_end"]), tip, str(row["agency_id"])))
        else:
            miss("agency", str(row["written_as"]), i18n.tr("reason_offsets", lang))

    table = pd.DataFrame(unplaced, columns=["kind", "written", "reason"])
    if not table.empty:
        table = table.groupby(["kind", "written", "reason"], sort=False).size().reset_index(name="count")
    else:
        table = pd.DataFrame(columns=["kind", "written", "reason", "count"])
    return spans, table


def _style(kinds: set[str]) -> str:
    props: dict[str, str] = {}
    for kind in reversed(BACKGROUND_PRIORITY):
        if kind in kinds:
            props.update(STYLES[kind])
    if "money" in kinds and "target" in kinds:
        props["outline"] = "2px dashed #6741D9"
    if "agency" in kinds:
        props.update(STYLES["agency"])
    return ";".join(f"{k}:{v}" for k, v in props.items())


def render(text: str, spans: list[Span], start: int = 0, end: int | None = None,
           focus: str | None = None) -> str:
    """Return ``text[start:end]`` as HTML with every span highlighted (spans may nest).

    ``focus`` (a commitment ID) is framed in one outline on a stronger yellow, in an element
    with ``id="commitment-source"`` (not "focus": the HTML sanitizer drops IDs that shadow DOM names).

    >>> render("市工信委将投入2亿元", [Span("money", 7, 10, "金额")])
    '<span>市工信委将投入</span><span style="background:#FFA8A8;box-shadow:inset 0 -3px 0 #C92A2A;font-weight:600" title="金额">2亿元</span>'
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    spans = [s for s in spans if s.end > start and s.start < end]  # a page's spans only: linear in the text
    cuts = {start, end}
    for s in spans:
        if s.end > start and s.start < end:
            cuts.add(max(s.start, start))
            cuts.add(min(s.end, end))
    points = sorted(cuts)
    target = next((s for s in spans if focus and s.fact_id == focus and s.kind == "commitment"), None)
    out = []
    for a, b in zip(points, points[1:]):
        if target is not None and a == max(target.start, start):
            out.append('<span id="commitment-source" '  # the reader opens scrolled to it (scroll-initial-target)
                       'style="outline:3px solid #E8590C;outline-offset:3px;border-radius:3px;'
                       'scroll-initial-target:nearest;scroll-margin-top:4em">')
        active = [s for s in spans if s.start <= a and s.end >= b]
        piece = html.escape(text[a:b])
        if not active:
            out.append(f"<span>{piece}</span>")
        else:
            style = _style({s.kind for s in active})
            if target is not None and target in active and style.startswith("background:#FFF3BF"):
                style = style.replace("background:#FFF3BF", "background:#FFE066", 1)
            tip = html.escape(" | ".join(dict.fromkeys(s.tip for s in sorted(active, key=lambda s: s.start) if s.tip)))
            out.append(f'<span style="{style}" title="{tip}">{piece}</span>')
        if target is not None and b == min(target.end, end):
            out.append("</span>")
    return "".join(out)


SCROLL_TO_FOCUS = """<script>
(() => {  // scroll the reader's box (not the page) to the framed commitment, once it is drawn
  let tries = 0;
  const go = () => {
    const el = document.getElementById("commitment-source");
    if (!el) { if (tries++ < 40) setTimeout(go, 100); return; }
    let box = el.parentElement;
    while (box && getComputedStyle(box).overflowY !== "auto") box = box.parentElement;
    if (!box) return;
    box.scrollTop += el.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 4;
  };
  go();
})();
</script>"""
"""Our own constant script (no document text in it): ``st.html(SCROLL_TO_FOCUS, unsafe_allow_javascript=True)``
after a reader with a ``focus``; CSS ``scroll-initial-target`` does the same where the browser has it."""


READER_PAGE_CHARS = 20_000
"""Characters the reader shows at a time: a long document is read page by page (its HTML stays small)."""


def page_bounds(text: str, size: int = READER_PAGE_CHARS) -> list[tuple[int, int]]:
    r"""Cut ``text`` into pages of about ``size`` characters, each ending at a line end when one is near.

    >>> page_bounds("ab\ncd\nef", 4)
    [(0, 3), (3, 6), (6, 8)]
    >>> page_bounds("")
    [(0, 0)]
    """
    bounds, start, n = [], 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            newline = text.rfind("\n", start + size // 2, end)
            if newline >= 0:
                end = newline + 1
        bounds.append((start, end))
        start = end
    return bounds or [(0, 0)]


def page(body: str, max_height: str = "70vh") -> str:
    """Wrap rendered text in a readable, scrollable box."""
    return (f'<div style="white-space:pre-wrap;font-size:18px;line-height:2.0;max-height:{max_height};'
            'overflow-y:auto;padding:14px 18px;border:1px solid #dee2e6;border-radius:8px;background:#fff;'
            'font-family:\'Noto Sans CJK SC\',\'WenQuanYi Zen Hei\',\'Microsoft YaHei\',\'PingFang SC\',sans-serif">'
            f"{body}</div>")


def legend(counts: dict[str, int] | None, lang: str) -> str:
    """Return the legend: one chip per fact kind (with how many are highlighted, when given)."""
    chips = []
    for kind in KINDS:
        style = _style({kind})
        name = i18n.vocab("fact_kind", kind, lang)
        label = html.escape(name if counts is None else f"{name} {counts.get(kind, 0)}")
        chips.append(f'<span style="{style};padding:2px 8px;margin-right:10px;border-radius:4px;'
                     f'font-size:16px;white-space:nowrap">{label}</span>')
    return '<div style="line-height:2.4">' + "".join(chips) + "</div>"


def framed(text: str, start: int, end: int, lo: int, hi: int, element_id: str = "figure-source") -> str:
    """Return ``text[lo:hi]`` as HTML with ``text[start:end]`` framed in orange (one figure in its sentence).

    The frame's element has ``id=element_id`` (a browser test and the reader find it by it).

    >>> framed("市工信委投入2亿元。", 6, 9, 0, 10)
    '<span>市工信委投入</span><span id="figure-source" style="outline:3px solid #E8590C;outline-offset:2px;border-radius:3px;background:#FFE066;font-weight:600">2亿元</span><span>。</span>'
    """
    lo, hi = max(0, lo), min(len(text), hi)
    start, end = max(lo, start), min(hi, end)
    style = "outline:3px solid #E8590C;outline-offset:2px;border-radius:3px;background:#FFE066;font-weight:600"
    parts = [(text[lo:start], ""), (text[start:end], f' id="{html.escape(element_id)}" style="{style}"'),
             (text[end:hi], "")]
    return "".join(f"<span{attrs}>{html.escape(piece)}</span>" for piece, attrs in parts if piece)
