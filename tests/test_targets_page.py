"""The Targets page in AppTest: ranked candidates, confirm/reject, progress with the qualifier, threads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries, queries_links as ql
from etl.pipeline import load_paths
from review import link_decisions
from review.link_decisions import LinkDecision
from tests.test_linking import SEEDS, later_reply, rows


APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")

# A body no registry knows, a target with no year, a document with no date: the page must still draw.
ODD_REPLY = (
    "李华委员:\n"
    "您提出的提案收悉,现答复如下:\n"
    "下一步,我办将力争培育科技型小微企业超300家。\n"
    "某某新区产业促进服务中心\n"
)


@pytest.fixture
def env(tmp_path_factory, monkeypatch):
    tmp = tmp_path_factory.mktemp("targets")
    (tmp / "more").mkdir()
    (tmp / "more" / "2023_reply.txt").write_text(later_reply(), encoding="utf-8")
    (tmp / "more" / "odd_reply.txt").write_text(ODD_REPLY, encoding="utf-8")
    db = tmp / "c.duckdb"
    assert load_paths([SEEDS, tmp / "more"], db).ok
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(tmp / "reviews.sqlite"))
    queries.clear_cache()
    yield db
    queries.clear_cache()


def open_page(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = "targets"
    at.query_params["lang"] = lang
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def the_600_target(db) -> tuple[str, str]:
    return rows(db, """SELECT l.target_id, l.figure_id FROM link_fulfilment l JOIN figures t ON t.figure_id = l.target_id
                       WHERE t.span_text = '600家' AND l.rank = 1""")[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_draws_every_target_without_an_exception(env, lang):
    at = open_page(lang)
    no_errors(at)
    assert at.title[0].value.startswith("目标跟踪" if lang == "zh" else "Targets")
    text = " ".join(m.value for m in at.markdown)
    assert "创新型中小企业" in text and "640家" in text  # the target and its best candidate
    n = rows(env, "SELECT count(*) FROM figures WHERE is_target")[0][0]
    assert n > ql.PAGE_TARGETS or len([m for m in at.metric if m.label in ("目标", "Target")]) == n


def test_confirming_the_best_candidate_shows_progress_met_as_the_qualifier_reads(env):
    target, figure = the_600_target(env)
    at = open_page("en")
    at.text_input(key="links_reviewer").input("王").run()
    next(b for b in at.button if b.key == f"confirm_f_{target}_{figure}").click().run()
    no_errors(at)
    assert [(d.link_kind, d.from_id, d.to_id, d.decision) for d in link_decisions.current().itertuples()] == [
        ("fulfilment", target, figure, "confirmed")]
    progress = [m for m in at.metric if m.label == "Progress"]
    assert any(m.value == f"{100 * 640 / 600:.1f}%" and m.delta == "met" for m in progress)
    latest = [m for m in at.metric if m.label == "Latest confirmed figure"]
    assert any(m.value == "640家" for m in latest)


def test_600_is_not_met_by_exactly_600():
    assert not ql.progress({"value": 600, "qualifier": "over"}, {"value": 600}).met
    assert ql.progress({"value": 600, "qualifier": "over"}, {"value": 601}).met
    assert ql.progress({"value": 600, "qualifier": "min"}, {"value": 600}).met


def test_a_confirmed_thread_shows_the_first_promise_and_the_slipped_deadline(env):
    a, b = rows(env, """SELECT t.from_commitment_id, t.to_commitment_id FROM link_threads t
                        JOIN commitments c ON c.commitment_id = t.from_commitment_id WHERE c.text LIKE '%一张网%'""")[0]
    at = open_page("en")
    at.text_input(key="links_reviewer").input("王").run()
    next(b_ for b_ in at.button if b_.key == f"confirm_t_{a}_{b}").click().run()
    no_errors(at)
    text = " ".join(m.value for m in at.markdown)
    assert "First promise" in text and "slipped: 2022 → 2024" in text
    slipped = ql.slipped_deadlines()
    assert list(slipped["to_commitment_id"]) == [b] and slipped["move"].iloc[0] == "slipped: 2022 → 2024"


def test_a_rejected_candidate_says_so_and_can_be_undone(env):
    target, figure = the_600_target(env)
    at = open_page()
    at.text_input(key="links_reviewer").input("王").run()
    next(b for b in at.button if b.key == f"reject_f_{target}_{figure}").click().run()
    assert link_decisions.current()["decision"].tolist() == ["rejected"]
    next(b for b in at.button if b.key == f"clear_f_{target}_{figure}").click().run()
    no_errors(at)
    assert link_decisions.current().empty and len(link_decisions.history()) == 2


def test_without_a_reviewer_nothing_is_saved(env):
    target, figure = the_600_target(env)
    at = open_page("en")
    next(b for b in at.button if b.key == f"confirm_f_{target}_{figure}").click().run()
    assert link_decisions.current().empty
    assert any("reviewer" in w.value for w in at.warning)


def test_a_confirmed_link_whose_figure_is_gone_still_draws(env):
    target, _ = the_600_target(env)
    link_decisions.record([LinkDecision("fulfilment", target, "rf_no_longer_extracted", "confirmed")], "王")
    at = open_page()
    no_errors(at)


@pytest.mark.parametrize("page", ["funding", "overview"])
def test_a_total_with_merged_citations_says_so(env, page):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    at.query_params["lang"] = "en"
    at.run()
    no_errors(at)
    assert any("1 repeated citations" in c.value for c in at.caption)


def test_the_review_page_lists_a_confirmed_slipped_deadline_in_its_own_section(env):
    a, b = rows(env, """SELECT t.from_commitment_id, t.to_commitment_id FROM link_threads t
                        JOIN commitments c ON c.commitment_id = t.from_commitment_id WHERE c.text LIKE '%一张网%'""")[0]
    page = str(Path(APP).parent / "views" / "review.py")
    at = AppTest.from_file(page, default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["review_tab"] = "Slipped deadlines"
    at.run()
    no_errors(at)
    assert any("No confirmed slipped deadline" in i.value for i in at.info)
    link_decisions.record([LinkDecision("thread", a, b, "confirmed")], "王")
    at.run()
    no_errors(at)
    table = next(d.value for d in at.dataframe if "Deadline move" in d.value.columns)
    assert table["Deadline move"].tolist() == ["slipped: 2022 → 2024"]


def test_splitting_a_repeated_citation_on_the_page_counts_it_again(env):
    from dashboard.filters_state import Filters

    other = rows(env, """SELECT s.figure_id FROM link_same_facts s JOIN figures f USING (figure_id)
                         WHERE f.span_text = '43.43亿元' AND NOT s.is_first""")[0][0]
    assert queries.merged_citations(Filters())["n_merged"] == 1
    at = open_page("en")
    at.text_input(key="links_reviewer").input("王").run()
    next(b for b in at.button if b.key == f"split_s_{other}").click().run()
    no_errors(at)
    assert link_decisions.current()["decision"].tolist() == ["split"]
    assert queries.merged_citations(Filters())["n_merged"] == 0
    assert any(b.key == f"clear_s_{other}" for b in at.button)


def test_a_group_lists_its_first_citations_and_the_rest_when_asked(env, monkeypatch):
    group, other = rows(env, """SELECT s.group_id, s.figure_id FROM link_same_facts s JOIN figures f USING (figure_id)
                                WHERE f.span_text = '43.43亿元' AND NOT s.is_first""")[0]
    first = ql.same_fact_page(shown=1)
    assert first["is_first"].all() and first["group_id"].is_unique and (first["n_citations"] > 1).all()
    assert set(ql.same_fact_page(shown=1, whole=(group,)).query("group_id == @group")["figure_id"]) >= {other}

    monkeypatch.setattr(ql, "SAME_FACT_SHOWN", 1)
    at = open_page("en")
    no_errors(at)
    assert not any(b.key == f"split_s_{other}" for b in at.button)
    at.toggle(key=f"whole_s_{group}").set_value(True).run()
    no_errors(at)
    assert any(b.key == f"split_s_{other}" for b in at.button)
