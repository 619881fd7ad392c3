"""No user-visible text in app/ is written in the code: it all goes through the catalogues.

Scans the source for string literals given to the properties Flet shows to the user
(a ``Text``'s value, labels, tooltips, hints, button contents), as arguments or as
assignments. Technical strings (keys, identifiers, routes) are not shown and not caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
SHOWN = {
    "value",
    "label",
    "tooltip",
    "hint_text",
    "helper",
    "text",
    "content",
    "title",
    "semantics_label",
    "error",
    "counter_text",
    "prefix_text",
    "suffix_text",
}


def _is_words(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(ch.isalpha() for ch in node.value)
    )


def _literal_texts(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name == "Text" and node.args and _is_words(node.args[0]):
                found.append((node.lineno, node.args[0].value))  # type: ignore[attr-defined]
            for keyword in node.keywords:
                if keyword.arg in SHOWN and _is_words(keyword.value):
                    found.append((node.lineno, keyword.value.value))  # type: ignore[attr-defined]
        elif isinstance(node, ast.Assign) and _is_words(node.value):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in SHOWN:
                    found.append((node.lineno, node.value.value))  # type: ignore[attr-defined]
    return found


def test_no_user_visible_literal_in_app() -> None:
    problems = [
        f"{path.relative_to(APP.parent)}:{line}: {text!r}"
        for path in sorted(APP.rglob("*.py"))
        for line, text in _literal_texts(ast.parse(path.read_text("utf-8")))
    ]
    assert problems == []


def test_the_scan_catches_what_it_should() -> None:
    source = 'ft.Text("Hello")\nft.Button(content="Go")\nx.label = "Name"\nft.Text(t("k"))\n'
    assert sorted(text for _, text in _literal_texts(ast.parse(source))) == ["Go", "Hello", "Name"]
