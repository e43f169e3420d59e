"""Turn the review page's edited table into status changes (the bulk editor's page logic).

In: the table as shown and as edited (``commitment_id``, ``status``, ``note`` and optionally
``evidence_url``, ``evidence_doc_id``, row for row). Out: one ``review.store.StatusChange`` per
row whose status or note was edited or that gained evidence, for ``ReviewStore.record_statuses``.
"""

from __future__ import annotations

import pandas as pd

from review.store import StatusChange
from review.values import DEFAULT_STATUS, clean_text


def changes_from_table(before: pd.DataFrame, after: pd.DataFrame) -> list[StatusChange]:
    """Return a StatusChange for every row whose status or note was edited, or that gained evidence.

    Both frames have ``commitment_id``, ``status`` and ``note`` (and optionally ``evidence_url``,
    ``evidence_doc_id``), row for row; ``seen_status`` is the status the table showed.

    >>> b = pd.DataFrame({"commitment_id": ["c_1", "c_2"], "status": ["not_assessed", "on_track"], "note": [None, "ok"]})
    >>> a = b.assign(status=["delayed", "on_track"], note=[None, "ok "])
    >>> [(c.commitment_id, c.status, c.seen_status) for c in changes_from_table(b, a)]
    [('c_1', 'delayed', 'not_assessed')]
    """
    if len(before) != len(after):
        raise ValueError("the edited table must keep its rows")
    out = []
    for (_, b), (_, a) in zip(before.iterrows(), after.iterrows()):
        if b["commitment_id"] != a["commitment_id"]:
            raise ValueError("the edited table must keep its rows in order")
        old_note, new_note = (clean_text(b.get("note")) or "").strip(), (clean_text(a.get("note")) or "").strip()
        url, doc = clean_text(a.get("evidence_url")), clean_text(a.get("evidence_doc_id"))
        status = clean_text(a.get("status")) or DEFAULT_STATUS
        if status == (clean_text(b.get("status")) or DEFAULT_STATUS) and new_note == old_note and not url and not doc:
            continue
        out.append(StatusChange(a["commitment_id"], status, new_note or None, url.strip() if url else None, doc,
                                seen_status=clean_text(b.get("status")) or DEFAULT_STATUS))
    return out

