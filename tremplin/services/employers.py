"""Employer sign-up: a checked SIRET, a real commune, an accepted charter and a reachable phone.

Several people of one company may each register from their own chat: the second one to give a
known SIRET asks to become another contact of the same Employer (never a duplicate company), which an
existing contact or the Tremplin team approves (services/employer_contacts)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.geography.communes import Commune, commune_label, get_communes
from tremplin.models import Account, Employer, Offer, OfferStatus, Role, utcnow
from tremplin.services.audit import audit
from tremplin.services.employer_contacts import request_to_join
from tremplin.services.errors import DomainError
from tremplin.services.siret import validate_siret

CHARTER_TEXT = (
    "Charte d'accueil Tremplin — stage d'observation de 3e\n"
    "1. J'accueille l'élève pour un stage d'observation : il ou elle regarde, pose des questions et "
    "peut participer à de petites tâches simples, mais ne remplace pas un salarié et n'est pas "
    "rémunéré(e).\n"
    "2. Je ne confie aucun travail dangereux : ni machine dangereuse, ni produit chimique, ni "
    "travail en hauteur, ni charge lourde, ni travail électrique.\n"
    "3. Je respecte les horaires légaux des mineurs : 7 heures par jour au plus ; 30 heures par "
    "semaine avant 15 ans, 35 heures à partir de 15 ans ; jamais avant 6 h ni après 20 h ; une "
    "pause d'au moins 30 minutes après 4 h 30 de présence.\n"
    "4. Une personne de l'entreprise accompagne l'élève pendant toute la semaine, en tuteur.\n"
    "5. Une convention de stage est signée avec le collège avant le premier jour.\n"
    "6. Je respecte la vie privée de l'élève : je n'utilise ses coordonnées que pour organiser "
    "le stage, et je signale à Tremplin tout problème."
)

_PHONE_DIGITS = re.compile(r"^0[1-9]\d{8}$")


@dataclass
class Registration:
    employer: Employer
    created: bool  # False: the account asked to join a company already known by its SIRET
    message: str
    pending: bool = False  # True: the join request waits for a contact's or the team's approval


@dataclass
class EmployerCard:
    """`public` is what students see; `private` (contact, SIRET) is for the company and, after an
    acceptance, for the accepted student."""
    public: str
    private: str


def normalize_phone(raw: str) -> str:
    """French numbers in any usual writing (06 12…, 06.12…, +33 6…, 0033 (0)6…) → "06 12 34 56 78"."""
    text = (raw or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or digits.startswith("0033"):
        digits = digits[2:] if digits.startswith("00") else digits
        if not digits.startswith("33"):
            digits = ""  # another country code: not a French number
        else:
            digits = digits[2:]
            digits = "0" + (digits[1:] if digits.startswith("0") else digits)
    if not _PHONE_DIGITS.match(digits):
        raise DomainError("phone_invalid", "Ce numéro de téléphone ne semble pas valide : indiquez un numéro "
                          "français à 10 chiffres, par exemple 04 77 12 34 56 ou +33 6 12 34 56 78.")
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def resolve_commune(text: str) -> Commune:
    """The one commune meant by `text` (name, postcode or INSEE code), or a French question back."""
    result = get_communes().resolve(text or "")
    if result.status == "found" and result.commune is not None:
        return result.commune
    labels = ", ".join(c.label for c in result.communes[:5])
    if result.status == "ambiguous":
        raise DomainError("commune_ambiguous", f"Plusieurs communes correspondent à « {text} » : {labels}. "
                          "Précisez le département ou le code postal, par exemple « Feurs 42 ».")
    if result.status == "suggestion":
        raise DomainError("commune_suggestion", f"Je ne trouve pas « {text} ». Vouliez-vous dire : {labels} ?")
    raise DomainError("commune_unknown", f"Je ne connais pas la commune « {text} ». Vérifiez l'orthographe "
                      "ou donnez son code postal.")


def _clean_text(value: str, limit: int, code: str, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) < 2:
        raise DomainError(code, f"Indiquez {what}.")
    return value[:limit]


async def register_employer(session: AsyncSession, account: Account, siret: str, name: str,
                            commune_text_or_insee: str, contact_name: str, contact_phone: str,
                            charter_accepted: bool) -> Registration:
    """Create the company, or ask to join, as one more contact, the company already known by that SIRET."""
    if account.role not in (None, Role.EMPLOYER):
        raise DomainError("role_conflict", "Ce compte est déjà utilisé comme élève, parent, professeur ou "
                          "administrateur : "
                          "inscrivez votre entreprise depuis un autre compte de messagerie.")
    if not charter_accepted:
        raise DomainError("charter_required", "Pour accueillir des élèves, il faut accepter la charte "
                          "d'accueil :\n\n" + CHARTER_TEXT)
    siret = validate_siret(siret)
    name = _clean_text(name, 200, "employer_name", "le nom de votre entreprise ou structure")
    contact = _clean_text(contact_name, 120, "contact_name", "le nom de la personne à contacter")
    phone = normalize_phone(contact_phone)
    employer = await session.scalar(select(Employer).where(Employer.siret == siret))
    if account.employer_id is not None and (employer is None or employer.id != account.employer_id):
        raise DomainError("already_employer", "Ce compte est déjà rattaché à une autre entreprise : "
                          "utilisez un autre compte de messagerie pour celle-ci.")
    if employer is not None:
        return await _join_existing(session, account, employer, contact, phone)
    commune = resolve_commune(commune_text_or_insee)
    employer = Employer(siret=siret, name=name, commune_insee=commune.insee, contact_name=contact,
                        contact_phone=phone, is_public_body=siret[0] in "12",
                        charter_accepted_at=utcnow())
    session.add(employer)
    await session.flush()
    account.employer_id, account.role = employer.id, Role.EMPLOYER
    await session.flush()
    audit(session, account.pseudonym, "employer_registered", f"employer:{employer.id}")
    return Registration(employer, True, f"C'est enregistré : {employer.name} ({commune.label}) est inscrite "
                        "sur Tremplin. Vos offres seront relues par l'équipe avant leur publication.")


async def _join_existing(session: AsyncSession, account: Account, employer: Employer,
                         contact: str, phone: str) -> Registration:
    if account.employer_id == employer.id:
        return Registration(employer, False, f"Vous êtes déjà un contact de {employer.name}.")
    if employer.suspended:
        raise DomainError("employer_suspended", "Cette entreprise est suspendue sur Tremplin : "
                          "contactez l'équipe Tremplin.")
    # Anyone can read a SIRET on an invoice: joining waits for a yes from the company or the team.
    _, message = await request_to_join(session, account, employer, contact, phone)
    return Registration(employer, False, f"{employer.name} est déjà inscrite sur Tremplin. {message}", pending=True)


async def employer_card(session: AsyncSession, employer: Employer) -> EmployerCard:
    where = commune_label(employer.commune_insee)
    published = await session.scalar(select(func.count()).select_from(Offer).where(
        Offer.employer_id == employer.id, Offer.status == OfferStatus.PUBLISHED)) or 0
    kind = "Structure publique" if employer.is_public_body else "Entreprise"
    public = f"{employer.name} — {where}\n{kind} · {published} offre(s) de stage en ligne"
    if employer.trusted:
        public += " · partenaire vérifié"
    contact = " · ".join(v for v in (employer.contact_name, employer.contact_phone, employer.contact_email) if v)
    private = (public + f"\nSIRET : {employer.siret[:3]} {employer.siret[3:6]} {employer.siret[6:9]} "
               f"{employer.siret[9:]}\nContact : {contact or 'aucun contact renseigné'}")
    if employer.suspended:
        private += "\n⚠️ Compte suspendu : les offres ne sont plus visibles."
    return EmployerCard(public=public, private=private)
