"""Shared fixtures: one facts database built from ``seeds/`` for every dashboard test."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV_KEYS = ("COMMITMENTS_DB", "COMMITMENTS_REVIEWS_DB")


@contextlib.contextmanager
def pointed_at(db: Path, reviews: Path):
    """Point the dashboard at ``db`` and the review store ``reviews`` (the environment), then put it back."""
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ["COMMITMENTS_DB"] = str(db)
    os.environ["COMMITMENTS_REVIEWS_DB"] = str(reviews)
    try:
        yield db
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def sql_runner(db: Path):
    """Return ``run("SELECT ...", [params]) -> rows`` over ``db``, read-only, one connection per call."""
    def run(statement: str, params=None):
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute(statement, params or []).fetchall()
        finally:
            con.close()
    return run


@pytest.fixture(scope="session")
def commitments_db(tmp_path_factory) -> Path:
    """Build the database from seeds/ once, and point the dashboard at it (and at an empty reviews file).

    Sets ``COMMITMENTS_DB`` and ``COMMITMENTS_REVIEWS_DB`` for the whole session; the previous
    values come back afterwards.
    """
    from etl.pipeline import load_paths

    tmp = tmp_path_factory.mktemp("dashboard")
    db = tmp / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    with pointed_at(db, tmp / "reviews.sqlite"):
        yield db


@pytest.fixture
def sql(commitments_db):
    """Run SQL against the fixture database (read-only): ``sql("SELECT ...", [params])`` -> rows."""
    return sql_runner(commitments_db)


@pytest.fixture(scope="module")
def facts_db(tmp_path_factory) -> Path:
    """A facts database built from seeds/ for one test module (the module may load into it again)."""
    from etl.pipeline import load_paths

    db = tmp_path_factory.mktemp("facts") / "c.duckdb"
    load_paths([ROOT / "seeds"], db)
    return db


@pytest.fixture
def review_store(facts_db, tmp_path, monkeypatch):
    """A fresh review store beside ``facts_db``, both pointed at through the environment."""
    from review.store import REVIEWS_DB_ENV, ReviewStore

    monkeypatch.setenv("COMMITMENTS_DB", str(facts_db))
    monkeypatch.setenv(REVIEWS_DB_ENV, str(tmp_path / "reviews.sqlite"))
    return ReviewStore()
