"""etl/schema.py: every field declared once, every column one of them, one type per field."""

import ast
from collections import defaultdict
from pathlib import Path

from etl import schema
from etl.schema import FIELDS, TABLES

NAME_UNITS = {"_yuan": "元", "seconds": "秒"}


def declared_names() -> list[str]:
    """The name of every ``Field(...)`` written in etl/schema.py, in order."""
    tree = ast.parse(Path(schema.__file__).read_text(encoding="utf-8"))
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Field"]


def test_every_field_is_declared_once():
    names = declared_names()
    assert sorted(names) == sorted(set(names)) == sorted(FIELDS)
    assert all(f.name == name for name, f in FIELDS.items())


def test_every_column_is_a_declared_field_and_every_field_a_column():
    for table in TABLES.values():
        assert len(set(table.column_names)) == len(table.columns), table.name
        for col in table.columns:
            assert FIELDS[col.field.name] is col.field, (table.name, col.name)
    assert {col.field.name for table in TABLES.values() for col in table.columns} == set(FIELDS)


def test_a_field_in_several_tables_has_one_type_label_and_unit():
    seen = defaultdict(set)
    for table in TABLES.values():
        for col in table.columns:
            seen[col.field.name].add((col.sql_type, col.label_zh, col.label_en, col.unit))
    assert {name: kinds for name, kinds in seen.items() if len(kinds) > 1} == {}
    assert sum(len(t.columns) for t in TABLES.values()) > len(FIELDS)  # fields are shared, not copied


def test_a_table_narrows_a_fields_values_never_widens_them():
    for table in TABLES.values():
        for col in table.columns:
            assert set(col.accepted) <= set(col.field.accepted), (table.name, col.name)


def test_a_field_has_the_unit_its_name_ends_in_and_its_label_shows_it():
    for name, f in FIELDS.items():
        assert f.unit == next((u for end, u in NAME_UNITS.items() if name.endswith(end)), None), name
        assert f.unit is None or f.unit in f.label_zh, name
