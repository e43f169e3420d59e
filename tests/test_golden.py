"""Score the extraction against the answer key (tests/golden) and enforce the acceptance bar."""

from pathlib import Path

import pytest

from etl.evaluate import DOC_FIELDS, evaluate, load_gold
from etl.extract import extract, to_answer_json
from etl.read import read_file

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "golden"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def report():
    pairs = []
    for gold in load_gold(GOLD):
        text = read_file(SEEDS / gold["file"]).text
        pairs.append((gold, to_answer_json(gold["file"], extract(text))))
    rep = evaluate(pairs)
    print("\n" + rep.table())
    return rep


def test_every_gold_file_names_a_seed():
    golds = load_gold(GOLD)
    assert len(golds) == 5
    for gold in golds:
        assert (SEEDS / gold["file"]).exists()


@pytest.mark.parametrize("section,bar", [("commitments", 0.95), ("money", 0.95), ("counts", 0.95), ("targets", 0.90)])
def test_section_f1(report, section, bar):
    score = report.sections[section]
    assert score.f1 >= bar, f"{section} F1 {score.f1:.3f} < {bar}: {score.misses[:5]}"


def test_field_accuracy(report):
    assert report.field_accuracy() >= 0.90, report.table()


def test_document_metadata_exact(report):
    assert report.doc_misses == [], report.doc_misses
    assert all(report.doc_hits[f] == report.doc_total for f in DOC_FIELDS)


def test_offsets_index_the_stored_text():
    for gold in load_gold(GOLD):
        text = read_file(SEEDS / gold["file"]).text
        got = to_answer_json(gold["file"], extract(text))
        for section in ("money", "counts", "targets"):
            for x in got[section]:
                assert text[x["start"]:x["end"]] == x["span"]
        for c in got["commitments"]:
            assert text[c["start"]:c["end"]].startswith(c["starts_with"])


def test_scoring_rule_penalises_a_wrong_value():
    gold = load_gold(GOLD)[0]
    got = to_answer_json(gold["file"], extract(read_file(SEEDS / gold["file"]).text))
    got["money"][0]["yuan"] *= 10
    rep = evaluate([(gold, got)])
    assert rep.sections["money"].fn == 1 and rep.sections["money"].fp == 1
