"""dashboard/filters_state.py: the URL codec round-trips every filter; keywords are escaped."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.filters_state import BASES, BUCKETS, Filters, from_query, keyword_pattern, to_query

TODAY = dt.date(2024, 5, 1)
ids = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,14}", fullmatch=True), max_size=3, unique=True).map(tuple)
years = st.one_of(st.none(), st.tuples(st.integers(1990, 2040), st.integers(1990, 2040)).map(lambda p: (min(p), max(p))))

filters = st.builds(
    Filters,
    jurisdictions=st.lists(st.sampled_from(["广州市", "天河区", "黄埔区"]), max_size=2, unique=True).map(tuple),
    agency_ids=ids, agency_role=st.sampled_from(["lead", "any"]), doc_types=ids, doc_ids=ids,
    issue_years=years, deadline_years=years, figure_years=years,
    buckets=st.lists(st.sampled_from(BUCKETS), max_size=3, unique=True).map(tuple),
    bases=st.lists(st.sampled_from(BASES), max_size=2, unique=True).map(tuple),
    keyword=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8).map(str.strip),
    merge=st.booleans(), as_of=st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
)


@settings(suppress_health_check=[HealthCheck.too_slow])  # a shared, busy machine: generation may be slow
@given(filters, st.sampled_from(["zh", "en"]), st.sampled_from(["overview", "funding", "documents"]))
def test_url_round_trip(f, lang, page):
    params = to_query(f, lang, page, today=TODAY)
    back, lang_back, page_back = from_query(params, today=TODAY)
    expected = f if f.agency_ids else f.with_(agency_role="lead")  # the role only matters with agencies
    assert (back, lang_back, page_back) == (expected, lang, page)


def test_defaults_make_a_short_link():
    assert to_query(Filters(as_of=TODAY), "zh", "overview", today=TODAY) == {"page": "overview"}


def test_malformed_values_are_ignored():
    f, lang, page = from_query({"issued": "abc", "status": "overdue,soon", "lang": "fr", "asof": "x"}, today=TODAY)
    assert f.issue_years is None and f.buckets == ("overdue",) and lang == "zh" and page is None
    assert f.as_of == TODAY


def test_keyword_pattern_escapes_wildcards():
    assert keyword_pattern("100%") == "%100\\%%"
    assert keyword_pattern("a_b") == "%a\\_b%"
    assert keyword_pattern("\\") == "%\\\\%"
    assert keyword_pattern("") is None
