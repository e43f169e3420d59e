"""The Add documents page: renders in both languages, says what to do, reports per file."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.intake import IntakeResult

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")

pytestmark = pytest.mark.usefixtures("commitments_db")


@pytest.mark.parametrize("lang,title", [("zh", "添加文档"), ("en", "Add documents")])
def test_page_renders(lang, title):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "intake"
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value == title
    at.button(key="intake_run").click().run()
    assert not at.exception
    assert at.info and ("请先选择文件" in at.info[0].value or "Choose files first" in at.info[0].value)


def test_results_are_shown_per_file_in_the_ui_language():
    import importlib.util
    import sys
    from unittest import mock

    spec = importlib.util.spec_from_file_location("intake_page", Path(APP).parent / "views" / "intake.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(sys.modules), mock.patch("streamlit.title"), mock.patch("streamlit.caption"), \
            mock.patch("streamlit.file_uploader", return_value=None), mock.patch("streamlit.button", return_value=False):
        spec.loader.exec_module(module)
    results = [IntakeResult("a.txt", "upload_a.txt", "loaded", None, 5, 12),
               IntakeResult("b.docx", None, "failed", "not a zip", 0, 0)]
    zh = module.results_table(results, "zh")
    en = module.results_table(results, "en")
    assert list(zh["结果"]) == ["已载入", "失败"] and list(en["Outcome"]) == ["loaded", "failed"]
    assert list(en["Reason"]) == ["", "not a zip"] and list(en["Commitments"]) == [5, 0]
