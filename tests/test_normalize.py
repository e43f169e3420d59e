"""The folded view: one character for one, the same whichever way a text of any length is folded."""

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize import _FOLD, _LONG, fold

_ALPHABET = st.sampled_from(list("，（）：；．０１２３４５\u3000\xa0、,():;。市财政局2021年亿元") + [chr(c) for c in range(0xFF01, 0xFF5F, 7)])


@settings(max_examples=200, deadline=None)
@given(st.text(_ALPHABET, max_size=2 * _LONG))
def test_fold_is_the_translation_table_at_any_length(text):
    assert fold(text) == text.translate(_FOLD)
    assert len(fold(text)) == len(text)


def test_a_long_full_width_measure_folds_like_a_short_one():
    short = "（牵头单位：市商务局，配合单位：市财政局）"
    long = short * (_LONG // len(short) + 1)
    assert len(long) >= _LONG
    assert fold(long) == fold(short) * (_LONG // len(short) + 1)
    assert fold(long).startswith("(牵头单位:市商务局,配合单位:市财政局)")
