"""Every named rule in etl/ matches its examples and none of its non-examples."""

import importlib
import pkgutil

import pytest

import etl
from etl.segment import Rule


def all_rules():
    found = {}
    for info in pkgutil.iter_modules(etl.__path__):
        module = importlib.import_module(f"etl.{info.name}")
        for name, value in vars(module).items():
            candidates = value if isinstance(value, tuple) else (value,)
            for rule in candidates:
                if isinstance(rule, Rule):
                    found[f"{info.name}.{rule.name}"] = rule
    return found


RULES = all_rules()


def test_rules_are_found():
    assert {"money.amount", "counts.metric_first", "commitments.lead_group", "dates.by_year",
            "segment.cn_paren", "metadata.addressee"} <= set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule(name):
    rule = RULES[name]
    assert rule.examples, f"{name} has no examples"
    for example in rule.examples:
        assert rule.pattern.search(example), f"{name} should match {example!r}"
    for non in rule.non_examples:
        assert not rule.pattern.search(non), f"{name} should not match {non!r}"
