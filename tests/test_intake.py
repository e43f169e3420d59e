"""Uploads: safe names, size limit, results per file, nothing stored is lost."""

from pathlib import Path

import duckdb

from etl.intake import intake, safe_name

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "001_3847f0f144510125.txt"


def count(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def test_safe_names_never_escape_the_upload_folder():
    for name in ["../../x.txt", "/etc/passwd", "a\x1b[31m.txt", "..\\..\\win.docx", "\u202e.txt", ""]:
        got = safe_name(name)
        assert "/" not in got and "\\" not in got and not got.startswith(".")
        assert all(ord(ch) >= 32 for ch in got)


def test_upload_loads_and_reports_per_file(tmp_path, monkeypatch):
    db, up = tmp_path / "c.duckdb", tmp_path / "uploads"
    good = SEED.read_bytes()
    res = intake([("../答复.txt", good), ("empty.txt", b""), ("noise.txt", b"\x00\xff" * 100)], db, up)
    assert [r.outcome for r in res] == ["loaded", "failed", "failed"]
    assert res[0].commitments == 5 and res[0].stored_name == "upload_答复.txt"
    assert "empty" in res[1].reason
    assert sorted(p.name for p in up.iterdir()) == ["upload_答复.txt"]
    # the same file again is unchanged; a changed version replaces it
    assert intake([("答复.txt", good)], db, up)[0].outcome == "unchanged"
    changed = good.replace("全年投入2亿元".encode(), "全年投入3亿元".encode())
    assert intake([("答复.txt", changed)], db, up)[0].outcome == "loaded"
    assert count(db, "SELECT count(*) FROM documents") == 1
    assert count(db, "SELECT count(*) FROM figures WHERE span_text = '3亿元'") >= 1


def test_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITMENTS_MAX_UPLOAD_MB", "0.001")
    res = intake([("big.txt", SEED.read_bytes())], tmp_path / "c.duckdb", tmp_path / "up")
    assert res[0].outcome == "failed" and "upload limit" in res[0].reason


def test_the_reader_can_show_the_traditional_original(tmp_path, monkeypatch):
    import opencc
    from streamlit.testing.v1 import AppTest
    from dashboard import queries

    trad = opencc.OpenCC("s2tw").convert(SEED.read_text(encoding="utf-8"))
    db, up = tmp_path / "c.duckdb", tmp_path / "up"
    res = intake([("繁体.txt", trad.encode("big5", errors="replace"))], db, up)
    assert res[0].outcome == "loaded"
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(tmp_path / "r.sqlite"))
    queries.clear_cache()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["page"] = "documents"
    at.run()
    assert not at.exception
    toggle = [t for t in at.toggle if t.key.startswith("original_")]
    assert toggle, "no toggle for the original text"
    simplified = "".join(h.proto.body for h in at.get("html"))
    toggle[0].set_value(True).run()
    original = "".join(h.proto.body for h in at.get("html"))
    assert "广州市" in simplified and "廣州市" in original
