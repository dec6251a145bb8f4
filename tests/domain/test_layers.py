"""Layers go one way: the front ends (bot/) and the Rasa actions (actions/) use the domain
(tremplin/), never the reverse. The `tremplin` command wires both in bot/bootstrap.py."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UPPER_LAYERS = {"bot", "actions"}


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a file imports: import statements, and importlib.import_module / __import__ of a literal."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__"):
                found.append((node.lineno, node.args[0].value))
    return found


def upward_imports(package: Path) -> list[str]:
    return [f"{path.relative_to(package.parent)}:{line} imports {module}"
            for path in sorted(package.rglob("*.py"))
            for line, module in sorted(_imported(ast.parse(path.read_text(encoding="utf-8"), str(path))))
            if module.split(".")[0] in UPPER_LAYERS]


def test_the_domain_imports_neither_the_front_ends_nor_the_actions() -> None:
    assert len(list((ROOT / "tremplin").rglob("*.py"))) > 50  # the real tree, not an empty folder
    assert upward_imports(ROOT / "tremplin") == []


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import bot.stack\nfrom actions.base import X\nimport importlib\n"
                                   "importlib.import_module('bot.commands')\nfrom tremplin import cli\n")
    assert upward_imports(tmp_path) == [f"{tmp_path.name}/m.py:1 imports bot.stack",
                                        f"{tmp_path.name}/m.py:2 imports actions.base",
                                        f"{tmp_path.name}/m.py:4 imports bot.commands"]


def test_the_installed_command_has_the_front_ends_and_the_domains_commands() -> None:
    from bot.bootstrap import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(commands) == ["migrate", "seed-demo", "stats", "import-offers", "export-offers", "admin",
                              "run", "chat", "bot", "notifier", "reload-model", "web"]
