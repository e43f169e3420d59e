"""Loading into DuckDB: idempotent re-runs, stable IDs, atomic swap, data checks, run log."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl import checks, load
from etl.pipeline import load_paths
from etl.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def rows(db, table, order):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    finally:
        con.close()


@pytest.fixture()
def seeds_copy(tmp_path):
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    return folder


def test_schema_matches_declaration(tmp_path):
    db = tmp_path / "c.duckdb"
    load_paths([SEEDS], db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in TABLES.values():
            cols = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table.name]).fetchall()
            assert [c for c, _ in cols] == table.column_names
            for (name, dtype), col in zip(cols, table.columns):
                assert dtype == col.sql_type.replace("VARCHAR[]", "VARCHAR[]"), (table.name, name, dtype)
        assert checks.check(con) == []
    finally:
        con.close()


def test_reload_changes_nothing(tmp_path):
    db = tmp_path / "c.duckdb"
    first = load_paths([SEEDS], db)
    assert first.count("loaded") == 5
    before = {t: rows(db, t, "ALL") for t in ("documents", "commitments", "figures", "commitment_agencies", "agencies")}
    second = load_paths([SEEDS], db)
    assert second.count("unchanged") == 5 and second.count("loaded") == 0
    after = {t: rows(db, t, "ALL") for t in before}
    assert before == after


def test_ids_are_the_same_in_a_fresh_database(tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_paths([SEEDS], a)
    load_paths([SEEDS], b, workers=2)
    assert rows(a, "commitments", "commitment_id") == rows(b, "commitments", "commitment_id")
    assert rows(a, "figures", "figure_id") == rows(b, "figures", "figure_id")


def test_every_fact_points_at_its_evidence(tmp_path):
    db = tmp_path / "c.duckdb"
    load_paths([SEEDS], db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        texts = dict(con.execute("SELECT doc_id, text FROM documents").fetchall())
        for doc_id, s, e, span, ss, se, sentence in con.execute(
                "SELECT doc_id, char_start, char_end, span_text, sentence_start, sentence_end, sentence FROM figures").fetchall():
            assert texts[doc_id][s:e] == span
            assert texts[doc_id][ss:se] == sentence
        for doc_id, s, e, text in con.execute("SELECT doc_id, char_start, char_end, text FROM commitments").fetchall():
            assert texts[doc_id][s:e] == text
    finally:
        con.close()


def test_changed_file_replaces_and_logs_changes(tmp_path, seeds_copy):
    db = tmp_path / "c.duckdb"
    load_paths([seeds_copy], db)
    f = seeds_copy / "001_3847f0f144510125.txt"
    text = f.read_text(encoding="utf-8")
    cut = text.index("(五)构建“国企+专精特新”")
    end = text.index("\n", cut)
    f.write_text(text[:cut] + text[end + 1:], encoding="utf-8")
    report = load_paths([seeds_copy], db)
    assert report.count("loaded") == 1 and report.count("unchanged") == 4
    con = duckdb.connect(str(db), read_only=True)
    try:
        removed = con.execute("SELECT entity, summary FROM etl_changes WHERE change = 'removed' AND run_id = ?",
                              [report.run_id]).fetchall()
        assert ("commitment", text[cut:end]) in removed
        assert con.execute("SELECT count(*) FROM documents").fetchall()[0][0] == 5
    finally:
        con.close()


def test_same_content_under_another_name_is_not_loaded_twice(tmp_path, seeds_copy):
    shutil.copy(seeds_copy / "000_394190c2cbb107cb.txt", seeds_copy / "copy_of_000.txt")
    report = load_paths([seeds_copy], tmp_path / "c.duckdb")
    assert report.count("loaded") == 5 and report.count("duplicate") == 1


def test_bad_files_fail_alone(tmp_path, seeds_copy):
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "noise.txt").write_bytes(os.urandom(4096))
    report = load_paths([seeds_copy], tmp_path / "c.duckdb")
    failed = {Path(o.path).name: o.reason for o in report.files if o.outcome == "failed"}
    assert set(failed) == {"empty.txt", "noise.txt"}
    assert "empty" in failed["empty.txt"]
    assert report.count("loaded") == 5


def test_killed_run_leaves_the_previous_database(tmp_path, seeds_copy):
    db = tmp_path / "c.duckdb"
    load_paths([SEEDS], db)
    before = rows(db, "commitments", "commitment_id")
    big = tmp_path / "big"
    big.mkdir()
    base = (SEEDS / "004_e2f1170946d94957.txt").read_text(encoding="utf-8")
    for i in range(400):
        (big / f"gen_{i:04d}.txt").write_text(base.replace("2020年4月2日", f"2020年4月{1 + i % 28}日") + f"\n附{i}", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db), "--quiet", "--workers", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it while it writes its new database file (before the swap).
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not list(tmp_path.glob(".c.duckdb.*.tmp")):
        time.sleep(0.005)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert rows(db, "commitments", "commitment_id") == before
    # and the next run still works, cleaning up what the killed one left
    report = load_paths([SEEDS], db)
    assert report.count("unchanged") == 5
    assert not list(tmp_path.glob(".c.duckdb.*.tmp"))


def test_a_huge_text_file_is_refused_with_its_reason(tmp_path):
    from etl.read import MAX_TEXT_CHARS
    folder = tmp_path / "in"
    folder.mkdir()
    line = (SEEDS / "000_394190c2cbb107cb.txt").read_text(encoding="utf-8").splitlines()[1]
    with open(folder / "huge.txt", "w", encoding="utf-8") as fh:
        for _ in range(MAX_TEXT_CHARS // len(line) + 2):
            fh.write(line + "\n")
    shutil.copy(SEEDS / "001_3847f0f144510125.txt", folder)
    report = load_paths([folder], tmp_path / "c.duckdb")
    failed = {Path(o.path).name: o.reason for o in report.files if o.outcome == "failed"}
    assert "too long" in failed["huge.txt"] and report.count("loaded") == 1


def test_a_database_of_an_older_schema_is_rebuilt_keeping_every_document(tmp_path, seeds_copy):
    db = tmp_path / "c.duckdb"
    other = tmp_path / "other"
    other.mkdir()
    extra = other / "upload_extra.txt"
    extra.write_text((SEEDS / "003_cb9593369f0fccb6.txt").read_text(encoding="utf-8").replace("许若宁", "李明"),
                     encoding="utf-8")
    load_paths([seeds_copy], db)
    load_paths([extra], db)
    before = rows(db, "commitments", "commitment_id")
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE figures DROP COLUMN is_breakdown")  # as written by an older version
    con.close()
    report = load_paths([seeds_copy], db)
    assert report.count("failed") == 0 and report.count("loaded") == 6
    assert any("schema changed" in (o.reason or "") for o in report.files)
    assert rows(db, "commitments", "commitment_id") == before
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert checks.check(con) == []
        assert con.execute("SELECT count(*) FROM etl_runs").fetchall()[0][0] == 3
        # nothing changed but the schema: no re-extracted fact is reported as new
        assert con.execute("SELECT count(*) FROM etl_changes WHERE run_id = ?", [report.run_id]).fetchall()[0][0] == 0
    finally:
        con.close()


def _corrupting(field, value, table="commitments"):
    """``load.document_rows`` with one field of the first row of ``table`` overwritten."""
    real = load.document_rows

    def rows(*args):
        out = real(*args)
        if out[table]:
            out[table][0][field] = value
        return out
    return rows


@pytest.mark.parametrize("table, field, value, check", [
    ("commitments", "char_start", 3, "commitments point at their text"),
    ("reported_figures", "sentence_start", 1, "reported figures point at their sentence"),
    ("documents", "doc_type", "not_a_type", "documents.doc_type accepted values"),
])
@pytest.mark.parametrize("cold", [True, False], ids=["cold", "onto-stored"])
def test_a_failed_data_check_stops_the_load_and_keeps_the_stored_database(tmp_path, monkeypatch, seeds_copy,
                                                                         table, field, value, check, cold):
    from etl.checks import DataCheckError

    db = tmp_path / "c.duckdb"
    files = sorted(seeds_copy.glob("*.txt"))
    if not cold:
        load_paths(files[:2], db, workers=1)
    before = rows(db, "commitments", "commitment_id") if not cold else None
    monkeypatch.setattr(load, "document_rows", _corrupting(field, value, table))
    with pytest.raises(DataCheckError) as err:
        load_paths(files, db, workers=1)
    assert any(f.startswith(check) for f in err.value.failures), err.value.failures
    if cold:
        assert not db.exists()  # nothing half-built is left in its place
    else:
        assert rows(db, "commitments", "commitment_id") == before  # the earlier database is intact
    assert not list(tmp_path.glob(".c.duckdb.*.tmp"))


def test_a_load_pauses_the_cycle_collector_and_restores_it(tmp_path, seeds_copy):
    import gc

    assert gc.isenabled()
    seen = []
    load_paths([seeds_copy], tmp_path / "c.duckdb", progress=lambda *a: seen.append(gc.isenabled()), workers=1)
    assert seen and not any(seen)  # paused while the rows are held
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        load_paths([seeds_copy], tmp_path / "d.duckdb", workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
