"""Time one long document: ``python -m bench.longdoc`` (issue 13: linear in the text's length).

For each size (default 1M and 4.99M characters, under the 5M limit) a document is built from the
seeds (each copy with a line of its own), loaded into a fresh database in a child process (time
and peak memory), and its Documents page opened in AppTest (time, HTML size). Prints a table and
writes ``bench/longdoc.md``. Targets: the largest loads in at most 6x the time of the 1M one and
in at most 60 s; its reader page opens in under 2 s. Not a test: timings are for this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOAD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from etl.pipeline import load_paths
t = time.perf_counter()
report = load_paths([sys.argv[2]], sys.argv[3], workers=1)
seconds = time.perf_counter() - t
f = report.files[0]
print(json.dumps({"seconds": seconds, "outcome": f.outcome, "reason": f.reason, "commitments": f.commitments,
                  "figures": f.figures, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PAGE = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from streamlit.testing.v1 import AppTest
import duckdb
con = duckdb.connect(os.environ["COMMITMENTS_DB"], read_only=True)
doc_id = con.execute("SELECT doc_id FROM documents").fetchall()[0][0]
con.close()
runs = []
for _ in range(2):  # the first run fills the caches, the second is what a reader waits for after it
    at = AppTest.from_file(sys.argv[1] + "/dashboard/app.py", default_timeout=300)
    at.query_params["page"] = "documents"
    at.query_params["doc"] = doc_id
    t = time.perf_counter()
    at.run()
    runs.append(time.perf_counter() - t)
html = sum(len(h.proto.body) for h in at.get("html"))
print(json.dumps({"first_s": runs[0], "again_s": runs[1], "html_chars": html,
                  "errors": [str(e.value)[:200] for e in at.exception]}))
"""


def document(chars: int) -> str:
    """A document of ``chars`` characters: the seeds again and again, each copy with a line of its own."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    parts, size, k = [], 0, 0
    while size < chars:
        part = seeds[k % len(seeds)].read_text(encoding="utf-8") + f"\n附件{k}\n"
        parts.append(part)
        size += len(part)
        k += 1
    return "".join(parts)[:chars]


def run(sizes: list[int], data_dir: Path) -> list[dict]:
    rows = []
    for chars in sizes:
        folder = data_dir / f"long-{chars}"
        folder.mkdir(parents=True, exist_ok=True)
        doc = folder / "long.txt"
        doc.write_text(document(chars), encoding="utf-8")
        db = folder / "c.duckdb"
        db.unlink(missing_ok=True)
        out = subprocess.run([sys.executable, "-c", LOAD, str(ROOT), str(doc), str(db)], capture_output=True,
                             text=True, check=True)
        load = json.loads(out.stdout.strip().splitlines()[-1])
        env = {**os.environ, "COMMITMENTS_DB": str(db), "COMMITMENTS_REVIEWS_DB": str(folder / "reviews.sqlite")}
        out = subprocess.run([sys.executable, "-c", PAGE, str(ROOT)], capture_output=True, text=True, env=env,
                             check=True)
        page = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append({"chars": chars, **load, **page})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def table(rows: list[dict]) -> str:
    base = rows[0]["seconds"]
    lines = ["| characters | load s | × first | peak MB | commitments | figures | page s (first / again) | page HTML |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['chars']:,} | {r['seconds']:.1f} | {r['seconds'] / base:.1f} | {r['peak_mb']:.0f} | "
                     f"{r['commitments']:,} | {r['figures']:,} | {r['first_s']:.2f} / {r['again_s']:.2f} | "
                     f"{r['html_chars']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.longdoc", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000000,4990000", help="comma-separated sizes in characters")
    p.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench", help="where the files go (git-ignored)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "longdoc.md")
    args = p.parse_args(argv)
    rows = run([int(x) for x in args.sizes.split(",")], args.data_dir)
    text = (f"# One long document ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)\n\n"
            "`python -m bench.longdoc`: one document loaded alone into a fresh database, then its reader page "
            "in AppTest.\n\n" + table(rows) + "\n")
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
