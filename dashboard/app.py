"""Run the dashboard: ``streamlit run dashboard/app.py`` (or ``make run``).

Wires the language switch, the global filters (``dashboard/filters.py``) and the pages into
one ``st.navigation``; the URL keeps page, language and filters so a link reopens the view.
Every page lives in ``dashboard/views/``, not ``pages/``: Streamlit treats a ``pages/`` folder
next to the main script as a legacy multipage app until ``st.navigation`` has run once in the
process. While ``dashboard/pages/`` exists, the first visit after the server starts, if it is
to a sub-page such as ``/funding``, shows Streamlit's "Page not found" notice once (the page
itself renders); later visits are normal.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import filters, i18n, queries  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = (  # (url path, title key, icon)
    ("overview", "page_overview", ":material/dashboard:"),
    ("funding", "page_funding", ":material/payments:"),
    ("projects", "page_projects", ":material/construction:"),
    ("deadlines", "page_deadlines", ":material/event:"),
    ("commitments", "page_commitments", ":material/checklist:"),
    ("figures", "page_figures", ":material/query_stats:"),
    ("documents", "page_documents", ":material/description:"),
    ("review", "page_review", ":material/rate_review:"),
    ("intake", "page_intake", ":material/upload_file:"),
)


def main() -> None:
    st.set_page_config(page_title=i18n.tr("app_title", "zh") + " · " + i18n.tr("app_title", "en"),
                       page_icon=":material/account_balance:", layout="wide")
    filters.load_url()
    st.sidebar.radio(i18n.t("language"), i18n.LANGS, key="lang", horizontal=True,
                     format_func=lambda code: i18n.LANG_NAMES[code])

    pages = {}
    for url, title_key, icon in PAGES:
        if (HERE / "views" / f"{url}.py").exists():
            pages[url] = st.Page(f"views/{url}.py", title=i18n.t(title_key), icon=icon, url_path=url,
                                 default=url == "overview")
    current = st.navigation(list(pages.values()))
    page = current.url_path or "overview"  # "" is the default page
    wanted = filters.url_page()
    if wanted in pages and wanted != page and page == "overview":  # "/?page=funding" opens Funding
        st.switch_page(pages[wanted], query_params={k: st.query_params[k] for k in st.query_params.keys()})
    st.session_state["_current_page"] = page
    filters.adopt_page_params(page)

    if queries.database_status().state == "ok":
        filters.sidebar(queries.filter_options())
    try:
        current.run()
    finally:
        filters.sync_url(page)


main()
