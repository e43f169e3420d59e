"""Run the dashboard: ``streamlit run dashboard/app.py`` (or ``make run``).

Wires the language switch, the global filters (``dashboard/filters.py``) and the pages into
one ``st.navigation``; the URL keeps page, language and filters so a link reopens the view.
A page that raises is caught here: the user reads a short message with what to do (and a
reference), the traceback goes to the server's log (``.streamlit/config.toml`` hides error details).
Every page lives in ``dashboard/views/``, not ``pages/``: Streamlit treats a ``pages/`` folder
next to the main script as a legacy multipage app until ``st.navigation`` has run once in the
process. While ``dashboard/pages/`` exists, the first visit after the server starts, if it is
to a sub-page such as ``/funding``, shows Streamlit's "Page not found" notice once (the page
itself renders); later visits are normal.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import filters, i18n, queries  # noqa: E402
from dashboard.data import connection  # noqa: E402

HERE = Path(__file__).resolve().parent
LOG = logging.getLogger("dashboard")
DEFAULT = "overview"
DEFAULT_ALIAS = "home"  # the default page's own url_path (never shown: it is served at "/")
PAGES = (  # (url path, title key, icon)
    ("overview", "page_overview", ":material/dashboard:"),
    ("funding", "page_funding", ":material/payments:"),
    ("projects", "page_projects", ":material/construction:"),
    ("deadlines", "page_deadlines", ":material/event:"),
    ("commitments", "page_commitments", ":material/checklist:"),
    ("figures", "page_figures", ":material/query_stats:"),
    ("documents", "page_documents", ":material/description:"),
    ("review", "page_review", ":material/rate_review:"),
    ("targets", "page_targets", ":material/flag:"),
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
            # The default page is served at "/" whatever its url_path (Streamlit's rule), so "/overview"
            # is a hidden second entry for the same script: a typed or shared /overview opens it.
            pages[url] = st.Page(f"views/{url}.py", title=i18n.t(title_key), icon=icon,
                                 url_path=DEFAULT_ALIAS if url == DEFAULT else url, default=url == DEFAULT)
    overview_alias = st.Page(f"views/{DEFAULT}.py", title=i18n.t("page_overview"), url_path=DEFAULT,
                             visibility="hidden")
    current = st.navigation([*pages.values(), overview_alias])
    page = current.url_path or DEFAULT  # "" is the default page
    wanted = filters.url_page()
    if wanted in pages and wanted != page and page == "overview":  # "/?page=funding" opens Funding
        st.switch_page(pages[wanted], query_params={k: st.query_params[k] for k in st.query_params.keys()})
    st.session_state["_current_page"] = page
    filters.adopt_page_params(page)

    try:
        if queries.database_status().state == "ok":
            filters.sidebar(queries.filter_options())
        current.run()
    except duckdb.Error as exc:  # damage found only when read (a bad checksum): one line, not a trace
        st.error(i18n.t("db_broken", path=connection.db_path(), reason=str(exc).strip().splitlines()[0][:300]))
    except Exception as exc:  # the page boundary: a short message for the user, the traceback for the log
        page_failed(page, exc)
    finally:
        filters.sync_url(page)


def page_failed(page: str, exc: Exception) -> None:
    """Say that the page failed and what to do; log the traceback under a reference the message shows.

    Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) raises
    ``BaseException``s, which pass through.
    """
    reference = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    LOG.error("page %s failed (reference %s)", page, reference, exc_info=exc)
    st.error(i18n.t("page_failed", reference=reference, reason=type(exc).__name__))


main()
