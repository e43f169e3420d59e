"""The analysts' room: what they record about the facts, kept apart from the ETL's rebuilds.

``values`` (status vocabulary, field rules), ``store`` (the SQLite store and its readers),
``link_decisions`` (decisions on follow-through links), ``facts`` (read-only reads of the facts
DuckDB for snapshots and ID checks), ``transfer`` (CSV/JSONL export and import), ``cli``
(``python -m review``, alias ``python -m etl reviews``). Imports ``etl`` (its schema's
vocabularies), never ``dashboard``.
"""
