from __future__ import annotations

import pytest

from tremplin.services.errors import DomainError
from tremplin.services.siret import is_valid_siret, validate_siret


@pytest.mark.parametrize("siret", ["732 829 320 00074", "73282932000074", "443 061 841 00047",
                                   "35600000000048", "35600000049837"])
def test_valid(siret):
    assert is_valid_siret(siret)


@pytest.mark.parametrize("siret", ["73282932000075", "1234", "7328293200007A", "35600000049838", ""])
def test_invalid(siret):
    assert not is_valid_siret(siret)


def test_errors_are_french_and_distinguish_length_from_checksum():
    with pytest.raises(DomainError) as short:
        validate_siret("12345")
    assert "14 chiffres" in short.value.message
    with pytest.raises(DomainError) as wrong:
        validate_siret("73282932000075")
    assert wrong.value.code == "siret_checksum"
    assert validate_siret("732 829 320 00074") == "73282932000074"
