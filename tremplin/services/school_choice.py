"""Which collège a teacher means when creating a class: said apart (`class_school`), inside the class
name (« 3e B, Collège des Sources du Forez », « 3B 0429871B »), or the one of all their other classes.
A collège not known yet is accepted with its UAI and commune (created with the class)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, School
from tremplin.queries.people import all_schools, only_school_of_teacher
from tremplin.services.classes import UAI, find_school
from tremplin.services.employers import resolve_commune
from tremplin.services.errors import DomainError
from tremplin.text import normalize

SCHOOL_QUESTION = ("Dans quel collège ? Écrivez la classe avec son collège, par exemple « 3e B, Collège des "
                   "Sources du Forez », ou avec le code UAI du collège : « 3e B, 0429871B ».")
_COLLEGE_WORD = re.compile(r"[,;/-]?\s*\b(?:au |du |de |le )?(coll[eè]ge|clg)\b", re.I)


@dataclass
class SchoolChoice:
    school_text: str            # what find_school receives
    commune_text: str | None    # for a collège not yet known (UAI + commune)
    class_name: str


def split_new_school(text: str) -> tuple[str, str | None]:
    """"0421234A, Collège Jean-Moulin, Roanne" → ("0421234A, Collège Jean-Moulin", "Roanne")."""
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if UAI.search(text) and len(parts) >= 2 and not UAI.search(parts[-1]):
        return ", ".join(parts[:-1]), parts[-1]
    return text, None


def _without_school_words(name: str, school_name: str) -> str:
    """"3e B, Collège des Sources du Forez" → "3e B": drop the collège's words at either end."""
    words = set(school_name.split()) | {"college", "clg", "au", "du", "de", "des", "le", "la"}
    tokens = name.replace(",", " , ").split()
    while tokens and (normalize(tokens[-1]) in words or tokens[-1] in ",;-"):
        tokens.pop()
    while tokens and (normalize(tokens[0]) in words or tokens[0] in ",;-"):
        tokens.pop(0)
    return " ".join(tokens).replace(" , ", ", ").strip(" ,;-")


async def choose_school(session: AsyncSession, teacher: Account, name_text: str,
                        school_text: str | None) -> SchoolChoice:
    """Where the collège is said; raises a DomainError with the question to ask otherwise."""
    name = " ".join((name_text or "").split())
    if school_text:
        return SchoolChoice(*split_new_school(school_text), class_name=name)
    uai = UAI.search(name)
    if uai:
        rest = name[uai.end():]
        school_text, commune = split_new_school(uai.group(1) + rest)
        return SchoolChoice(school_text, commune, name[:uai.start()].strip(" ,;-") or name)
    wanted = normalize(name)
    for school in await all_schools(session):
        full = normalize(re.sub(r"\(.*?\)", " ", school.name)).strip()
        short = re.sub(r"^(college|clg)\s+", "", full)
        bare = re.sub(r"^(des|du|de la|de l|de|d|le|la|les|l)\s+", "", short)
        if any(len(variant) >= 6 and variant in wanted for variant in (full, short, bare)):
            return SchoolChoice(school.uai, None, _without_school_words(name, full))
    college = _COLLEGE_WORD.search(name)
    if college and college.start() > 0:
        return SchoolChoice(name[college.start(1):], None, name[:college.start()].strip(" ,;-"))
    known = await only_school_of_teacher(session, teacher)
    if known is not None:
        return SchoolChoice(known.uai, None, name)
    raise DomainError("school_needed", SCHOOL_QUESTION)


async def resolve_choice(session: AsyncSession, choice: SchoolChoice) -> School | None:
    """The collège if it exists; None for a new UAI whose commune is valid (created on submission)."""
    try:
        return await find_school(session, choice.school_text)
    except DomainError as err:
        if err.code != "school_commune_needed" or not choice.commune_text:
            raise
        resolve_commune(choice.commune_text)
        return None
