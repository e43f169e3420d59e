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

from etl import pipeline
from etl.pipeline import load_paths

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
    lock = pipeline.writer_lock(db)
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
    lock = pipeline.writer_lock(db)
    monkeypatch.setattr(pipeline, "LOCK_WAIT_S", 0.3)
    try:
        with pytest.raises(pipeline.LoadBusyError, match="another load has been writing c.duckdb"):
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


@pytest.mark.parametrize("damage", ["truncated", "garbage_header"])
def test_a_damaged_database_is_set_aside_and_rebuilt(tmp_path, damage):
    docs = _docs(tmp_path / "a", "a", 2)
    db = tmp_path / "c.duckdb"
    load_paths([tmp_path / "a"], db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "truncated" else b"\x00garbage" * 512 + data[4096:])
    assert pipeline.damage(db)
    proc = _cli("load", str(tmp_path / "a"), "--db", str(db), "--quiet")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "was damaged" in err and "set aside as" in err
    aside = list(tmp_path.glob("c.duckdb.damaged-*"))
    assert len(aside) == 1 and aside[0].name[len("c.duckdb.damaged-"):][:8].isdigit()
    assert pipeline.damage(db) is None
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
