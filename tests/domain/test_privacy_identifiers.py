"""The one parser of each code kind reads exactly the codes the alphabet can make."""
from __future__ import annotations

import pytest

from tremplin.privacy.identifiers import (
    find_application_code, find_join_code, new_application_code, new_join_code, terminal_user_id,
)


@pytest.mark.parametrize(("text", "code"), [
    ("accepter C-4K8MQZ", "C-4K8MQZ"), ("c-4k8mqz", "C-4K8MQZ"), ("CABC234 signée", "C-ABC234"),
    ("voir C-XYZ789 !", "C-XYZ789"),
    ("une chambre", None), ("cabc234", None),  # a word is no code; without the dash, capitals only
    ("C-4821KQ", None), ("C-ABCDEFG", None), ("xC-ABC234", None),  # 1/0/I/O are never in a code
    ("", None), (None, None),
])
def test_application_codes(text: str | None, code: str | None) -> None:
    assert find_application_code(text) == code


def test_join_codes_and_new_codes_read_back() -> None:
    assert find_join_code("accepter j-4k8mqz") == "J-4K8MQZ" and find_join_code("C-4K8MQZ") is None
    for _ in range(50):
        made = new_application_code()
        assert find_application_code(f"la candidature {made}.") == made
        assert find_join_code(new_join_code().lower()) is not None


def test_terminal_user_id_is_kept(tmp_path) -> None:
    first = terminal_user_id(tmp_path / "var")
    assert first.startswith("local-") and terminal_user_id(tmp_path / "var") == first
    (tmp_path / "var" / "terminal-user").write_text("\n")  # an empty file: a new id, never ""
    assert terminal_user_id(tmp_path / "var").startswith("local-")
