"""The command line: help on every command, exit codes, JSON in the answer key's shape."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, **kw)


@pytest.mark.parametrize("cmd", [[], ["load"], ["extract"], ["evaluate"], ["reviews"], ["reviews", "export"],
                                 ["reviews", "import"]])
def test_help(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0 and "usage" in r.stdout.lower()


@pytest.mark.parametrize("cmd", [[], ["export"], ["import"]])
def test_the_review_cli_has_help_and_is_the_alias_of_etl_reviews(cmd):
    own = subprocess.run([sys.executable, "-m", "review", *cmd, "--help"], cwd=ROOT, capture_output=True, text=True)
    alias = run("reviews", *cmd, "--help")
    assert own.returncode == 0 and "usage: python -m review" in own.stdout
    assert alias.stdout.replace("python -m etl reviews", "python -m review") == own.stdout


def test_the_review_cli_exports_a_store(tmp_path):
    out = tmp_path / "out.jsonl"
    r = subprocess.run([sys.executable, "-m", "review", "--store", str(tmp_path / "r.sqlite"), "export", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "Exported 0 entries" in r.stdout and out.read_text(encoding="utf-8") == ""
    bad = subprocess.run([sys.executable, "-m", "review", "export", str(tmp_path / "out.txt")], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown file type .txt" in bad.stderr


def test_usage_error_exits_2():
    assert run("nonsense").returncode == 2
    assert run("load", "no/such/folder", "--db", "/tmp/x.duckdb").returncode == 2


def test_extract_json_has_the_answer_key_shape():
    r = run("extract", "seeds/000_394190c2cbb107cb.txt", "--json")
    assert r.returncode == 0
    got = json.loads(r.stdout.splitlines()[0])
    gold = json.loads((ROOT / "tests/golden/000_394190c2cbb107cb.json").read_text(encoding="utf-8"))
    assert set(got) == set(gold) - {"figures_notes"}  # the annotator's notes are no extraction
    for section in ("commitments", "money", "counts", "targets", "figures"):
        if gold[section] and got[section]:
            assert set(got[section][0]) == set(gold[section][0])
    assert set(got["doc"]) == set(gold["doc"]) | {"doc_no"}  # the 文号 is an extra key


def test_extract_bad_file_exits_1(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    r = run("extract", str(bad))
    assert r.returncode == 1 and "empty.txt" in r.stderr


def test_load_summary_and_failed_exit(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text((ROOT / "seeds/001_3847f0f144510125.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\xff\xfe\x00")
    r = run("load", str(folder), "--db", str(tmp_path / "c.duckdb"))
    assert r.returncode == 1
    assert "documents loaded: 1" in r.stdout and "bad.txt" in r.stdout


def test_evaluate_prints_the_table():
    r = run("evaluate")
    assert r.returncode == 0
    assert "commitments" in r.stdout and "F1" in r.stdout


def test_evaluate_scores_every_gold_set_on_its_own_line():
    r = run("evaluate", "-v")
    assert r.returncode == 0
    summary = r.stdout.strip().splitlines()[-4:] if (ROOT.parent / "shared" / "corpus").is_dir() else []
    names = [line.split()[0] for line in summary]
    if summary:
        assert names == ["seeds", "corpus", "seeds-fullwidth", "seeds-traditional"]
    assert "targets.metric" in r.stdout  # every field's accuracy is shown, weak ones too


def test_evaluate_one_folder():
    r = run("evaluate", "--gold", "tests/golden", "--docs", "seeds")
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1].startswith("golden")
    r = run("evaluate", "--gold", "no/such/folder")
    assert r.returncode == 2 and "no answer-key files" in r.stderr


def test_extract_prints_a_summary_by_default():
    r = run("extract", "seeds/000_394190c2cbb107cb.txt")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "000_394190c2cbb107cb.txt" and "发文单位 广州市工业和信息化局" in lines[1]
    assert any(line.startswith("  承诺 ") for line in lines) and any("亿元" in line for line in lines)


def test_extract_of_a_missing_file_prints_only_the_error():
    r = run("extract", "no/such/file.txt")
    assert r.returncode == 1 and r.stdout == "" and "file.txt" in r.stderr and "cannot open" in r.stderr
