"""The dashboard's data layer under the query modules: files, cache, corrections, the filters' SQL.

``connection`` (the facts DuckDB attached read-only per file version, cursors, ``Statement`` and
the results cache keyed on it), ``corrections`` (what the analysts' store changes in the facts),
``sql`` (``filtered``: the one condition builder, ``deadline_state``: the one meaning of overdue).
The queries themselves are ``dashboard/queries.py`` (facts), ``queries_review.py`` (the weekly
review) and ``queries_links.py`` (follow-through links): pages and the benchmark call them by
those names.
"""
