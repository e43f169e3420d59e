"""Write extracted rows into the run's copy of the database, in batches.

In: an open read-write connection, the stored documents' hashes, one document's rows at a time.
Out: the rows written (replaced documents deleted first, their changes logged through
``etl.changes``), and the data checks of what was written (``Writer.failures``). ``cyclic_gc_paused``
keeps Python's cycle collector off while a load holds the rows for writing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import threading

from etl import checks, load
from etl.changes import document_changes, snapshots


BATCH_DOCS = 256
"""Documents written to DuckDB at a time while the workers go on extracting (bounds memory)."""


class Writer:
    """Buffer extracted rows and write them in batches: replaced documents are snapshotted
    (for the change log) and deleted in bulk, then every table gets one insert per batch.

    Each document's offsets are checked in Python as it arrives (``checks.check_offsets``); the
    SQL checks run once, over the documents written, in ``failures`` (a check per batch
    would rescan the growing tables forty times in a 10,000-document load)."""

    def __init__(self, con, existing: dict, run_id: str, now: dt.datetime):
        self.con, self.existing, self.run_id, self.now = con, existing, run_id, now
        self.pending: list[dict[str, list[dict]]] = []
        self.doc_ids: list[str] = []  # every document written, in order
        self.offset_failures: list[str] = []

    def add(self, rows: dict[str, list[dict]]) -> None:
        self.offset_failures += checks.check_offsets(rows)
        self.pending.append(rows)
        self.doc_ids.append(rows["documents"][0]["doc_id"])
        if len(self.pending) >= BATCH_DOCS:
            self.flush()

    def flush(self) -> None:
        """Write the pending documents; raise ``DataCheckError`` if their rows fail a check."""
        if not self.pending:
            return
        con = self.con
        ids = [r["documents"][0]["doc_id"] for r in self.pending]
        replaced = [d for d in ids if d in self.existing]
        con.execute("BEGIN")
        before = snapshots(con, replaced)
        load.delete_documents(con, replaced)
        batch: dict[str, list[dict]] = {t: [] for t in load.DOC_TABLES}
        agencies: list[dict] = []
        changes: list[dict] = []
        for doc_id, rows in zip(ids, self.pending):
            for t in load.DOC_TABLES:
                batch[t] += rows[t]
            agencies += rows["agencies"]
            changes += document_changes(self.run_id, self.now, doc_id, before.get(doc_id), rows)
        for t in load.DOC_TABLES:
            load.insert_rows(con, t, batch[t])
        load.upsert_agencies(con, agencies)
        load.insert_rows(con, "etl_changes", changes)
        con.execute("COMMIT")
        self.pending = []

    def failures(self, cold: bool) -> list[str]:
        """The data checks of the written rows (every row when ``cold``: nothing was stored before)
        and the checks over whole tables (unique IDs, references, the run log)."""
        scope = None if cold else self.doc_ids
        return self.offset_failures + checks.check_documents(self.con, scope, whole_tables=True, offsets=False)


class GcPause:
    """Pause Python's cycle collector while a load runs: the rows held for writing make every
    full collection walk a growing heap (8 of the 33 CPU seconds the writer spent on 10,000
    documents). Reference counting still frees what the load drops; one collection at the end
    takes any cycles. Loads in several threads of one process (a server) share one pause."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @contextlib.contextmanager
    def __call__(self):
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._resume:
                    gc.enable()
                    gc.collect()


cyclic_gc_paused = GcPause()
