"""dashboard/highlight.py: facts placed on the stored text are exactly their evidence; HTML is escaped."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import highlight, queries
from dashboard.highlight import Span


def test_render_escapes_and_nests():
    text = "<b>市工信委</b>将投入2亿元"
    spans = [Span("commitment", 0, len(text), "承诺"), Span("agency", 3, 7, "单位"), Span("money", 14, 17, "金额")]
    out = highlight.render(text, spans)
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert out.count("<span") == 4  # cut at every boundary: <b> | 市工信委 | </b>将投入 | 2亿元
    money = out[out.index("2亿元") - 200:out.index("2亿元")]
    assert "#FFA8A8" in money  # the figure's colour wins over the commitment's


def test_focus_frames_one_commitment():
    text = "甲。乙丙。丁"
    out = highlight.render(text, [Span("commitment", 2, 5, "", "c1"), Span("money", 3, 4, "")], focus="c1")
    assert out.count('id="commitment-source"') == 1
    inner = out[out.index('id="commitment-source"'):]
    assert inner.index("乙") < inner.index("</span></span>") or "丙" in inner


def test_window_renders_only_the_passage():
    text = "零一二三四五六七八九"
    out = highlight.render(text, [Span("money", 2, 8, "")], 3, 6)
    assert "零" not in out and "九" not in out and "三四五" in out


@pytest.mark.usefixtures("commitments_db")
def test_every_placed_fact_shows_its_stored_evidence():
    for doc_id in queries.document_rows(queries.Filters())["doc_id"]:
        doc = queries.document(doc_id)
        facts = queries.document_facts(doc_id)
        spans, unplaced = highlight.place_facts(doc["text"], facts, "zh", doc["valid_until"])
        figures = facts["figures"].set_index("figure_id")
        commitments = facts["commitments"].set_index("commitment_id")
        for s in spans:
            shown = doc["text"][s.start:s.end]
            if s.kind in ("money", "count", "target"):
                assert shown == figures.loc[s.fact_id, "span_text"]
            elif s.kind == "commitment":
                assert shown == commitments.loc[s.fact_id, "text"]
            elif s.kind == "deadline":
                assert shown == commitments.loc[s.fact_id, "deadline_text"]
        placed_figures = {s.fact_id for s in spans if s.kind in ("money", "count", "target")}
        assert placed_figures == set(figures.index)
        assert set(unplaced["kind"]) <= {"deadline"}  # only validity-period deadlines lack words


def test_facts_that_cannot_be_placed_are_listed_with_a_reason():
    text = "下一步,我局将于2023年底前完成。"
    facts = {
        "commitments": pd.DataFrame([{"commitment_id": "c1", "item_label": "1", "text": text, "char_start": 0,
                                      "char_end": len(text), "lead_agency_names": ["市工信局"],
                                      "deadline_date": pd.Timestamp("2023-12-31"), "deadline_basis": "validity",
                                      "deadline_text": None, "is_corrected": False}]),
        "figures": pd.DataFrame([{"figure_id": "f1", "figure_type": "money", "span_text": "5亿元", "char_start": 3,
                                  "char_end": 6, "money_kind": "fiscal", "metric": None, "figure_year": None,
                                  "is_target": False, "is_corrected": False}]),
        "mentions": pd.DataFrame(columns=["agency_id", "canonical_name", "name_en", "written_as", "char_start",
                                          "char_end"]),
    }
    spans, unplaced = highlight.place_facts(text, facts, "zh", pd.Timestamp("2023-12-31"))
    assert [s.kind for s in spans] == ["commitment"]
    assert list(unplaced["kind"]) == ["deadline", "money"]
    assert "有效期" in unplaced.iloc[0]["reason"] and unplaced.iloc[1]["written"] == "5亿元"


def test_legend_names_every_kind():
    html = highlight.legend({"money": 3}, "en")
    for word in ("Commitment", "Money 3", "Project count", "Target", "Agency", "Deadline"):
        assert word in html
