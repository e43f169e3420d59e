"""Hostile and careless input (issue 13): nothing stored is lost, nothing is injected.

One test per kind of attack: two loads at once, colliding upload names, a future-dated
imported status, the same document in another encoding, bombs, garbage text, formula
injection, escapes in names, damaged stores, hostile review files and dates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

import etl.damage
from etl import pipeline, swap, workers
from etl.pipeline import load_paths
from review import transfer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _docs(folder: Path, prefix: str, n: int = len(SEEDS)) -> list[Path]:
    """Write ``n`` distinct documents (seeds with a line of their own) named ``prefix_*.txt``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, seed in enumerate(SEEDS[:n]):
        p = folder / f"{prefix}_{seed.name}"
        p.write_text(seed.read_text(encoding="utf-8") + f"\n附件:{prefix}{i}\n", encoding="utf-8")
        out.append(p)
    return out


def _doc_names(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT file_name FROM documents").fetchall()}
    finally:
        con.close()


STORED = ("documents", "commitments", "figures", "sections", "agency_mentions", "commitment_agencies")


def _stored(db: Path) -> dict[str, list[str]]:
    """Every stored fact row (the run log aside): what "the database unchanged" compares."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in STORED}
    finally:
        con.close()


def _cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


# --------------------------------------------------------------------------------------
# 1. Two loads at once: one writer at a time, both runs' documents end in the database.


def test_two_concurrent_cli_loads_both_end_in_the_database(tmp_path):
    a, b = _docs(tmp_path / "a", "a"), _docs(tmp_path / "b", "b")
    db = tmp_path / "c.duckdb"
    procs = [_cli("load", str(tmp_path / "a"), "--db", str(db), "--quiet"),
             _cli("load", str(tmp_path / "b"), "--db", str(db), "--quiet")]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _doc_names(db) == {p.name for p in a + b}
    assert not list(tmp_path.glob(".c.duckdb.*.tmp*"))


def test_a_second_load_waits_for_the_writer_lock_and_says_so(tmp_path):
    docs = _docs(tmp_path / "a", "a", 2)
    db = tmp_path / "c.duckdb"
    lock = swap.writer_lock(db)
    try:
        proc = _cli("load", str(tmp_path / "a"), "--db", str(db), "--quiet")
        deadline = time.time() + 60
        line = ""
        while time.time() < deadline and "waiting" not in line:
            line = proc.stderr.readline()
        assert "another load is writing c.duckdb" in line
        assert proc.poll() is None and not db.exists()  # it waits: nothing written while the lock is held
    finally:
        lock.release()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert _doc_names(db) == {p.name for p in docs}


def test_a_load_refuses_clearly_when_the_lock_is_never_released(tmp_path, monkeypatch):
    _docs(tmp_path / "a", "a", 1)
    db = tmp_path / "c.duckdb"
    lock = swap.writer_lock(db)
    monkeypatch.setattr(swap, "LOCK_WAIT_S", 0.3)
    try:
        with pytest.raises(swap.LoadBusyError, match="another load has been writing c.duckdb"):
            load_paths([tmp_path / "a"], db)
    finally:
        lock.release()
    assert not db.exists()


def test_two_upload_sessions_in_one_process_both_load(tmp_path):
    from etl.intake import intake

    db = tmp_path / "c.duckdb"
    batches = [[(p.name, p.read_bytes()) for p in _docs(tmp_path / x, x)] for x in ("s1", "s2")]
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def run(i):
        try:
            results[i] = intake(batches[i], db, tmp_path / "uploads")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert all(r.outcome == "loaded" for i in range(2) for r in results[i]), results
    assert len(_doc_names(db)) == 2 * len(SEEDS)


# --------------------------------------------------------------------------------------
# 11. A damaged facts database is detected, set aside (named with the time) and rebuilt.


def _damaged(db: Path, damage: str) -> bytes:
    data = db.read_bytes()
    if damage == "truncated":
        return data[: len(data) // 3]
    if damage == "garbage_header":
        return b"\x00garbage" * 512 + data[4096:]
    con = duckdb.connect(str(db), read_only=True)  # bad checksum: bytes of a block the documents use
    block, offset = con.execute("SELECT block_id, block_offset FROM pragma_storage_info('documents') "
                                "WHERE block_id >= 0 ORDER BY block_id LIMIT 1").fetchall()[0]
    size = con.execute("PRAGMA database_size").fetchall()[0][2]
    con.close()
    at = 3 * 4096 + block * size + offset + 8
    return data[:at] + bytes(b ^ 0xFF for b in data[at:at + 256]) + data[at + 256:]


@pytest.mark.parametrize("damage", ["truncated", "garbage_header", "bad_checksum"])
def test_a_damaged_database_is_set_aside_and_rebuilt(tmp_path, damage):
    docs = _docs(tmp_path / "a", "a", 2)
    db = tmp_path / "c.duckdb"
    load_paths([tmp_path / "a"], db)
    db.write_bytes(_damaged(db, damage))
    assert etl.damage.damage(db)
    proc = _cli("load", str(tmp_path / "a"), "--db", str(db), "--quiet")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "was damaged" in err and "set aside as" in err
    aside = list(tmp_path.glob("c.duckdb.damaged-*"))
    assert len(aside) == 1 and aside[0].name[len("c.duckdb.damaged-"):][:8].isdigit()
    assert etl.damage.damage(db) is None
    assert _doc_names(db) == {p.name for p in docs}


# --------------------------------------------------------------------------------------
# 2. Upload names that reduce alike keep both documents; a different file never replaces another.


@pytest.mark.parametrize("names", [("《措施》.txt", "【措施】.txt"), ("答复 2022.txt", "答复_2022.txt", "答复+2022.txt")])
def test_upload_names_that_reduce_alike_keep_every_document(tmp_path, names):
    from etl.intake import intake

    db = tmp_path / "c.duckdb"
    texts = [SEEDS[i].read_bytes() for i in range(len(names))]
    results = intake(list(zip(names, texts)), db, tmp_path / "uploads")
    assert [r.outcome for r in results] == ["loaded"] * len(names), results
    assert len({r.stored_name for r in results}) == len(names)
    assert len(_doc_names(db)) == len(names)
    # Across batches: each name again, with other content, is a new version of its own file only.
    again = intake([(names[0], SEEDS[4].read_bytes())], db, tmp_path / "uploads")
    assert again[0].outcome == "loaded" and again[0].stored_name == results[0].stored_name
    assert len(_doc_names(db)) == len(names)
    assert {p.read_bytes() for p in (tmp_path / "uploads").iterdir()} == {SEEDS[4].read_bytes(), *texts[1:]}


def test_the_same_name_twice_in_one_batch_with_other_content_keeps_both(tmp_path):
    from etl.intake import intake

    db = tmp_path / "c.duckdb"
    results = intake([("答复.txt", SEEDS[0].read_bytes()), ("答复.txt", SEEDS[1].read_bytes())], db, tmp_path / "up")
    assert [r.outcome for r in results] == ["loaded", "loaded"]
    assert results[0].stored_name != results[1].stored_name
    assert len(_doc_names(db)) == 2


# --------------------------------------------------------------------------------------
# 4. The same document in another encoding or format is the same document.


def test_a_seed_resaved_as_gb18030_is_a_duplicate_of_the_seed_cli(tmp_path):
    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    seed = SEEDS[2]
    other = tmp_path / "resaved.txt"
    other.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    proc = _cli("load", str(other), "--db", str(db), "--quiet")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"duplicate resaved.txt: same text as {seed.name}" in " ".join(out.split())
    assert "resaved.txt" not in _doc_names(db)


def test_a_seed_uploaded_as_docx_and_utf16_is_a_duplicate_of_the_seed(tmp_path):
    import docx

    from etl.intake import intake

    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    seed = SEEDS[1]
    text = seed.read_text(encoding="utf-8")
    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    buf = __import__("io").BytesIO()
    d.save(buf)
    results = intake([("copy.docx", buf.getvalue()), ("copy16.txt", text.encode("utf-16"))], db, tmp_path / "up")
    assert [r.outcome for r in results] == ["duplicate", "duplicate"], results
    assert all(seed.name in r.reason for r in results)
    assert _doc_names(db) == {p.name for p in SEEDS}
    assert not list((tmp_path / "up").iterdir())  # a duplicate is not kept among the uploads


def test_a_text_with_no_government_structure_loads_and_says_nothing_was_found(tmp_path):
    novel = tmp_path / "novel.txt"
    novel.write_text("他走进了那片森林,阳光从树叶间洒落下来。她在远处的小河边唱着歌,声音很好听。\n" * 30, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    proc = _cli("load", str(novel), "--db", str(db), "--quiet")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "no commitments, figures or metadata found" in out
    from etl.intake import intake

    r = intake([("小说.txt", novel.read_bytes() + "再见。\n".encode())], tmp_path / "d.duckdb", tmp_path / "up")[0]
    assert r.outcome == "loaded" and r.reason == pipeline.NOTHING_FOUND


# --------------------------------------------------------------------------------------
# 3. An imported status dated in the future is refused; a claim never outranks what is saved after.


def _store(tmp_path):
    from review.store import ReviewStore

    return ReviewStore(tmp_path / "reviews.sqlite")


def test_an_imported_status_dated_in_the_future_is_refused(tmp_path):
    import json

    from review.store import StatusChange

    store = _store(tmp_path)
    store.record_statuses([StatusChange("c_1", "on_track")], "ana")
    before = transfer.export_records(store)
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"kind": "status", "commitment_id": "c_1", "status": "completed", "reviewer": "x",
                             "changed_at": "9999-12-31"}) + "\n", encoding="utf-8")
    report = transfer.import_file(store, f)
    assert not report.ok and "in the future" in report.errors[0]
    assert transfer.export_records(store) == before


def test_a_future_claim_already_stored_does_not_hide_later_saves(tmp_path):
    import sqlite3

    from review.store import StatusChange

    store = _store(tmp_path)
    store.record_statuses([StatusChange("c_1", "on_track")], "ana")
    con = sqlite3.connect(store.path)  # as an older version's import left it
    con.execute("INSERT INTO status_changes (entry_key, commitment_id, old_status, status, reviewer, changed_at, "
                "recorded_at) VALUES ('k', 'c_1', 'on_track', 'completed', 'x', '9999-12-31T00:00:00.000000+00:00', "
                "'2020-01-01T00:00:00.000000+00:00')")
    con.commit()
    con.close()
    saved = store.record_statuses([StatusChange("c_1", "delayed")], "ana")
    assert saved.saved == 1
    assert store.current_statuses().set_index("commitment_id")["status"]["c_1"] == "delayed"
    assert list(store.history("c_1")["status"])[-1] == "delayed"


# --------------------------------------------------------------------------------------
# 12. Review import: deep JSON, long CSV fields, out-of-range dates, unknown IDs.


@pytest.mark.parametrize("line", ["[" * 100000 + "]" * 100000, '{"kind": "snapshot", "entity": "commitment", '
                                  '"entity_id": "c", "detail": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"])
def test_deeply_nested_json_is_a_clear_error_and_imports_nothing(tmp_path, line):
    store = _store(tmp_path)
    f = tmp_path / "in.jsonl"
    f.write_text(line + "\n", encoding="utf-8")
    try:
        report = transfer.import_file(store, f)
        errors = report.errors
    except ValueError as exc:
        errors = [str(exc)]
    assert errors and "nested" in errors[0]
    assert not store.path.exists() or transfer.export_records(store) == []


def test_a_note_longer_than_the_csv_field_limit_round_trips(tmp_path):
    from review.store import ReviewStore, StatusChange

    store = _store(tmp_path)
    note = "长" * 200_000 + "=1+1"
    store.record_statuses([StatusChange("c_1", "on_track", note=note)], "ana")
    out = tmp_path / "out.csv"
    transfer.export_file(store, out)
    other = ReviewStore(tmp_path / "other.sqlite")
    report = transfer.import_file(other, out)
    assert report.ok, report.errors
    assert other.current_statuses()["note"].tolist() == [note]


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_out_of_range_review_dates_in_a_file_are_refused(tmp_path, when):
    import json

    store = _store(tmp_path)
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"kind": "review", "review_date": when, "reviewer": "x"}) + "\n", encoding="utf-8")
    report = transfer.import_file(store, f)
    assert not report.ok and "outside" in report.errors[0]


def test_unknown_commitment_ids_are_imported_counted_and_reported(tmp_path):
    import json

    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    con = duckdb.connect(str(db), read_only=True)
    known = con.execute("SELECT commitment_id FROM commitments LIMIT 1").fetchall()[0][0]
    con.close()
    f = tmp_path / "in.jsonl"
    lines = [{"kind": "status", "commitment_id": cid, "status": "on_track", "reviewer": "x",
              "changed_at": "2024-01-01"} for cid in (known, "c_nope1", "c_nope2")]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    proc = _cli("reviews", "--store", str(tmp_path / "r.sqlite"), "import", str(f), "--db", str(db))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "2 commitment IDs are not in the facts database" in err and "c_nope1" in err


# --------------------------------------------------------------------------------------
# 8. No live formula in any export; the reviews CSV gives the original note back exactly.

HOSTILE_CELLS = ['=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1", "'=1"]


def test_reviews_csv_export_holds_no_formula_and_round_trips(tmp_path):
    import csv

    from review.store import ReviewStore, StatusChange

    store = _store(tmp_path)
    store.record_statuses([StatusChange(f"c_{i}", "on_track", note=n) for i, n in enumerate(HOSTILE_CELLS)], "=evil")
    out = tmp_path / "out.csv"
    transfer.export_file(store, out)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        cells = [v for row in csv.reader(fh) for v in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    other = ReviewStore(tmp_path / "other.sqlite")
    assert transfer.import_file(other, out).ok
    assert sorted(other.current_statuses()["note"]) == sorted(HOSTILE_CELLS)
    assert set(other.current_statuses()["reviewer"]) == {"=evil"}


def _live_formulas(xlsx: bytes) -> list[str]:
    """Every formula cell in an .xlsx, read from its XML (what Excel would run)."""
    import re
    import zipfile
    from io import BytesIO

    with zipfile.ZipFile(BytesIO(xlsx)) as z:
        return [m for n in z.namelist() if n.startswith("xl/worksheets/")
                for m in re.findall(r"<f>.*?</f>|<f .*?</f>", z.read(n).decode("utf-8"))]


def test_dashboard_csv_and_xlsx_downloads_hold_no_live_formula():
    import csv
    import io

    import openpyxl
    import pandas as pd

    from dashboard import exports

    table = pd.DataFrame({"标题": HOSTILE_CELLS, "金额": [1.5, -2.0, 3, 4, 5, 6, 7]})
    rows = list(csv.reader(io.StringIO(exports.to_csv_bytes(table).decode("utf-8-sig"), newline="")))
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "@", "\t", "\r") or c.startswith("-2+")]
    assert rows[2][1] == "-2.0"  # numbers stay numbers
    xlsx = exports.to_xlsx_bytes(table, [("关键词", "=1+1"), ("单位", "@SUM(A1)")], "zh")
    assert _live_formulas(xlsx) == []
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    first = wb.worksheets[0]
    assert [c.value for c in first["A"]][1:] == HOSTILE_CELLS  # the words, exactly, as text
    assert wb.worksheets[1]["B2"].value == "=1+1" and wb.worksheets[1]["B2"].data_type == "s"


def test_the_meeting_pack_holds_no_live_formula(review_store, facts_db):
    import datetime as dt

    from dashboard import meeting_pack
    from dashboard import queries_review as qr
    from dashboard.filters_state import Filters
    from review.store import StatusChange

    con = duckdb.connect(str(facts_db), read_only=True)
    cid = con.execute("SELECT commitment_id FROM commitments LIMIT 1").fetchall()[0][0]
    con.close()
    review_store.record_statuses([StatusChange(cid, "delayed", note='=HYPERLINK("http://evil.example/","x")')],
                                 "=cmd|' /C calc'!A0")
    today = dt.date.today()
    data = qr.load_review(Filters(), today, today - dt.timedelta(days=7), 28, "en")
    xlsx = meeting_pack.workbook(data, [("Keyword", "=1+1")])
    assert _live_formulas(xlsx) == []
    assert "=HYPERLINK" in str(__import__("zipfile").ZipFile(__import__("io").BytesIO(xlsx)).read("xl/worksheets/sheet6.xml"))


# --------------------------------------------------------------------------------------
# 11. Damaged stores on the dashboard: one line on every page, never a trace.

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ("overview", "funding", "projects", "deadlines", "commitments", "documents", "review")


def _page(page: str):
    from streamlit.testing.v1 import AppTest

    from dashboard import queries

    queries.clear_cache()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = page
    return at.run()


@pytest.mark.parametrize("damage", ["truncated", "garbage_header", "bad_checksum"])
def test_a_damaged_database_is_one_line_on_every_page(tmp_path, monkeypatch, damage):
    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    db.write_bytes(_damaged(db, damage))
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(tmp_path / "r.sqlite"))
    for page in PAGES:
        at = _page(page)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert len(at.error) == 1 and str(db) in at.error[0].value and "etl load" in at.error[0].value, page


@pytest.mark.parametrize("damage", ["truncated", "garbage_header"])
def test_a_damaged_review_store_is_one_line_on_the_review_page(tmp_path, monkeypatch, damage):
    from review.store import ReviewStore, StatusChange

    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    store = ReviewStore(tmp_path / "r.sqlite")
    for i in range(200):
        store.record_statuses([StatusChange(f"c_{i}", "on_track", note="备注" * 500)], "ana")
    data = store.path.read_bytes()
    store.path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"garbage!" * 20 + data[160:])
    for extra in ("-wal", "-shm"):
        Path(str(store.path) + extra).unlink(missing_ok=True)
    before = store.path.read_bytes()
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(store.path))
    at = _page("review")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and "已损坏" in at.error[0].value and "reviews import" in at.error[0].value
    assert store.path.read_bytes() == before  # never replaced


# --------------------------------------------------------------------------------------
# 5. A .docx that under-declares its sizes: the bytes actually inflated are counted, in chunks.


def lying_docx(inflated: int) -> bytes:
    """A real .docx whose word/document.xml inflates to ``inflated`` bytes while declaring 1,000."""
    import io
    import struct
    import zipfile
    import zlib

    import docx

    d = docx.Document(); d.add_paragraph("广州市工业和信息化局")
    buf = io.BytesIO(); d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    chunk = b"\x20" * (1 << 20)
    parts = [comp.compress(head)]
    left = inflated
    while left > 0:
        parts.append(comp.compress(chunk[:min(left, len(chunk))])); left -= len(chunk)
    parts.append(comp.flush())
    bomb = b"".join(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info, src.read(info))
        zi = zipfile.ZipInfo("word/document.xml", date_time=(2024, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, b"placeholder")
    data = bytearray(out.getvalue())
    # Replace the placeholder member's compressed bytes by the bomb, declaring a small size.
    zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = zf.getinfo("word/document.xml")
    off = info.header_offset
    n, m = struct.unpack("<HH", data[off + 26: off + 30])
    start = off + 30 + n + m
    end = start + info.compress_size
    cd = zf.start_dir
    delta = len(bomb) - info.compress_size
    new = data[:start] + bomb + data[end:]
    # local header: compress_size, file_size
    struct.pack_into("<II", new, off + 18, len(bomb), 1000)
    # central directory entries after the change shift by delta
    i = new.find(b"PK\x01\x02", cd + delta)
    while i != -1 and i < len(new):
        nlen, elen, clen = struct.unpack("<HHH", new[i + 28: i + 34])
        name = bytes(new[i + 46: i + 46 + nlen])
        hoff = struct.unpack("<I", new[i + 42: i + 46])[0]
        if name == b"word/document.xml":
            struct.pack_into("<II", new, i + 20, len(bomb), 1000)
        elif hoff > off:
            struct.pack_into("<I", new, i + 42, hoff + delta)
        i = new.find(b"PK\x01\x02", i + 46 + nlen + elen + clen)
    e = new.rfind(b"PK\x05\x06")
    struct.pack_into("<I", new, e + 16, cd + delta)
    return bytes(new)


RSS_PROBE = r"""
import resource, sys
sys.path.insert(0, sys.argv[1])
from etl.read import ReadError, read_file
try:
    read_file(sys.argv[2])
    print("read")
except ReadError as exc:
    print(exc)
# VmHWM is this program's own peak: ru_maxrss would carry the forking test process's (kept across exec)
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
print(int(hwm[0].split()[1]) // 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_a_docx_lying_about_its_sizes_is_refused_in_little_memory(tmp_path):
    bomb = tmp_path / "lying.docx"
    bomb.write_bytes(lying_docx(2_000_000_000))
    out = subprocess.run([sys.executable, "-c", RSS_PROBE, str(ROOT), str(bomb)], capture_output=True, text=True,
                         timeout=300)
    message, peak_mb = out.stdout.strip().splitlines()
    assert message.startswith("lying.docx: refused as a zip bomb: it unpacks to more than 200 MB (the limit)"), message
    assert int(peak_mb) < 500, peak_mb


def test_a_docx_part_whose_real_size_differs_from_its_declared_one_is_refused(tmp_path):
    from etl.read import ReadError, read_file

    bomb = tmp_path / "small-lie.docx"
    bomb.write_bytes(lying_docx(5_000_000))
    with pytest.raises(ReadError, match=r"small-lie.docx: damaged .docx: part 'word/document.xml' unpacks to [\d,]+ "
                                        r"bytes but declares 1,000"):
        read_file(bomb)


def test_size_messages_say_the_exact_size_and_the_limit():
    from etl.read import formats
    from etl.read import MAX_FILE_BYTES, too_large_reason

    assert too_large_reason(54_945_383) == "too large: 52.4 MB (54,945,383 bytes), the limit is 50 MB a file"
    assert formats._mb(formats.MAX_DOCX_UNPACKED_BYTES) == "200 MB" and MAX_FILE_BYTES == 50 * 2**20


# --------------------------------------------------------------------------------------
# 14. Reading processes die with their parent; one that dies fails only its file; uploads are
# read in a separate process whose memory is capped.


def _children(pid: int) -> set[int]:
    out = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


def test_killing_the_parent_of_a_load_ends_its_workers(tmp_path):
    import signal

    folder = tmp_path / "many"
    for k in range(8):
        _docs(folder, f"k{k}")
    proc = _cli("load", str(folder), "--db", str(tmp_path / "c.duckdb"), "--workers", "2", "--quiet")
    deadline = time.time() + 60
    workers: set[int] = set()
    while time.time() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the load started no workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)]


def _dies_on_b(path: str):
    if "b_" in Path(path).name:
        os._exit(9)
    return workers.process_file(path)


def test_a_reading_process_that_dies_fails_only_its_file(tmp_path, monkeypatch):
    a = _docs(tmp_path / "in", "a", 2)
    b = _docs(tmp_path / "in", "b", 1)
    monkeypatch.setattr(workers, "_process_path", _dies_on_b)
    report = load_paths([tmp_path / "in"], tmp_path / "c.duckdb", workers=2)
    outcomes = {Path(o.path).name: o for o in report.files}
    assert outcomes[b[0].name].outcome == "failed" and outcomes[b[0].name].reason == workers.WORKER_DIED
    assert all(outcomes[p.name].outcome == "loaded" for p in a)
    assert _doc_names(tmp_path / "c.duckdb") == {p.name for p in a}


def test_uploads_are_read_in_a_process_whose_memory_is_capped(tmp_path, monkeypatch):
    from etl.intake import intake

    big = (SEEDS[0].read_text(encoding="utf-8") * 200).encode("utf-8")
    monkeypatch.setenv(workers.WORKER_MEMORY_MB_ENV, "40")
    r = intake([("big.txt", big)], tmp_path / "c.duckdb", tmp_path / "up")[0]
    assert r.outcome == "failed" and ("out of memory" in r.reason or r.reason == workers.WORKER_DIED), r
    monkeypatch.setenv(workers.WORKER_MEMORY_MB_ENV, "2048")
    r = intake([("big.txt", big)], tmp_path / "c.duckdb", tmp_path / "up")[0]
    assert r.outcome == "loaded", r


# --------------------------------------------------------------------------------------
# 7. Garbage that decodes is not text: judged on the decoded characters; a declared charset is a hint.


def test_random_bytes_in_the_gb18030_range_are_refused_as_garbled(tmp_path):
    import random

    rng = random.Random(13)
    f = tmp_path / "noise.txt"
    f.write_bytes(bytes(rng.randint(0x81, 0xFE) for _ in range(4096)))
    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    before = _stored(db)
    proc = _cli("load", str(f), "--db", str(db), "--quiet")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "failed    noise.txt: garbled text, not a readable document" in out
    assert _stored(db) == before


def test_a_big5_page_labelled_gb2312_is_read_as_big5(tmp_path):
    from opencc import OpenCC

    from etl.read import read_file

    text = SEEDS[0].read_text(encoding="utf-8")
    traditional = OpenCC("s2tw").convert(text)
    page = ('<html><head><meta charset="gb2312"><title>答复</title></head><body>'
            + "".join(f"<p>{line}</p>" for line in traditional.splitlines()) + "</body></html>")
    f = tmp_path / "page.html"
    f.write_bytes(page.encode("big5", "ignore"))
    rr = read_file(f)
    assert rr.encoding == "big5"
    assert "广州" in rr.text and not __import__("etl.read", fromlist=["garbled"]).garbled(rr.text)


# --------------------------------------------------------------------------------------
# 10. File names carrying terminal escapes are printed escaped.


def test_the_cli_prints_escapes_in_file_names_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = "报告\x1b]0;owned\x07\x1b[2J.txt"
    (folder / name).write_bytes(SEEDS[0].read_bytes() + b"\n")
    (folder / "empty\x1b[31m.txt").write_bytes(b"")
    proc = _cli("load", str(folder), "--db", str(tmp_path / "c.duckdb"))
    out, err = proc.communicate(timeout=120)
    assert "\x1b" not in out and "\x1b" not in err and "\x07" not in out + err
    assert "empty\\x1b[31m.txt: empty file" in out
    assert "报告\\x1b]0;owned\\x07\\x1b[2J.txt" in err  # the progress line


# --------------------------------------------------------------------------------------
# 9. Text from a document renders as text, never as Markdown (an image from outside is not fetched).


def test_the_review_history_shows_a_commitments_text_as_text(review_store, facts_db, monkeypatch):
    import re

    from streamlit.testing.v1 import AppTest

    from dashboard import queries_review as qr

    evil = "![x](http://evil.example/pixel.png) **bold** <img src=x onerror=alert(1)>"
    real = qr.ReviewData.row

    def row(self, cid):
        r = real(self, cid)
        if r is not None:
            r = r.copy()
            r["text"] = r["title"] = evil
        return r

    monkeypatch.setattr(qr.ReviewData, "row", row)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "review"
    at.run()
    at.tabs  # noqa: B018 - the tabs exist
    tab = next(t for t in at.get("tab") if "历史" in t.label or "History" in t.label)
    at.session_state["review_tab"] = tab.label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert evil in [t.value for t in at.text]
    bad = [m.value for m in at.markdown if re.search(r"(?<!\\)\]\(http|(?<!\\)<img", m.value)]
    assert not bad, bad
    assert [m for m in at.markdown if "\\]\\(http\\://evil\\.example" in m.value]  # the title, escaped


# --------------------------------------------------------------------------------------
# 13. Out-of-range dates from the URL are refused (today stays); years are clamped.


@pytest.mark.parametrize("asof", ["9999-12-31", "0001-01-01", "2024-13-45"])
@pytest.mark.parametrize("page", ["review", "deadlines"])
def test_an_out_of_range_asof_in_the_url_does_not_break_a_page(commitments_db, page, asof):
    from streamlit.testing.v1 import AppTest

    from dashboard import queries

    queries.clear_cache()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = page
    at.query_params["asof"] = asof
    at.query_params["due"] = "0-99999"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_url_dates_and_years_are_kept_in_range():
    import datetime as dt

    from dashboard.filters_state import from_query

    f, _, _ = from_query({"asof": "9999-12-31", "issued": "0-99999"}, today=dt.date(2024, 5, 1))
    assert f.as_of == dt.date(2024, 5, 1) and f.issue_years == (1900, 2199)


# --------------------------------------------------------------------------------------
# Every kind of bad input at once: each fails alone with its name and reason; the facts
# stored and the analysts' reviews are untouched.


def _bad_kinds(folder: Path) -> dict[str, tuple[str, str]]:
    """Write one file per kind of bad input; return kind -> (file name, reason pattern)."""
    import random
    import shutil

    from tests.fixtures.build import corpus

    folder.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, tuple[str, str]] = {}
    for bad in corpus().bad:
        if bad.name != str(bad.path):
            continue  # hostile names: below, as real file names
        target = folder / bad.path.name
        if bad.key == "huge":
            with target.open("wb") as handle:
                handle.truncate(bad.path.stat().st_size)
        else:
            shutil.copyfile(bad.path, target)
        kinds[bad.key] = (target.name, bad.reason)
    rng = random.Random(7)
    noise = bytes(rng.randint(0x81, 0xFE) for _ in range(4096))
    extra = {
        "escape_name": ("报告\x1b]0;x\x07\x1b[31m.txt", b"", r"^empty file$"),
        "garbled_gb18030": ("noise.txt", noise, r"^garbled text"),
        "garbled_page": ("noise.html", b'<html><head><meta charset="gb2312"></head><body><p>' + noise + b"</p></body></html>",
                         r"garbled text|not text in a known encoding"),
        "docx_lying_sizes": ("lying-small.docx", lying_docx(3_000_000), r"damaged \.docx: part 'word/document\.xml' unpacks"),
        "docx_lying_bomb": ("lying-bomb.docx", lying_docx(260_000_000), r"zip bomb: it unpacks to more than 200 MB"),
        "too_long": ("too-long.txt", ("发展" * 2_500_001).encode("utf-8"), r"too long: 5,000,002 characters"),
    }
    for key, (name, data, reason) in extra.items():
        (folder / name).write_bytes(data)
        kinds[key] = (name, reason)
    return kinds


def test_every_kind_of_bad_input_fails_alone_naming_the_file_and_harms_nothing(tmp_path):
    import re

    from etl.read import safe_name
    from review.store import ReviewStore, StatusChange

    db = tmp_path / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    con = duckdb.connect(str(db), read_only=True)
    cids = [r[0] for r in con.execute("SELECT commitment_id FROM commitments LIMIT 3").fetchall()]
    con.close()
    store = ReviewStore(tmp_path / "reviews.sqlite")
    store.record_statuses([StatusChange(c, "on_track", note="checked") for c in cids], "ana")
    before, reviews_before = _stored(db), store.path.read_bytes()
    kinds = _bad_kinds(tmp_path / "bad")
    assert len(kinds) >= 24, sorted(kinds)
    good = tmp_path / "bad" / "good-new.txt"
    good.write_text(SEEDS[0].read_text(encoding="utf-8") + "\n附件:新增\n", encoding="utf-8")
    proc = _cli("load", str(tmp_path / "bad"), "--db", str(db), "--quiet",
                env={"COMMITMENTS_REVIEWS_DB": str(store.path)})
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    lines = {}
    for line in out.splitlines():
        m = re.match(r"\s+failed\s+(.*?): (.*)$", line)
        if m:
            lines[m.group(1)] = m.group(2)
    for key, (name, reason) in kinds.items():
        shown = safe_name(name)
        assert shown in lines, (key, shown, out[-2000:])
        assert re.search(reason, lines[shown]), (key, lines[shown])
    after = _stored(db)
    assert after["documents"] != before["documents"]  # the good file loaded beside them …
    con = duckdb.connect(str(db), read_only=True)
    kept = con.execute("SELECT count(*) FROM documents WHERE file_name <> 'good-new.txt'").fetchall()[0][0]
    con.close()
    assert kept == len(SEEDS)
    assert {t: [r for r in rows if "good-new.txt" not in r] for t, rows in after.items() if t == "documents"} == \
        {"documents": before["documents"]}  # … and every stored document is as it was
    assert store.path.read_bytes() == reviews_before


def test_the_upload_page_says_when_a_loaded_file_gave_nothing(commitments_db):
    from streamlit.testing.v1 import AppTest

    from etl.intake import IntakeResult

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "intake"
    at.query_params["lang"] = "en"
    at.session_state["intake_results"] = [
        IntakeResult("novel.txt", "upload_novel.txt", "loaded", pipeline.NOTHING_FOUND, 0, 0),
        IntakeResult("copy.txt", None, "duplicate", "same text as 002_ba0558883df5eb9e.txt (already loaded, read here "
                     "from txt gb18030)", 0, 0)]
    at.run()
    assert not at.exception
    assert any("no commitments, figures or metadata found" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert "same text as 002_ba0558883df5eb9e.txt" in " ".join(table["Reason"])
