"""rasa-sdk registers every non-abstract Action subclass of the package: the two bases must not be."""
from __future__ import annotations

from rasa_sdk.executor import ActionExecutor


def test_package_registers_only_named_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    names = set(executor.actions)
    assert "" not in names and "validate_" not in names
    assert {"action_search_offers", "validate_search_form", "action_report_problem"} <= names
    assert all(name.startswith(("action_", "validate_")) and not name.endswith("_") for name in names)
