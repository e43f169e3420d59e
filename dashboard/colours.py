"""Give the review's statuses and deadline states their colours (the vocabulary itself is ``review.values``).

In: a status code or a display state. Out: a hex colour, the same on the review page, in its
charts and in the meeting pack.
"""

from __future__ import annotations

RAG_COLOURS = {"red": "#d62728", "amber": "#ff9f1c", "green": "#2ca02c", None: "#9e9e9e"}
"""The red/amber/green rating of a status (``review.values.Status.rag``); grey where none applies."""

STATUS_COLOURS: dict[str, str] = {
    "not_assessed": RAG_COLOURS[None],
    "not_started": "#7f7f7f",
    "on_track": RAG_COLOURS["green"],
    "at_risk": RAG_COLOURS["amber"],
    "delayed": RAG_COLOURS["red"],
    "completed": "#1f7a1f",
    "dropped": "#5c5c5c",
}
"""A colour per status code: its rating's, darker for the statuses that close a commitment."""

STATE_COLOURS: dict[str, str] = {
    "overdue": RAG_COLOURS["red"],
    "due_soon": RAG_COLOURS["amber"],
    "completed": STATUS_COLOURS["completed"],
    "dropped": STATUS_COLOURS["dropped"],
    "open": "#1f77b4",
    "no_deadline": RAG_COLOURS[None],
}
"""A colour per deadline-aware display state (``review.values.DISPLAY_STATES``)."""
