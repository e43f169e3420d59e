"""Bad input gets a clear error naming the file and the reason, and harms nothing already stored."""

from __future__ import annotations

import re
import shutil

import pytest

from etl import read
from etl.read import ReadError, read_file, safe_name
from tests.fixtures.build import HOSTILE_NAMES, SEEDS_DIR, corpus

CORPUS = corpus()
ON_DISK = [bad for bad in CORPUS.bad if bad.name == str(bad.path)]
HOSTILE = [bad for bad in CORPUS.bad if bad.name != str(bad.path)]


def test_every_kind_of_bad_input_is_in_the_corpus():
    keys = {bad.key for bad in CORPUS.bad}
    assert {
        "empty", "random_bytes", "truncated_utf8", "truncated_gb18030", "huge", "docx_not_zip",
        "docx_zip_bomb", "pdf_no_text", "html_no_body", "hostile_name_0", "hostile_name_1",
    } <= keys  # fmt: skip


@pytest.mark.parametrize("bad", ON_DISK, ids=lambda bad: bad.key)
def test_bad_file_is_refused_with_its_reason(bad):
    with pytest.raises(ReadError) as caught:
        read_file(bad.path)
    error = caught.value
    assert re.search(bad.reason, error.reason), error.reason
    assert str(error) == f"{bad.path.name}: {error.reason}"


@pytest.mark.parametrize("bad", [bad for bad in ON_DISK if bad.key != "huge"], ids=lambda bad: bad.key)
def test_bad_bytes_are_refused_the_same_way(bad):
    """Uploads pass the bytes and the name: same refusal, same reason (the size limit: test_read)."""
    with pytest.raises(ReadError) as caught:
        read_file(bad.path.name, bad.path.read_bytes())
    assert re.search(bad.reason, caught.value.reason), caught.value.reason


@pytest.mark.parametrize(("bad", "shown"), list(zip(HOSTILE, ["\\x1b[31m报告\\x07.txt", "evil\\r\\nname\\x00.html"])), ids=lambda v: getattr(v, "key", None))
def test_hostile_file_name_is_shown_safely(bad, shown):
    with pytest.raises(ReadError) as caught:
        read_file(bad.name, bad.path.read_bytes())
    error = caught.value
    assert re.search(bad.reason, error.reason)
    assert error.display_name == shown
    assert str(error) == f"{shown}: {error.reason}"
    assert str(error).isprintable()
    assert error.path == bad.name  # the caller still has the name as given


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_name_does_not_stop_a_good_file(name):
    seed = next(SEEDS_DIR.glob("*.txt"))
    result = read_file(name, seed.read_bytes())  # the suffix still picks the format: .html lays text out as a page
    assert re.sub(r"\s+", "", result.text) == re.sub(r"\s+", "", read_file(seed).text)


def test_huge_file_is_refused_without_being_read(monkeypatch):
    bad = CORPUS.bad_input("huge")
    monkeypatch.setattr(read.Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    with pytest.raises(ReadError, match=r"too large: 100.0 MB \(104,857,600 bytes\), the limit is 50 MB a file"):
        read_file(bad.path)


def test_error_names_only_the_file_not_its_folders():
    bad = CORPUS.bad_input("empty")
    with pytest.raises(ReadError) as caught:
        read_file(str(bad.path))
    assert caught.value.display_name == safe_name(bad.path) == "empty.txt"
    assert str(bad.path.parent) not in str(caught.value)


# --------------------------------------------------------------------------------------
# The pipeline: good files load, bad ones are reported, stored rows stay as they were.

pipeline = pytest.importorskip("etl.pipeline", reason="etl/pipeline.py not written yet")
duckdb = pytest.importorskip("duckdb")

STORED_TABLES = ("documents", "commitments", "figures", "sections", "agency_mentions", "commitment_agencies")
# Distinct contents only: the pipeline treats byte-identical files as one document.
PIPELINE_BAD = [bad for bad in ON_DISK if bad.key not in ("html_empty",)]


def stored_rows(db_path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {table: sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall())) for table in STORED_TABLES}
    finally:
        con.close()


@pytest.fixture
def seeded_db(tmp_path):
    db_path = tmp_path / "commitments.duckdb"
    report = pipeline.load_paths([SEEDS_DIR], db_path, workers=1)
    assert report.count("loaded") == len(CORPUS.seeds)
    return db_path


@pytest.fixture
def bad_folder(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for bad in PIPELINE_BAD:
        shutil.copyfile(bad.path, folder / bad.path.name) if bad.key != "huge" else _sparse_copy(bad.path, folder / bad.path.name)
    hostile = folder / "报告\x1b[31m\x07.txt"
    hostile.write_bytes(b"\xe5\xb9")  # a control-character name on a truncated file
    return folder


def _sparse_copy(source, target) -> None:
    with target.open("wb") as handle:
        handle.truncate(source.stat().st_size)


def test_load_reports_each_bad_file_with_its_reason(tmp_path, bad_folder):
    good = tmp_path / "good"
    good.mkdir()
    variant = CORPUS.variant(next(iter(CORPUS.seeds)), "gb18030.txt")
    shutil.copyfile(variant.path, good / "reply-gb18030.txt")
    db_path = tmp_path / "run.duckdb"
    report = pipeline.load_paths([good, bad_folder], db_path, workers=1)
    outcomes = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert outcomes["reply-gb18030.txt"].outcome == "loaded"
    assert outcomes["reply-gb18030.txt"].commitments > 0
    for bad in PIPELINE_BAD:
        outcome = outcomes[bad.path.name]
        assert outcome.outcome == "failed", (bad.key, outcome)
        assert re.search(bad.reason, outcome.reason), (bad.key, outcome.reason)
    assert outcomes["报告\x1b[31m\x07.txt"].outcome == "failed"
    assert "truncated" in outcomes["报告\x1b[31m\x07.txt"].reason
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        logged = dict(con.execute("SELECT path, reason FROM etl_files WHERE run_id = ? AND outcome = 'failed'", [report.run_id]).fetchall())
    finally:
        con.close()
    assert {path.rsplit("/", 1)[-1] for path in logged} == {bad.path.name for bad in PIPELINE_BAD} | {"报告\x1b[31m\x07.txt"}
    assert all(logged.values())


def test_bad_files_leave_the_database_as_it_was(seeded_db, bad_folder):
    before = stored_rows(seeded_db)
    report = pipeline.load_paths([SEEDS_DIR, bad_folder], seeded_db, workers=1)
    assert report.count("loaded") == 0
    assert report.count("unchanged") == len(CORPUS.seeds)
    assert report.count("failed") == len(PIPELINE_BAD) + 1
    assert stored_rows(seeded_db) == before


def test_good_files_load_beside_bad_ones_without_touching_stored_rows(tmp_path, seeded_db, bad_folder):
    before = stored_rows(seeded_db)
    variant = CORPUS.variant(next(iter(CORPUS.seeds)), "page-gb2312.html")
    shutil.copyfile(variant.path, bad_folder / "saved-page.html")
    report = pipeline.load_paths([SEEDS_DIR, bad_folder], seeded_db, workers=1)
    assert report.count("loaded") == 1
    after = stored_rows(seeded_db)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), f"{table}: stored rows changed"
    assert len(after["documents"]) == len(before["documents"]) + 1
