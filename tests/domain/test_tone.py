"""One rule for « tu » and « vous » (tremplin/tone.py), the same in the chat and in the domain's answers."""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from tremplin.dates import parse_periods
from tremplin.db import session_scope
from tremplin.models import Role
from tremplin.services.accounts import get_or_create_account, set_role
from tremplin.services.errors import DomainError
from tremplin.services.moderation import report_problem
from tremplin.services.privacy import delete_my_data, show_my_data
from tremplin.tone import says_tu, tu_or_vous, vous

DATES = Path(__file__).resolve().parents[2] / "tremplin" / "dates"
# What a sentence says to « tu », outside « » quotes: the pronouns, the possessives, the imperatives and
# the questions of the date parser.
TU_WORDS = re.compile(r"\b(?:tu|ton|ta|tes|toi|te)\b|\bt'|-tu\b|\b(?:écris|donne|indique|choisis|dis-moi|peux)\b",
                      re.IGNORECASE)


def _unquoted(text: str) -> str:
    return re.sub(r"«[^»]*»", "« »", text)


def _date_messages() -> list[str]:
    """Every refusal the date parser can say, its placeholders as « … » (read from the source)."""
    messages = []
    for path in sorted(DATES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(name, "id", "") in ("DateParseError", "DomainError") \
                    and len(node.args) >= 2:
                parts = node.args[1].values if isinstance(node.args[1], ast.JoinedStr) else [node.args[1]]
                messages.append("".join(p.value if isinstance(p, ast.Constant) else "« … »" for p in parts))
    return messages


def test_pupils_are_tu_every_other_role_and_users_without_a_role_vous():
    assert says_tu(Role.STUDENT)
    assert not any(says_tu(role) for role in (Role.EMPLOYER, Role.PARENT, Role.TEACHER, Role.ADMIN, None))
    assert tu_or_vous(None, "Écris-moi", "Écrivez-moi") == "Écrivez-moi"
    assert tu_or_vous(Role.PARENT, "Écris-moi", "Écrivez-moi") == "Écrivez-moi"


def test_every_date_refusal_reads_in_vous_for_an_adult():
    messages = _date_messages()
    assert len(messages) >= 15
    for message in messages:
        assert not TU_WORDS.search(_unquoted(vous(message))), (message, vous(message))


@pytest.mark.parametrize(("tu", "formal"), [
    ("Je n'ai pas compris. Tu peux écrire par exemple « du 8 au 12 décembre ».",
     "Je n'ai pas compris. Vous pouvez écrire par exemple « du 8 au 12 décembre »."),
    ("Le 31 février n'existe pas : peux-tu vérifier la date ?",
     "Le 31 février n'existe pas : pouvez-vous vérifier la date ?"),
    ("Ton département a son propre calendrier de vacances (hors zones A, B, C) : donne-moi directement la "
     "semaine de ton stage.",
     "Votre département a son propre calendrier de vacances (hors zones A, B, C) : donnez-moi directement la "
     "semaine du stage."),
    ("Je ne connais pas le département « 999 » : écris son numéro.",
     "Je ne connais pas le département « 999 » : écrivez son numéro."),
    ("Je te réponds, à toi et à tes parents ; t'as une question ? Pour t'aider, c'est ta date qui compte.",
     "Je vous réponds, à vous et à vos parents ; vous avez une question ? Pour vous aider, c'est votre date qui "
     "compte."),
])
def test_vous_rewrites_whole_phrases_then_pronouns_and_possessives(tu, formal):
    assert vous(tu) == formal


def test_what_the_user_typed_quoted_back_is_never_rewritten():
    try:
        parse_periods("quand ça t'arrange", date(2026, 12, 5), "A")
    except DomainError as err:
        said = vous(err.message)
    assert "« quand ça t'arrange »" in said and "Vous pouvez écrire" in said


async def test_a_user_without_a_role_is_vous_in_the_domain_as_in_rasa_responses(engine):
    """The first greeting asks « dites-moi qui vous êtes », and every response of domain/ has its
    « vous » variant as the default (role unknown): the actions and services say the same."""
    import yaml
    from pathlib import Path

    greet = yaml.safe_load((Path(__file__).parents[2] / "domain" / "responses_general.yml").read_text())
    assert "vous" in [v for v in greet["responses"]["utter_greet"] if "condition" not in v][0]["text"]
    async with session_scope(engine) as s:
        newcomer = await get_or_create_account(s, "test", "tone-no-role")
        assert (await show_my_data(s, newcomer)).startswith("Voici tout ce que Tremplin garde sur vous :")
        receipt = await report_problem(s, newcomer, "Un message bizarre d'une entreprise")
        assert "Ton signalement" not in receipt.message
        assert "vos données sont effacées" in await delete_my_data(s, newcomer)


async def test_the_domain_says_vous_to_an_adult(engine):
    async with session_scope(engine) as s:
        parent = await set_role(s, await get_or_create_account(s, "test", "tone-parent"), Role.PARENT)
        shown = await show_my_data(s, parent)
        assert shown.startswith("Voici tout ce que Tremplin garde sur vous :")
        assert "Pour tout effacer, demandez" in shown
        assert "vos données sont effacées" in await delete_my_data(s, parent)
