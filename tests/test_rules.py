"""Every named rule in etl/ matches its examples and none of its non-examples; every regular
expression in etl/ is such a rule (none bare at module level, none compiled inside a function)."""

import ast
import dataclasses
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import etl
from etl.segment import Rule

ETL_DIR = Path(etl.__file__).parent


def _modules():
    """Every module of etl/ (its subpackages' too), by its name below ``etl``: ``money``, ``read.formats``."""
    return [(info.name.removeprefix("etl."), importlib.import_module(info.name))
            for info in pkgutil.walk_packages(etl.__path__, "etl.")]


def _held(value, seen=None):
    """Yield the values a module-level value holds: itself, and what its tuples (NamedTuples
    included), lists, sets, dicts and dataclass instances (other than Rules) hold, to any depth."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            yield from _held(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _held(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, (type, Rule)):
        for field in dataclasses.fields(value):
            yield from _held(getattr(value, field.name), seen)


def all_rules():
    """Every Rule held at module level in etl/, by ``module.name``, and the names that two
    different rules of one module share (one would hide the other from the test)."""
    found, shared = {}, []
    for mod_name, module in _modules():
        for value in vars(module).values():
            for rule in _held(value):
                if isinstance(rule, Rule) and found.setdefault(f"{mod_name}.{rule.name}", rule) is not rule:
                    shared.append(f"{mod_name}.{rule.name}")
    return found, shared


RULES, SHARED_NAMES = all_rules()


def test_rule_names_are_unique():
    assert SHARED_NAMES == []


def test_rules_are_found():
    assert {"money.amount", "counts.metric_first", "commitments.lead_group", "dates.by_year",
            "segment.cn_paren", "metadata.addressee", "metadata.published", "figures.after_stop",
            "figures.ratio_anchor", "context.last_year", "money.subsidy_per_recipient", "read.formats.icp_record",
            "agencies.registry_form", "targets.rate_before"} <= set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule(name):
    rule = RULES[name]
    assert rule.examples, f"{name} has no examples"
    for example in rule.examples:
        assert rule.pattern.search(example), f"{name} should match {example!r}"
    for non in rule.non_examples:
        assert not rule.pattern.search(non), f"{name} should not match {non!r}"


def bare_patterns(modules) -> list[str]:
    """The compiled patterns held at module level (in tuples, dicts … too) that no Rule holds.
    A module may keep a pattern of a Rule under a second name (``RANGE = RULES[2].pattern``)."""
    in_rules = {id(v.pattern) for _, module in modules for value in vars(module).values()
                for v in _held(value) if isinstance(v, Rule)}
    return [f"{mod_name}.{name}" for mod_name, module in modules for name, value in vars(module).items()
            if any(isinstance(v, re.Pattern) and id(v) not in in_rules for v in _held(value))]


def test_no_bare_pattern_at_module_level():
    assert bare_patterns(_modules()) == []


FUNCTIONS_THAT_COMPILE = {
    ("agencies", "_local_alias_re"): "the document's own short forms, a call's argument; compiled once per set (lru_cache)",
}
"""Functions allowed to compile a pattern, each with the reason it cannot be a module-level Rule."""
_RE_CALLS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def regex_in_functions(source: str) -> list[tuple[str, int, str]]:
    """(function, line, call) for every ``re.compile`` and every ``re.search`` / ``re.sub`` … call
    inside a function: the pattern is compiled (or looked up in re's cache) at each call."""
    out = []

    def visit(node, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            function = getattr(node, "name", "<lambda>") if function is None else function
        if (function is not None and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.func.attr in _RE_CALLS):
            out.append((function, node.lineno, f"re.{node.func.attr}"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    tree = ast.parse(source)
    visit(tree, None)
    return out


def test_no_regex_compiled_inside_a_function():
    found = []
    for path in sorted(ETL_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:from re import|import re as)", source, re.M), f"{path.name}: call re.… by that name"
        for function, line, call in regex_in_functions(source):
            if (path.stem, function) not in FUNCTIONS_THAT_COMPILE:
                found.append(f"etl/{path.name}:{line} {call} in {function}()")
    assert found == []


def test_the_checks_catch_a_bare_pattern():
    """The two checks above fail on what they forbid."""
    import types

    @dataclasses.dataclass(frozen=True)
    class Outcome:
        pattern: re.Pattern
        kind: str

    module = types.ModuleType("etl.example")
    module.WORD = re.compile("下一步")
    module.TABLE = ((re.compile("今年"), 0),)
    module.BY_KIND = {"fund": Outcome(re.compile("基金"), "fund")}
    module.NAMED = Rule("named", re.compile("明年"), ("明年",))
    module.ALIAS = module.NAMED.pattern
    module.OUTCOMES = (Outcome(module.NAMED.pattern, "next"),)
    assert bare_patterns([("example", module)]) == ["example.WORD", "example.TABLE", "example.BY_KIND"]
    source = 'import re\ndef f(text):\n    return re.search(r"下一步", text) or re.compile("x")\nX = re.compile("y")\n'
    assert regex_in_functions(source) == [("f", 3, "re.search"), ("f", 3, "re.compile")]
