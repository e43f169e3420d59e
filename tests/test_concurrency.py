"""ETL and dashboard together: loads while a reader process queries and saves reviews in a loop.

No read may fail (after the dashboard's retries) and no review saved during the loads may be lost.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from etl.pipeline import load_paths


ROOT = Path(__file__).resolve().parents[1]

READER = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from dashboard import queries
from dashboard.filters_state import Filters
from review.store import ReviewStore, StatusChange

stop_file, ready_file = sys.argv[2], sys.argv[3]
store = ReviewStore()
reads = failures = saves = 0
errors = []
ids = []
while not os.path.exists(stop_file):
    try:
        queries.clear_cache()
        rows = queries.commitment_rows(Filters())
        queries.funding_by_agency_year(Filters())
        reads += 1
        if not ids and len(rows):
            ids = list(rows["commitment_id"])[:3]
            open(ready_file, "w").close()
    except Exception as exc:
        failures += 1
        errors.append(f"{type(exc).__name__}: {exc}")
    if ids:
        cid = ids[saves % len(ids)]
        store.record_statuses([StatusChange(cid, "on_track", note=f"save {saves}")], "reader")
        saves += 1
    time.sleep(0.01)
print(json.dumps({"reads": reads, "failures": failures, "saves": saves, "errors": errors[:5]}))
"""


def test_loads_while_the_dashboard_reads_and_saves(tmp_path):
    db = tmp_path / "c.duckdb"
    reviews = tmp_path / "reviews.sqlite"
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "seeds", docs)
    load_paths([docs], db)
    env = {**os.environ, "COMMITMENTS_DB": str(db), "COMMITMENTS_REVIEWS_DB": str(reviews)}
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(stop), str(ready)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120  # the reader's first read (imports are slow on a busy machine)
        while not ready.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the reader never read the database"
        base = (ROOT / "seeds" / "004_e2f1170946d94957.txt").read_text(encoding="utf-8")
        for run in range(6):
            for i in range(5):
                (docs / f"extra_{run}_{i}.txt").write_text(base.replace("有效期3年", f"有效期{run + 2}年"),
                                                           encoding="utf-8")
            target = docs / "001_3847f0f144510125.txt"
            target.write_text(target.read_text(encoding="utf-8") + f"\n附:第{run}次修订。", encoding="utf-8")
            report = load_paths([docs], db)
            assert report.count("failed") == 0
            assert report.damaged is None, report.damaged
    finally:
        stop.touch()
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["reads"] > 0 and result["failures"] == 0, result["errors"]
    con = sqlite3.connect(reviews)
    try:
        stored = con.execute("SELECT count(*) FROM status_changes WHERE reviewer = 'reader'").fetchone()[0]
    finally:
        con.close()
    assert stored == result["saves"] > 0
