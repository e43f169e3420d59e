"""Every reported figure: values, units, qualifiers, flags and metrics; the exclusions; scoring."""

import importlib.util
import re
from pathlib import Path

import pytest

from etl import segment
from etl.evaluate import FIELDS, evaluate, load_gold, metric_f1

FIGURE_FIELDS = FIELDS["figures"]
from etl.extract import extract, to_answer_json
from etl.figures import excluded_at, is_appositive, normalise_metric
from etl.normalize import fold
from etl.read import read_file
from etl.units import UNITS, kind_of, lookup

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "golden"
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus" / "docs"
SCORER = ROOT.parent / "shared" / "tools" / "score.py"


def figures_of(text):
    return [(f.span_text, f.value, f.unit, f.qualifier) for f in extract(text).figures]


def one(text, span):
    got = [f for f in extract(text).figures if f.span_text == span]
    assert len(got) == 1, [f.span_text for f in extract(text).figures]
    return got[0]


# --- values, units and qualifiers, in sentences written for other cities ---------------------

@pytest.mark.parametrize("text,expected", [
    ("2022年,深圳市新增国家级高新技术企业2000多家。", [("2000多家", 2000, "家", "over")]),
    ("截至2023年底,杭州市累计建成基站3.2万个,培训技能人才近8万人次。",
     [("3.2万个", 32000, "个", "exact"), ("8万人次", 80000, "人次", "approx")]),
    ("全市共有养老机构120所、床位2.4万张。", [("120所", 120, "所", "exact"), ("2.4万张", 24000, "张", "exact")]),
    ("南京市下设三个工作组。", [("三个", 3, "个", "exact")]),
    ("苏州市吸引外资企业近千家。", [("千家", 1000, "家", "approx")]),
    ("该区耕地面积达1.5万亩,年发电量12亿千瓦时,新建道路36公里。",
     [("1.5万亩", 15000, "亩", "exact"), ("12亿千瓦时", 1_200_000_000, "千瓦时", "exact"), ("36公里", 36, "公里", "exact")]),
    ("比重提高2个百分点,收入增长1.5倍。", [("2个百分点", 2, "百分点", "exact"), ("1.5倍", 1.5, "倍", "exact")]),
    ("武汉市奖励一万元。", [("一万元", 10000, "元", "exact")]),
    ("普及率保持在85%以上,处理时限压缩至3个工作日以内。", [("85%", 85, "%", "min")]),
    ("每年参训干部300余人。", [("300余人", 300, "人", "over")]),
    ("按1∶2比例给予配套。", [("1∶2", 0.5, "比", "exact")]),
    ("培育3-5家龙头企业。", [("3", 3, "家", "min"), ("5家", 5, "家", "max")]),
    ("带动二三十家配套企业,新设两三个站点。", [("二三十家", 30, "家", "approx"), ("两三个", 3, "个", "approx")]),
])
def test_values_units_qualifiers(text, expected):
    assert [(s, pytest.approx(v), u, q) for s, v, u, q in figures_of(text)] == expected


def test_unknown_unit_is_kept_as_written_and_flagged():
    f = one("投放鱼苗300万尾。", "300万尾")
    assert (f.value, f.unit, f.is_unit_known) == (3_000_000, "尾", False)
    assert figures_of("解决了30多万群众出行难问题。") == []  # 群众 is a noun, not a unit


def test_a_planned_change_in_percentage_points():
    f = one("到2020年,主要农作物生产全程机械化率提高5个百分点。", "5个百分点")
    assert (f.value, f.unit, f.kind, f.is_change, f.is_target, f.year) == (5, "百分点", "share", True, True, 2020)
    assert f.metric == "主要农作物生产全程机械化率"


def test_units_vocabulary_is_declared_once():
    assert len({u.written for u in UNITS}) == len(UNITS)
    assert lookup("个百分点").base == "百分点" and kind_of("平方米") == "measure" and kind_of("比") == "share"
    assert lookup("年") is None and lookup("天") is None and lookup("号") is None


# --- flags, year, metric ----------------------------------------------------------------------

def test_change_and_rate_take_the_metric_of_their_level():
    text = "2022年,成都市新签约项目860个,同比增长18.5%;到位资金超300亿元,比上年增长52亿元。"
    figs = {f.span_text: f for f in extract(text).figures}
    assert not figs["860个"].is_change and figs["18.5%"].is_change and figs["52亿元"].is_change
    assert figs["18.5%"].metric == figs["860个"].metric
    assert metric_f1(figs["860个"].metric, "新签约项目") >= 0.7
    assert figs["18.5%"].kind == "share" and figs["300亿元"].kind == "money"
    assert {f.year for f in figs.values()} == {2022}


def test_increase_to_is_a_level_and_net_increase_a_change():
    assert not one("政务服务事项增加至3000多项。", "3000多项").is_change
    assert one("全年净增科技型企业1200家。", "1200家").is_change


def test_cumulative_running_totals():
    assert one("截至目前,西安市累计发放补贴超2万笔。", "2万笔").is_cumulative
    assert one("2018年以来共培训家政人员5000人。", "5000人").is_cumulative
    assert not one("2021年,全区共走访企业超300家。", "300家").is_cumulative  # 共 over one stated year
    assert not one("入选项目共3个,包括2个示范项目。", "3个").is_cumulative  # 共 summing the parts that follow
    assert not one("已累计发布清单,2021年处理投诉超600宗。", "600宗").is_cumulative  # a new period after 累计


def test_year_basis():
    f = one("2016年以来共组织企业800家。", "800家")
    assert (f.year, f.year_basis) == (None, "since")  # no issue date in this snippet
    assert one("2019-2021年,共认定企业45家。", "45家").year == 2021
    assert one("服务窗口120个。", "120个").year is None
    reply = "关于第2022001号建议的答复\n截至目前,已建成驿站300个。\n广州市民政局\n2022年5月30日"
    assert (one(reply, "300个").year, one(reply, "300个").year_basis) == (2022, "relative")
    assert one("2020年,建成驿站300个。", "300个").year_basis == "stated"


def test_target_in_a_plan():
    f = one("青岛市力争到2025年培育专精特新企业超800家。", "800家")
    assert f.is_target and f.year == 2025 and f.metric == "培育专精特新企业"
    assert not one("2021年培育专精特新企业500家。", "500家").is_target


@pytest.mark.parametrize("text,span,metric", [
    ("惠及企业超900家、居民3.1万人。", "3.1万人", "惠及企业居民"),
    ("组建起一支120人的志愿服务队伍。", "120人", "志愿服务队伍"),
    ("分别给予200万元、100万元、50万元一次性奖励。", "200万元", "一次性奖励"),
    ("截至2020年,我省共有示范基地(园区)96家,其中国家级12家。", "12家", "国家级示范基地(园区)"),
    ("全市共有中小学校1200余所,在校学生180万人。", "180万人", "在校学生"),
    ("按实缴注册资本的1%给予奖励。", "1%", "实缴注册资本奖励"),
    ("培育一批年营业收入超50亿元、纳税超5亿元的龙头企业。", "50亿元", "营业收入龙头企业"),
    ("每年评选一批智能工厂,给予最高300万元奖励。", "300万元", "智能工厂奖励"),
    ("力争培育创新型企业超700家、新增不少于1500家研发机构、培育认定400家技术中心。", "1500家", "研发机构"),
    ("引进一批高层次人才团队落户杭州,每个团队给予100万元资助。", "100万元", "高层次人才团队落户杭州资助"),
    ("2019年一般公共预算收入1697亿元,同比增长3.9%。", "3.9%", "一般公共预算收入"),
])
def test_metric_is_the_noun_phrase_measured(text, span, metric):
    got = one(text, span).metric
    assert metric_f1(got, metric) >= 0.8, got


def test_normalise_metric():
    assert normalise_metric("累计　受理政策兑现业务") == "受理政策兑现业务"
    assert normalise_metric("新增高新技術企業") == normalise_metric("高新技术企业") == "高新技术企业"
    assert normalise_metric("示范基地（园区）") == "示范基地(园区)"


def test_agency_is_the_last_named_before_the_figure():
    ex = extract("广州市工业和信息化局2021年认定企业技术中心86家。")
    assert ex.figures and ex.figures[0].agency == "广州市工业和信息化局"


# --- exclusions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2021年12月30日印发,自2022年1月1日起施行,有效期3年。",  # dates and validity
    "公告期为90天,5年内完成,连续三年获评,用三年左右的时间。",  # durations
    "依据穗府办〔2019〕12号文和第20220123号建议。",  # document numbers
    "(三)加强组织领导。1.统筹协调。一是完善机制。",  # list labels
    "第三批,第十七届,首批,十三届全国人大四次会议。",  # ordinals and sessions
    "实施“十四五”规划,推进广州制造2025,发展5G和4K产业,世界500强,营商环境4.0。",  # names
    "落实“专精特新10条”和“3个百亿”基金。",  # quoted formulas
    "打造七大功能模块,实施八大行动。",  # X大 labels
    "建立一批平台,组建一支队伍,出台一系列政策,每年最多查一次。",  # indefinite 一
    "经过苗圃、孵化和加速三个阶段。",  # appositive restating the list
    "一、同意武汉、襄阳、宜昌3个高新区建设示范区。",  # … after an outline label
    "力争到2025年,确定北京、天津、河北、山西4个省(市)开展试点。",  # … in a plan
    "计算方法:手术台次数/出院患者总人次数×100%。",  # formula
    "加强二次污染管控,长春市九台区开展试点。",  # "secondary", a place name
    "联系电话020-83123456,邮编510032,地址天河路123号。",  # phone, postcode, address
    "扣除期限不能超过48个月。",  # a duration written with 个
    "地址:天河路100号5栋。",  # an address
    "增强四个意识,做到两个维护,实现两个根本性转变。",  # political formulas
])
def test_not_figures(text):
    assert figures_of(text) == []


def test_counts_that_introduce_what_follows_are_figures():
    assert figures_of("分两个批次,实施五项扶持措施。") == [("两个", 2, "个", "exact"), ("五项", 5, "项", "exact")]


def test_appositive_rule():
    assert is_appositive("覆盖东城、西城和朝阳", 3)
    assert not is_appositive("覆盖东城、西城和朝阳等", 3)
    assert not is_appositive("覆盖东城、西城和朝阳", 12)


def test_excluded_at():
    assert excluded_at("第三个", 1, 3, "三", "个")
    assert excluded_at("为期6个月", 2, 4, "6", "个")
    assert not excluded_at("共6个项目", 1, 3, "6", "个")


# --- the answer key -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_pairs():
    pairs = []
    for gold in load_gold(GOLD):
        text = read_file(SEEDS / gold["file"]).text
        pairs.append((gold, to_answer_json(gold["file"], extract(text))))
    return pairs


def test_seed_figures_meet_the_bar(seed_pairs):
    full = evaluate(seed_pairs)
    print("\n" + full.table())
    report = full.sections["figures"]
    assert report.f1 >= 0.95, report.misses[:5]
    bars = {"unit": 0.95, "kind": 0.95, "year": 0.90, "cumulative": 0.90, "change": 0.90, "target": 0.90,
            "metric": 0.80}
    for name, bar in bars.items():
        assert report.field_accuracy(name) >= bar, (name, [m for m in report.misses if name in m[0]][:5])


def test_figures_quote_the_text_at_their_offsets_sorted_and_disjoint(seed_pairs):
    for gold, got in seed_pairs:
        text = read_file(SEEDS / gold["file"]).text
        prev_end = -1
        for f in got["figures"]:
            assert text[f["start"]:f["end"]] == f["span"]
            assert f["start"] >= prev_end
            prev_end = f["end"]


def test_money_and_counts_are_figures(seed_pairs):
    for _gold, got in seed_pairs:
        spans = {(f["start"], f["end"]) for f in got["figures"]}
        assert {(m["start"], m["end"]) for m in got["money"]} <= spans
        for c in got["counts"]:
            assert any(c["start"] <= s and e <= c["end"] for s, e in spans)


def test_scoring_penalises_a_wrong_figure(seed_pairs):
    gold, got = seed_pairs[0]
    bad = dict(got, figures=[dict(f, value=f["value"] * 2 + 1) for f in got["figures"]])
    assert evaluate([(gold, bad)]).sections["figures"].tp == 0
    wrong_metric = dict(got, figures=[dict(f, metric="无关") for f in got["figures"]])
    assert evaluate([(gold, wrong_metric)]).sections["figures"].field_accuracy("metric") == 0


@pytest.mark.skipif(not SCORER.exists(), reason="reference scorer not present")
def test_evaluator_agrees_with_the_reference_scorer(seed_pairs):
    spec = importlib.util.spec_from_file_location("reference_score", SCORER)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    ref.WITH_FIGURES = True
    ref.SECTIONS = {"figures"}
    ext = {Path(got["file"]).stem: got for _gold, got in seed_pairs}
    rows, fields, _doc = ref.score_seeds(ext, GOLD)
    ours = evaluate(seed_pairs).sections["figures"]
    assert rows["figures"][2] == pytest.approx(ours.f1)
    for name in FIGURE_FIELDS:
        assert fields[f"figures.{name}"] == pytest.approx(ours.field_accuracy(name)), name


# --- the variants and documents the rules were not tuned to -------------------------------------

_FW = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）"}


def _signature(figures):
    return [(f.char_start, f.char_end, f.value, f.unit, f.qualifier, f.year, f.is_cumulative, f.is_change, f.is_target,
             f.kind, normalise_metric(f.metric)) for f in figures]


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_full_width_and_traditional_read_the_same(name):
    text = read_file(SEEDS / name).text
    base = _signature(extract(text).figures)
    wide = "".join(_FW.get(ch, ch) if not (ch in ",:" and 0 < i < len(text) - 1 and text[i - 1].isdigit()
                                           and text[i + 1].isdigit()) else ch for i, ch in enumerate(text))
    ex = extract(wide)
    assert _signature(ex.figures) == base
    assert all(wide[f.char_start:f.char_end] == f.span_text for f in ex.figures)
    opencc = pytest.importorskip("opencc")
    trad = opencc.OpenCC("s2t").convert(text)
    if len(trad) == len(text):
        from etl.read import to_simplified
        assert _signature(extract(to_simplified(trad)).figures) == base


_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号|第\s*\d+\s*号")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日")


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not present")
@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")) if CORPUS.exists() else [], ids=lambda p: p.name[:12])
def test_corpus_figures_are_no_date_document_number_or_list_label(path):
    text = read_file(path).text
    ex = extract(text)
    view = fold(text)
    bad = [(m.start(), m.end()) for rx in (_DOC_NUMBER, _DATE) for m in rx.finditer(view)]
    labels = []
    for p in segment.paragraphs(view):
        got = segment.label_at(view, p.start)
        if got:
            labels.append((p.start, got[2]))
    for rule in segment.LABEL_RULES:
        if rule.name in ("cn_shi", "cn_paren", "num_paren"):
            labels += [m.span() for m in rule.pattern.finditer(view)]
    for f in ex.figures:
        assert text[f.char_start:f.char_end] == f.span_text
        assert not any(s < f.char_end and f.char_start < e for s, e in bad), (f.span_text, text[f.char_start - 10:f.char_end + 5])
        assert not any(s < f.char_end and f.char_start < e for s, e in labels), (f.span_text, text[f.char_start - 10:f.char_end + 5])
        assert not re.fullmatch(r"\d+", f.span_text) or f.unit, f.span_text
        assert f.unit not in ("年", "月", "日", "天", "号")


# --- storage ------------------------------------------------------------------------------------

def test_reported_figures_are_stored_with_their_evidence(tmp_path, seed_pairs):
    import duckdb

    from etl import checks
    from etl.pipeline import load_paths

    db = tmp_path / "f.duckdb"
    load_paths([SEEDS], db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert checks.check(con) == []
        stored = con.execute(
            "SELECT d.file_name, f.char_start, f.char_end, f.value, f.unit, f.kind, f.is_cumulative, f.is_change, "
            "f.is_target, f.metric, substr(d.text, f.char_start + 1, f.char_end - f.char_start) = f.span_text "
            "FROM reported_figures f JOIN documents d USING (doc_id) ORDER BY d.file_name, f.char_start").fetchall()
        ids = con.execute("SELECT count(DISTINCT figure_id), count(*) FROM reported_figures").fetchall()[0]
    finally:
        con.close()
    expected = sorted((got["file"], f["start"], f["end"], float(f["value"]), f["unit"], f["kind"], f["cumulative"],
                       f["change"], f["target"], f["metric"], True) for _gold, got in seed_pairs for f in got["figures"])
    assert stored == expected
    assert ids[0] == ids[1] == len(expected)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*")), ids=lambda p: p.name[:24])
def test_planned_sentences_read_once_give_what_each_extractor_reads_alone(path, monkeypatch):
    """``extract`` works out which sentences plan once, for targets and figures; each on its own
    (the set over every sentence, the set over a figure's paragraphs) gives the same facts."""
    import etl.extract as ex

    text = read_file(path).text
    shared = ex.extract(text)
    monkeypatch.setattr(ex, "future_sentences", lambda *a: None)  # each extractor finds its own
    alone = ex.extract(text)
    assert shared.targets == alone.targets
    assert shared.figures == alone.figures
