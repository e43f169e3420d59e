"""The benchmark at a tiny size, so it cannot rot: generator, facts copies, the whole command.

No timing is asserted anywhere: only that each part runs and writes what it should.
"""

import duckdb
import pytest

from bench import cli, corpus, facts
from etl import checks
from etl.extract import extract
from etl.pipeline import load_paths
from etl.read import read_file


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "corpus"
    return corpus.generate(12, out, seed=7)


def test_every_generated_document_has_commitments_money_and_counts(generated):
    assert len(generated) == 12
    for path in generated:
        ex = extract(read_file(path).text)
        assert ex.commitments and ex.money and ex.counts, path.name


def test_generator_is_deterministic_and_reuses_its_files(generated, tmp_path):
    again = corpus.generate(12, tmp_path / "again", seed=7)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in generated]
    assert corpus.generate(12, generated[0].parent.parent, seed=7) == generated  # manifest matches: reused
    other = corpus.generate(3, tmp_path / "other", seed=8)
    assert other[0].read_bytes() != generated[0].read_bytes()


def test_documents_differ_from_the_seeds_and_from_each_other(generated):
    texts = {p.read_bytes() for p in generated}
    seeds = {p.read_bytes() for p in corpus.SEED_DIR.glob("*.txt")}
    assert len(texts) == len(generated) and not texts & seeds


@pytest.mark.parametrize("n", [1, 9, 22, 99])
def test_cn_numbers_round_trip(n):
    assert corpus.cn_value(corpus.cn_number(n)) == n


def test_facts_copies_reach_the_size_and_pass_the_checks(generated, tmp_path):
    source = tmp_path / "source.duckdb"
    load_paths(generated, source, workers=1)
    target = tmp_path / "facts.duckdb"
    counts = facts.build(source, target, 2000)
    assert counts["figures"] >= 2000 - 100
    con = duckdb.connect(str(target), read_only=True)
    try:
        assert checks.check(con) == []
        n_docs = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
        assert n_docs > len(generated)  # copies were made, each under its own ID
    finally:
        con.close()


def test_help_names_the_size_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for option in ("--docs", "--figures", "--quick", "--new", "--repeats"):
        assert option in text


def test_the_whole_benchmark_runs_at_a_tiny_size(tmp_path, capsys):
    out = tmp_path / "results.md"
    assert cli.main(["--docs", "6", "--small", "2", "--new", "2", "--figures", "500", "--repeats", "1",
                     "--page-repeats", "1", "--pages", "overview", "--workers", "2", "--data-dir", str(tmp_path / "data"),
                     "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "cores" in text and "## ETL" in text and "## Dashboard" in text
    for measure in ("cold load, 6 documents", "read-and-decode floor", "unchanged re-run", "new documents added",
                    "growth 2 → 6"):
        assert measure in text
    assert "`overview`" in text and "timed out" not in text
    assert text in capsys.readouterr().out
