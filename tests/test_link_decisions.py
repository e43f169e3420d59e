"""The analyst's decisions on links: append-only, the latest standing, exported and imported back."""

from __future__ import annotations

import sqlite3

import pytest

from review import link_decisions
from review import transfer
from review.link_decisions import LinkDecision
from review.store import ReviewStore


def test_the_latest_decision_stands_and_the_history_keeps_every_one(tmp_path):
    path = tmp_path / "r.sqlite"
    link_decisions.record([LinkDecision("fulfilment", "f_t", "rf_a", "confirmed")], "王", path)
    link_decisions.record([LinkDecision("fulfilment", "f_t", "rf_a", "rejected", "another metric"),
                         LinkDecision("thread", "c_1", "c_2", "confirmed")], "李", path)
    link_decisions.record([LinkDecision("same_fact", "f_1", "f_2", "split")], "李", path)
    cur = link_decisions.current(path)
    assert sorted(zip(cur.link_kind, cur.decision)) == [("fulfilment", "rejected"), ("same_fact", "split"),
                                                          ("thread", "confirmed")]
    assert list(link_decisions.history(path).decision) == ["confirmed", "rejected", "confirmed", "split"]
    link_decisions.record([LinkDecision("thread", "c_1", "c_2", "cleared")], "李", path)
    assert "thread" not in set(link_decisions.current(path).link_kind)


def test_the_decisions_are_append_only(tmp_path):
    path = tmp_path / "r.sqlite"
    link_decisions.record([LinkDecision("thread", "c_1", "c_2", "confirmed")], "王", path)
    con = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE link_decisions SET decision = 'rejected'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM link_decisions")
    finally:
        con.close()


@pytest.mark.parametrize("bad", [LinkDecision("thread", "c_1", "c_2", "split"),
                                 LinkDecision("friendship", "a", "b", "confirmed"),
                                 LinkDecision("thread", "c_1", " ", "confirmed")])
def test_a_wrong_decision_is_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        link_decisions.record([bad], "王", tmp_path / "r.sqlite")


def test_reading_an_absent_store_creates_nothing(tmp_path):
    assert link_decisions.current(tmp_path / "none.sqlite").empty
    assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_and_import_bring_every_decision_back_once(tmp_path, suffix):
    src = tmp_path / "a.sqlite"
    link_decisions.record([LinkDecision("fulfilment", "f_t", "rf_a", "confirmed", "2021年报告,含“引号”, 逗号")], "王", src)
    link_decisions.record([LinkDecision("same_fact", "f_1", "f_2", "split")], "李", src)
    ReviewStore(src).record_review(__import__("datetime").date(2024, 5, 6), "王")
    out = tmp_path / f"export{suffix}"
    transfer.export_file(ReviewStore(src), out)
    dst = ReviewStore(tmp_path / "b.sqlite")
    first = transfer.import_file(dst, out)
    assert first.ok and first.added["link"] == 2 and first.added["review"] == 1
    again = transfer.import_file(dst, out)
    assert again.ok and again.added["link"] == 0 and again.already_present >= 2
    cols = ["link_kind", "from_id", "to_id", "decision", "note", "reviewer", "changed_at"]
    assert link_decisions.current(dst.path)[cols].values.tolist() == link_decisions.current(src)[cols].values.tolist()


def test_an_invalid_link_line_imports_nothing(tmp_path):
    store = ReviewStore(tmp_path / "r.sqlite")
    report = transfer.import_records(store, [
        {"kind": "review", "review_date": "2024-05-06", "reviewer": "王", "changed_at": "2024-05-06"},
        {"kind": "link", "entity": "thread", "entity_id": "c_1", "new_id": "c_2", "action": "maybe",
         "reviewer": "王", "changed_at": "2024-05-06"},
    ])
    assert not report.ok and "decision" in report.errors[0]
    assert store.review_dates() == [] and link_decisions.current(store.path).empty
