"""Score the extraction against every answer key and enforce the acceptance bars.

The seeds (tests/golden), the seeds printed as the originals publish them (full-width
punctuation, traditional characters) and the State Council corpus read in place at
../shared/corpus (skipped where it is absent).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.evaluate import DOC_FIELDS, evaluate, evaluate_set, full_width, gold_sets, load_gold
from etl.extract import extract, to_answer_json
from etl.read import read_file

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "golden"
SEEDS = ROOT / "seeds"
SETS = {gs.name: gs for gs in gold_sets(ROOT)}
SCORER = ROOT.parent / "shared" / "tools" / "score.py"
SEED_FIELDS = ("commitments.lead_agencies", "commitments.deadline", "commitments.deadline_basis", "money.year",
               "money.kind", "money.target", "counts.year", "counts.target", "counts.metric", "targets.year",
               "targets.unit", "targets.lead_agencies")
"""The fields the reference scorer checks (targets' metrics are scored, and shown, but not held to this bar)."""


def _extract(name: str, text: str) -> dict:
    return to_answer_json(name, extract(text))


@pytest.fixture(scope="module")
def reports():
    out = {}
    for name, gs in SETS.items():
        if gs.available():
            out[name] = evaluate_set(gs, _extract)
            print(f"\n== {name}\n" + out[name].table())
    return out


def _field(report, dotted: str) -> float:
    section, name = dotted.split(".")
    return report.sections[section].field_accuracy(name)


def test_every_gold_file_names_a_seed():
    golds = load_gold(GOLD)
    assert len(golds) == 5
    for gold in golds:
        assert (SEEDS / gold["file"]).exists()


@pytest.mark.parametrize("variant", ["seeds", "seeds-fullwidth", "seeds-traditional"])
@pytest.mark.parametrize("section", ["commitments", "money", "counts", "targets"])
def test_seed_section_f1(reports, variant, section):
    score = reports[variant].sections[section]
    assert score.f1 >= 0.98, f"{variant} {section} F1 {score.f1:.3f}: {score.misses[:5]}"


@pytest.mark.parametrize("variant", ["seeds", "seeds-fullwidth", "seeds-traditional"])
@pytest.mark.parametrize("dotted", SEED_FIELDS)
def test_seed_fields(reports, variant, dotted):
    assert _field(reports[variant], dotted) >= 0.95, reports[variant].table()


@pytest.mark.parametrize("variant", ["seeds", "seeds-fullwidth", "seeds-traditional"])
def test_seed_metadata_exact(reports, variant):
    rep = reports[variant]
    assert rep.doc_misses == [], rep.doc_misses
    assert all(rep.doc_hits[f] == rep.doc_total[f] for f in DOC_FIELDS)


@pytest.mark.parametrize("variant", ["seeds-fullwidth", "seeds-traditional"])
def test_printing_changes_nothing(reports, variant):
    plain, other = reports["seeds"], reports[variant]
    for name, sec in plain.sections.items():
        assert (other.sections[name].tp, other.sections[name].fp) == (sec.tp, sec.fp), name
        assert other.sections[name].field_hits == sec.field_hits, name
    assert other.doc_hits == plain.doc_hits


def test_offsets_index_the_stored_text():
    for gold in load_gold(GOLD):
        for text in (read_file(SEEDS / gold["file"]).text, full_width(read_file(SEEDS / gold["file"]).text)):
            got = _extract(gold["file"], text)
            for section in ("money", "counts", "targets"):
                for x in got[section]:
                    assert text[x["start"]:x["end"]] == x["span"]
            for c in got["commitments"]:
                assert text[c["start"]:c["end"]].startswith(c["starts_with"])


def test_scoring_rule_penalises_a_wrong_value():
    gold = load_gold(GOLD)[0]
    got = _extract(gold["file"], read_file(SEEDS / gold["file"]).text)
    got["money"][0]["yuan"] *= 10
    rep = evaluate([(gold, got)])
    assert rep.sections["money"].fn == 1 and rep.sections["money"].fp == 1


def test_unannotated_sections_are_skipped_not_scored_as_empty():
    gold = dict(load_gold(GOLD)[0], annotated=["doc", "commitments"])
    got = _extract(gold["file"], read_file(SEEDS / gold["file"]).text)
    rep = evaluate([(gold, got)])
    assert not rep.sections["money"].scored and rep.sections["commitments"].scored


needs_scorer = pytest.mark.skipif(not SCORER.exists(), reason="../shared/tools/score.py not present")


@needs_scorer
@pytest.mark.parametrize("name", ["seeds", "corpus"])
def test_evaluator_agrees_with_the_reference_scorer(reports, name, tmp_path):
    gs = SETS[name]
    if not gs.available():
        pytest.skip(f"{gs.gold_dir} not present")
    lines = [json.dumps(_extract(g["file"], read_file(gs.docs_dir / g["file"]).text), ensure_ascii=False)
             for g in load_gold(gs.gold_dir)]
    (tmp_path / "x.json").write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), "seeds", str(tmp_path / "x.json"), str(gs.gold_dir)],
                         capture_output=True, text=True).stdout
    ref = {ln.split()[0]: float(ln.split("F1=")[1]) for ln in out.splitlines() if "F1=" in ln}
    for section, f1 in ref.items():
        assert reports[name].sections[section].f1 == pytest.approx(f1, abs=0.006), (section, out)
    ref_fields = {ln.split()[1]: float(ln.split()[2]) for ln in out.splitlines() if ln.startswith("  field ")}
    for dotted, acc in ref_fields.items():
        assert _field(reports[name], dotted) == pytest.approx(acc, abs=0.006), (dotted, out)
    doc = float(next(ln for ln in out.splitlines() if ln.startswith("doc metadata")).split()[-1])
    assert reports[name].doc_accuracy == pytest.approx(doc, abs=0.006)


def _corpus(reports):
    if "corpus" not in reports:
        pytest.skip("../shared/corpus not present")
    return reports["corpus"]


@pytest.mark.parametrize("section, bar", [("commitments", 0.90), ("money", 0.95)])
def test_corpus_section_f1(reports, section, bar):
    score = _corpus(reports).sections[section]
    assert score.f1 >= bar, f"corpus {section} F1 {score.f1:.3f}: {score.misses[:5]}"


@pytest.mark.parametrize("dotted, bar", [("commitments.lead_agencies", 0.90), ("commitments.deadline", 0.95),
                                         ("commitments.deadline_basis", 0.95), ("money.kind", 0.85)])
def test_corpus_fields(reports, dotted, bar):
    assert _field(_corpus(reports), dotted) >= bar, _corpus(reports).table()


def test_corpus_metadata(reports):
    assert _corpus(reports).doc_accuracy >= 0.95, _corpus(reports).doc_misses


def _corpus_phrases() -> set[str]:
    """Titles, the opening words of every annotated commitment and every money span's sentence head."""
    gs = SETS["corpus"]
    phrases = set()
    for gold in load_gold(gs.gold_dir):
        text = read_file(gs.docs_dir / gold["file"]).text
        phrases.add(gold["doc"]["title"])
        for c in gold["commitments"]:
            phrases.add(text[c["start"]:c["start"] + 16])
        for m in gold["money"]:
            phrases.add(text[max(0, m["start"] - 12):m["end"]])
    return {p for p in phrases if len(p) >= 10}


def test_no_rule_registry_row_or_test_names_a_corpus_document():
    if not SETS["corpus"].available():
        pytest.skip("../shared/corpus not present")
    from etl.normalize import fold

    phrases = {fold(p) for p in _corpus_phrases()}
    files = [*ROOT.glob("etl/**/*.py"), *ROOT.glob("etl/data/*"), *ROOT.glob("tests/**/*.py"),
             *ROOT.glob("dashboard/**/*.py")]
    for path in files:
        body = fold(path.read_text(encoding="utf-8", errors="replace"))
        hits = [p for p in phrases if p in body]
        assert not hits, f"{path.relative_to(ROOT)} names corpus text: {hits[:3]}"


@pytest.mark.parametrize("variant", ["seeds", "seeds-fullwidth", "seeds-traditional"])
@pytest.mark.parametrize("dotted", ["targets.metric", "counts.metric"])
def test_seed_metrics_name_what_is_measured(reports, variant, dotted):
    """Follow-through links match on metrics: a target's metric (character F1 ≥ 0.7) right on ≥ 85%."""
    assert _field(reports[variant], dotted) >= 0.85, reports[variant].table()
