"""Tests of review/values.py, review/store.py, review/transfer.py and review/cli.py: the analysts' store.

Statuses and corrections survive ETL re-runs and restarts; facts the ETL stops extracting are
kept as "no longer extracted"; concurrent saves (threads, processes) lose nothing;
export/import round-trips and is idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
import sqlite3
import subprocess
import sys
import threading
import types
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.colours import STATUS_COLOURS
from etl.__main__ import main as cli
from etl.pipeline import load_paths
from review import transfer
from review.facts import facts_snapshots
from review.store import (COMMITMENT_CORRECTION_COLUMNS, CURRENT_STATUS_COLUMNS, FIGURE_CORRECTION_COLUMNS, REVIEWS_DB_ENV,
                          ReviewStore, Snapshot, StatusChange, commitment_corrections, current_statuses,
                          figure_corrections)
from review.values import STATUS_CODES, STATUSES, display_state, parse_status

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_394190c2cbb107cb.txt"
DROPPED_ITEM = "2.将紧紧围绕营商环境5.0改革细化任务"


@pytest.fixture
def store(tmp_path, monkeypatch) -> ReviewStore:
    path = tmp_path / "reviews.sqlite"
    monkeypatch.setenv(REVIEWS_DB_ENV, str(path))
    return ReviewStore()


def _ids(db: Path, sql: str = "SELECT commitment_id FROM commitments ORDER BY 1") -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute(sql).fetchall()]
    finally:
        con.close()


# --------------------------------------------------------------------------------------
# status vocabulary


def test_status_codes_are_the_contract():
    assert STATUS_CODES == ("not_assessed", "not_started", "on_track", "at_risk", "delayed", "completed", "dropped")
    for s in STATUSES.values():
        assert s.name_zh and s.name_en and s.definition_zh and s.definition_en and STATUS_COLOURS[s.code].startswith("#")
    assert {STATUSES[c].rag for c in ("on_track", "at_risk", "delayed")} == {"green", "amber", "red"}


@pytest.mark.parametrize(("value", "code"), [("on_track", "on_track"), ("进展顺利", "on_track"),
                                             ("At risk", "at_risk"), ("已延误", "delayed"), (" completed ", "completed")])
def test_parse_status_accepts_codes_and_names(value, code):
    assert parse_status(value) == code


@pytest.mark.parametrize("value", ["done", "", None, "ok"])
def test_parse_status_rejects_unknown_values(value):
    with pytest.raises(ValueError):
        parse_status(value)


AS_OF = dt.date(2024, 7, 1)


@pytest.mark.parametrize(("status", "deadline", "state"), [
    ("on_track", dt.date(2024, 6, 30), "overdue"),          # past deadline: overdue whatever the status
    ("not_assessed", dt.date(2024, 6, 30), "overdue"),
    ("dropped", dt.date(2024, 6, 30), "dropped"),           # neither completed nor dropped is ever overdue
    ("completed", dt.date(2024, 6, 30), "completed"),
    ("delayed", None, "no_deadline"),                        # no deadline is never overdue
    ("delayed", pd.NaT, "no_deadline"),
    ("on_track", dt.date(2024, 7, 1), "due_soon"),          # due today is not yet overdue
    ("on_track", pd.Timestamp("2024-07-29"), "due_soon"),
    ("on_track", "2024-07-30", "open"),
])
def test_display_state_is_deadline_aware(status, deadline, state):
    assert display_state(status, deadline, AS_OF, due_within_days=28) == state


# --------------------------------------------------------------------------------------
# the store


def test_reading_a_missing_store_gives_empty_frames_and_creates_nothing(tmp_path):
    path = tmp_path / "none.sqlite"
    assert list(current_statuses(path).columns) == CURRENT_STATUS_COLUMNS
    assert list(commitment_corrections(path).columns) == COMMITMENT_CORRECTION_COLUMNS
    assert list(figure_corrections(path).columns) == FIGURE_CORRECTION_COLUMNS
    assert current_statuses(path).empty and ReviewStore(path).history().empty
    assert not path.exists()


def test_store_path_comes_from_the_environment(store, tmp_path):
    assert store.path == tmp_path / "reviews.sqlite"
    store.record_statuses([StatusChange("c_1", "on_track")], "Ann")
    assert current_statuses()["commitment_id"].tolist() == ["c_1"]


def test_store_is_sqlite_in_wal_mode(store):
    store.record_statuses([StatusChange("c_1", "on_track")], "Ann")
    con = sqlite3.connect(store.path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_history_is_append_only_and_current_is_the_latest(store):
    store.record_statuses([StatusChange("c_1", "on_track", "kick-off held")], "Ann")
    store.record_statuses([StatusChange("c_1", "delayed", "funding late", evidence_url="https://example.org/x")], "Bob")
    hist = store.history("c_1")
    assert hist[["old_status", "status", "reviewer"]].values.tolist() == [
        ["not_assessed", "on_track", "Ann"], ["on_track", "delayed", "Bob"]]
    assert hist["evidence_url"].tolist() == [None, "https://example.org/x"]
    cur = store.current_statuses()
    assert cur.loc[0, ["status", "note", "reviewer"]].tolist() == ["delayed", "funding late", "Bob"]
    assert str(cur["changed_at"].dt.tz) == "UTC"
    store.record_correction("commitment", "c_1", {"is_rejected": True}, "not a commitment", "Ann")
    con = sqlite3.connect(store.path)
    try:
        for sql in ("UPDATE status_changes SET status = 'completed'", "DELETE FROM status_changes",
                    "DELETE FROM corrections"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()


def test_saving_needs_a_reviewer_and_a_known_status(store):
    with pytest.raises(ValueError, match="reviewer"):
        store.record_statuses([StatusChange("c_1", "on_track")], "  ")
    with pytest.raises(ValueError, match="unknown status"):
        store.record_statuses([StatusChange("c_1", "finished")], "Ann")
    assert store.current_statuses().empty


def test_a_stale_view_is_saved_and_reported_as_a_conflict(store):
    store.record_statuses([StatusChange("c_1", "on_track", seen_status="not_assessed")], "Ann")
    res = store.record_statuses([StatusChange("c_1", "completed", seen_status="not_assessed")], "Bob")
    assert res.saved == 1 and res.conflicts == ["c_1"]
    assert store.history("c_1")["status"].tolist() == ["on_track", "completed"]


def test_review_dates_are_recorded_once(store):
    assert store.record_review(dt.date(2024, 6, 3), "Ann")
    assert not store.record_review(dt.date(2024, 6, 3), "Bob")
    store.record_statuses([StatusChange("c_1", "on_track")], "Ann", review_date=dt.date(2024, 6, 10))
    assert store.review_dates() == [dt.date(2024, 6, 3), dt.date(2024, 6, 10)]
    assert store.previous_review_date(dt.date(2024, 6, 10)) == dt.date(2024, 6, 3)
    assert store.previous_review_date(dt.date(2024, 6, 3)) is None


# --------------------------------------------------------------------------------------
# corrections


def test_corrections_contract_latest_per_field(store):
    store.record_correction("commitment", "c_1", {"lead_agency_ids": ["ag_a"]}, "wrong lead", "Ann")
    store.record_correction("commitment", "c_1", {"lead_agency_ids": ["ag_b", "ag_c"], "deadline_date": "2025-06-30"},
                            "leads named in annex", "Bob")
    store.record_correction("commitment", "c_2", {"is_rejected": True}, "background, not a commitment", "Ann")
    store.record_correction("commitment", "c_3", {"deadline_basis": "none"}, "no deadline stated", "Ann")
    df = commitment_corrections().set_index("commitment_id")
    assert list(df.reset_index().columns) == COMMITMENT_CORRECTION_COLUMNS
    assert df.loc["c_1", "lead_agency_ids"] == ["ag_b", "ag_c"]
    assert df.loc["c_1", "deadline_date"] == pd.Timestamp("2025-06-30")
    assert df.loc["c_1", "deadline_basis"] == "explicit"
    assert not df.loc["c_1", "is_rejected"]
    assert df.loc["c_2", "is_rejected"] and df.loc["c_2", "lead_agency_ids"] is None
    assert pd.isna(df.loc["c_2", "deadline_date"]) and df.loc["c_2", "deadline_basis"] is None
    assert df.loc["c_3", "deadline_basis"] == "none" and pd.isna(df.loc["c_3", "deadline_date"])


def test_figure_corrections_and_withdrawing_one(store):
    store.record_correction("figure", "f_1", {"amount_yuan": 1.5e8, "money_kind": "fiscal"}, "亿 misread", "Ann")
    store.record_correction("figure", "f_2", {"is_rejected": True}, "a page number, not money", "Ann")
    store.record_correction("figure", "f_3", {"figure_year": 2023, "is_target": True}, "target year", "Ann")
    store.record_correction("figure", "f_1", {}, "back to the ETL value", "Bob", clear=["money_kind"])
    df = figure_corrections().set_index("figure_id")
    assert list(df.reset_index().columns) == FIGURE_CORRECTION_COLUMNS
    assert df.loc["f_1", "amount_yuan"] == 1.5e8 and df.loc["f_1", "money_kind"] is None
    assert df.loc["f_2", "is_rejected"] and pd.isna(df.loc["f_2", "amount_yuan"])
    assert df.loc["f_3", "figure_year"] == 2023 and df.loc["f_3", "is_target"]
    store.record_correction("figure", "f_2", {"is_rejected": False}, "it is money after all", "Bob")
    assert "f_2" not in set(figure_corrections()["figure_id"])


@pytest.mark.parametrize(("entity", "values", "message"), [
    ("figure", {"amount_yuan": -1}, "amount"),
    ("figure", {"money_kind": "loan"}, "not one of"),
    ("figure", {"figure_year": 3024}, "year"),
    ("commitment", {"lead_agency_ids": []}, "lead agency"),
    ("commitment", {"deadline_basis": "explicit"}, "needs a deadline date"),
    ("commitment", {"amount_yuan": 1}, "cannot be corrected"),
])
def test_invalid_corrections_are_refused(store, entity, values, message):
    with pytest.raises(ValueError, match=message):
        store.record_correction(entity, "x_1", values, "reason", "Ann")


def test_a_correction_needs_a_reason(store):
    with pytest.raises(ValueError, match="reason"):
        store.record_correction("figure", "f_1", {"amount_yuan": 1}, " ", "Ann")


# --------------------------------------------------------------------------------------
# surviving ETL re-runs and restarts; "no longer extracted"


def test_statuses_survive_an_etl_rerun_and_a_restart(tmp_path, store):
    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    before = _ids(db)
    picked = before[::10]
    store.record_statuses([StatusChange(c, "on_track", f"note {c}") for c in picked], "Ann",
                          snapshots=facts_snapshots("commitment", picked, db))
    store.record_correction("commitment", picked[0], {"deadline_date": "2031-12-31"}, "annex", "Ann")
    db.unlink()  # a full rebuild from scratch, as well as the incremental re-run below
    load_paths([ROOT / "seeds"], db)
    load_paths([ROOT / "seeds"], db)
    assert _ids(db) == before  # commitment IDs are stable across re-runs
    # a restart: a new process reads the store from the environment
    code = ("from review.store import current_statuses; import json; "
            "print(json.dumps(sorted(current_statuses()['commitment_id'].tolist())))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, REVIEWS_DB_ENV: str(store.path)})
    assert json.loads(out.stdout) == sorted(picked)
    assert set(current_statuses()["commitment_id"]) <= set(_ids(db))
    assert store.no_longer_extracted(_ids(db)).empty
    assert commitment_corrections()["deadline_date"].tolist() == [pd.Timestamp("2031-12-31")]


def test_a_dropped_item_is_shown_as_no_longer_extracted(tmp_path, store):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    db = tmp_path / "c.duckdb"
    load_paths([docs], db)
    rows = dict(zip(_ids(db), _ids(db, "SELECT text FROM commitments ORDER BY commitment_id")))
    gone = next(c for c, t in rows.items() if t.startswith(DROPPED_ITEM))
    kept = next(c for c, t in rows.items() if not t.startswith(DROPPED_ITEM))
    store.record_statuses([StatusChange(gone, "at_risk", "waiting on the district"), StatusChange(kept, "on_track")],
                          "Ann", snapshots=facts_snapshots("commitment", [gone, kept], db))

    text = (docs / SEED.name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines(keepends=True) if not ln.startswith(DROPPED_ITEM)]
    assert len(lines) == len(text.splitlines()) - 1
    (docs / SEED.name).write_text("".join(lines), encoding="utf-8")
    report = load_paths([docs], db)
    assert report.count("loaded") == 1

    present = _ids(db)
    assert gone not in present and kept in present
    orphans = store.no_longer_extracted(present)
    assert orphans["entity_id"].tolist() == [gone]
    row = orphans.iloc[0]
    assert row["text"] == rows[gone] and row["status"] == "at_risk" and row["n_status_changes"] == 1
    assert row["file_name"] == SEED.name
    assert store.history(gone)["note"].tolist() == ["waiting on the district"]  # nothing deleted

    new_id = present[0]
    store.resolve("commitment", gone, "relinked", "Bob", new_id=new_id, note="merged into item 1")
    assert store.no_longer_extracted(present).empty
    carried = store.history(new_id).iloc[-1]
    assert carried["status"] == "at_risk" and gone in carried["note"]
    assert len(store.history(gone)) == 1


def test_dismissing_an_orphan_keeps_its_history(store):
    store.record_statuses([StatusChange("c_gone", "delayed")], "Ann",
                          snapshots=[Snapshot("commitment", "c_gone", "d_1", "a.txt", "标题", "原文")])
    assert store.no_longer_extracted([])["entity_id"].tolist() == ["c_gone"]
    store.resolve("commitment", "c_gone", "dismissed", "Ann", note="duplicate of another reply")
    assert store.no_longer_extracted([]).empty
    assert store.history("c_gone")["status"].tolist() == ["delayed"]
    store.resolve("commitment", "c_gone", "reopened", "Ann")
    assert store.no_longer_extracted([])["entity_id"].tolist() == ["c_gone"]


def test_corrected_figures_that_vanish_are_listed_too(store):
    store.record_correction("figure", "f_gone", {"amount_yuan": 5.0}, "r", "Ann",
                            snapshot=Snapshot("figure", "f_gone", "d_1", "a.txt", None, "安排资金5元。"))
    assert store.no_longer_extracted([], []).loc[0, ["entity", "entity_id", "n_corrections"]].tolist() == [
        "figure", "f_gone", 1]
    assert store.no_longer_extracted([]).empty  # figures are checked only when their IDs are given


# --------------------------------------------------------------------------------------
# concurrency


def _save_many(path: str, who: str, n: int, start=None) -> None:
    if start is not None:
        start.wait()
    s = ReviewStore(path)
    for i in range(n):
        s.record_statuses([StatusChange(f"c_{who}_{i}", "on_track", f"{who} {i}"),
                           StatusChange("c_shared", "at_risk", f"{who} {i}")], who)


def test_concurrent_saves_from_threads_lose_nothing(store):
    n, who = 15, ["t1", "t2", "t3", "t4"]
    barrier = threading.Barrier(len(who))
    threads = [threading.Thread(target=_save_many, args=(str(store.path), w, n, barrier)) for w in who]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    hist = store.history()
    assert len(hist) == 2 * n * len(who)
    shared = store.history("c_shared")
    assert sorted(shared["note"]) == sorted(f"{w} {i}" for w in who for i in range(n))
    assert len(store.current_statuses()) == n * len(who) + 1


def test_concurrent_saves_from_processes_lose_nothing(store, monkeypatch):
    n, who = 15, ["p1", "p2"]
    # A spawned child re-runs the parent's __main__; after an AppTest in this process that is a page script.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_save_many, args=(str(store.path), w, n, start)) for w in who]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert len(store.history()) == 2 * n * len(who)
    assert len(store.history("c_shared")) == n * len(who)
    assert set(store.current_statuses()["commitment_id"]) == {f"c_{w}_{i}" for w in who for i in range(n)} | {"c_shared"}


# --------------------------------------------------------------------------------------
# export / import


def _fill(store: ReviewStore) -> None:
    store.record_review(dt.date(2024, 6, 3), "Ann", "weekly")
    store.record_statuses([StatusChange("c_1", "on_track", "首次评估,进展顺利", evidence_doc_id="d_1"),
                           StatusChange("c_2", "delayed", 'a "quoted", comma\nand a new line')], "王芳",
                          snapshots=[Snapshot("commitment", "c_1", "d_1", "a.txt", "答复", "加快推进", {"item_label": "1"})])
    store.record_statuses([StatusChange("c_1", "completed", None, evidence_url="https://gz.gov.cn/x")], "Ann")
    store.record_correction("commitment", "c_2", {"lead_agency_ids": ["ag_1", "ag_2"], "deadline_date": "2025-12-31"},
                            "annex names the leads", "Ann", old_values={"lead_agency_ids": ["ag_9"]})
    store.record_correction("figure", "f_1", {"amount_yuan": 1.5e9, "is_target": False}, "亿 not 万", "Ann")
    store.record_correction("commitment", "c_3", {"deadline_basis": "none"}, "no date", "Ann")
    store.resolve("commitment", "c_gone", "dismissed", "Ann", note="duplicate")


def _comparable(records: list[dict]) -> list[dict]:
    return sorted((json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_import_round_trip_and_idempotence(tmp_path, store, suffix):
    _fill(store)
    path = tmp_path / f"backup{suffix}"
    assert transfer.export_file(store, path) == len(transfer.export_records(store))
    other = ReviewStore(tmp_path / "other.sqlite")
    first = transfer.import_file(other, path)
    assert first.ok and first.already_present == 0
    assert first.added == {"review": 1, "snapshot": 1, "status": 3, "correction": 7, "resolution": 1}
    assert _comparable(transfer.export_records(other)) == _comparable(transfer.export_records(store))
    again = transfer.import_file(other, path)
    assert sum(again.added.values()) == 0 and again.already_present == 12
    assert len(other.history()) == 3
    for frame in ("current_statuses", "commitment_corrections", "figure_corrections"):
        pd.testing.assert_frame_equal(getattr(other, frame)(), getattr(store, frame)())


def test_moving_between_formats_adds_nothing_twice(tmp_path, store):
    _fill(store)
    transfer.export_file(store, tmp_path / "a.jsonl")
    other = ReviewStore(tmp_path / "other.sqlite")
    transfer.import_file(other, tmp_path / "a.jsonl")
    transfer.export_file(other, tmp_path / "b.csv")
    back = transfer.import_file(store, tmp_path / "b.csv")
    assert sum(back.added.values()) == 0 and back.ok


def test_jsonl_lines_carry_the_documented_keys(tmp_path, store):
    _fill(store)
    path = tmp_path / "b.jsonl"
    transfer.export_file(store, path)
    lines = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]
    status = [ln for ln in lines if ln["kind"] == "status"]
    assert all({"commitment_id", "status", "note", "reviewer", "changed_at"} <= set(ln) for ln in status)
    assert all(dt.datetime.fromisoformat(ln["changed_at"]).tzinfo is not None for ln in status)
    corr = [ln for ln in lines if ln["kind"] == "correction"]
    assert {ln.get("commitment_id") for ln in corr} >= {"c_2"} and any(ln.get("figure_id") == "f_1" for ln in corr)


def test_importing_a_line_already_present_adds_nothing_and_older_lines_do_not_win(tmp_path, store):
    store.record_statuses([StatusChange("c_1", "on_track")], "Ann")
    path = tmp_path / "hand.jsonl"
    line = {"commitment_id": "c_1", "status": "delayed", "note": "from the other office", "reviewer": "Bob",
            "changed_at": "2020-01-01T09:00:00+08:00"}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n" + json.dumps(line, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    report = transfer.import_file(store, path)
    assert report.added["status"] == 1 and report.already_present == 1
    assert store.current_statuses().loc[0, "status"] == "on_track"  # the imported entry is older
    assert store.history("c_1")["status"].tolist() == ["delayed", "on_track"]


def test_an_invalid_line_imports_nothing(tmp_path, store):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        json.dumps({"commitment_id": "c_1", "status": "on_track", "reviewer": "A", "changed_at": "2024-01-01"}),
        json.dumps({"commitment_id": "c_2", "status": "finished", "reviewer": "A", "changed_at": "2024-01-01"}),
        json.dumps({"kind": "correction", "figure_id": "f_1", "field": "amount_yuan", "value": 1, "reviewer": "A",
                    "changed_at": "2024-01-01"}),
    ]) + "\n", encoding="utf-8")
    report = transfer.import_file(store, path)
    assert not report.ok and len(report.errors) == 2
    assert "line 2" in report.errors[0] and "reason" in report.errors[1]
    assert store.current_statuses().empty


NOTES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=NOTES, reviewer=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1,
                                    max_size=10), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_any_note_round_trips(tmp_path_factory, note, reviewer, suffix):
    d = tmp_path_factory.mktemp("rt")
    a, b = ReviewStore(d / "a.sqlite"), ReviewStore(d / "b.sqlite")
    a.record_statuses([StatusChange("c_1", "at_risk", note)], reviewer)
    transfer.export_file(a, d / f"x{suffix}")
    assert transfer.import_file(b, d / f"x{suffix}").added["status"] == 1
    assert transfer.export_records(b) == transfer.export_records(a)
    assert sum(transfer.import_file(b, d / f"x{suffix}").added.values()) == 0


# --------------------------------------------------------------------------------------
# CLI


@pytest.mark.parametrize("argv", [["reviews", "--help"], ["reviews", "export", "--help"], ["reviews", "import", "--help"]])
def test_every_reviews_command_has_help(argv, capsys):
    assert cli(argv) == 0
    assert "usage" in capsys.readouterr().out


def test_cli_export_import_and_exit_codes(tmp_path, store, capsys):
    _fill(store)
    out = tmp_path / "b.csv"
    assert cli(["reviews", "export", str(out)]) == 0
    other = tmp_path / "other.sqlite"
    assert cli(["reviews", "import", str(out), "--store", str(other)]) == 0
    assert cli(["reviews", "--store", str(other), "import", str(out)]) == 0
    assert "already present 12" in capsys.readouterr().out
    assert len(ReviewStore(other).history()) == 3
    assert cli(["reviews"]) == 2
    assert cli(["reviews", "export", str(tmp_path / "b.txt")]) == 2
    assert cli(["reviews", "import"]) == 2
    assert cli(["reviews", "import", str(tmp_path / "missing.jsonl")]) == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"commitment_id": "c_1", "status": "nope", "reviewer": "A", "changed_at": "2024-01-01"}\n')
    assert cli(["reviews", "import", str(bad)]) == 1
    assert "unknown status" in capsys.readouterr().err
