"""Answering a request to join a company ("J-XXXXXX"): the company's contacts see it with the
applications, the Tremplin team in its moderation queue; both answer with Accepter / Refuser, which
reuse the accept/decline intents with the request's code. Who may answer is checked by the service."""
from __future__ import annotations

from actions.base import Turn
from actions.chat import signed_in
from tremplin.models import Account, Employer, EmployerJoinRequest
from tremplin.services.employer_contacts import decide_join_request, join_code_in, pending_requests_for


def join_code(turn: Turn) -> str | None:
    """A "J-XXXXXX" code from this message's `code` entity or from what the user typed."""
    text = str((turn.tracker.latest_message or {}).get("text") or "")
    return join_code_in(turn.entity("code")) or (None if text.startswith("/") else join_code_in(text))


def join_buttons(code: str) -> list[dict[str, str]]:
    return [{"title": "Accepter", "payload": f'/accept_application{{"code": "{code}"}}'},
            {"title": "Refuser", "payload": f'/decline_application{{"code": "{code}"}}'}]


def join_card(request: EmployerJoinRequest, employer: Employer | None = None) -> str:
    company = f" de {employer.name}" if employer else ""
    return (f"🔐 Demande {request.public_code} : {request.contact_name or 'une personne'} souhaite devenir contact"
            f"{company} (demande du {request.created_at:%d/%m}). Un contact voit les offres et les candidatures "
            "des élèves : n'acceptez que quelqu'un que vous connaissez.")


async def show_join_requests(turn: Turn, employer_id: int | None = None) -> int:
    """Show the waiting requests (one company's, or all for the team); returns how many."""
    requests = await pending_requests_for(turn.session, employer_id)
    for request in requests[:10]:
        employer = await turn.session.get(Employer, request.employer_id) if employer_id is None else None
        turn.say(join_card(request, employer), buttons=join_buttons(request.public_code))
    return len(requests)


async def answer_join_request(turn: Turn, code: str, approve: bool) -> None:
    decision = await decide_join_request(turn.session, signed_in(turn), code, approve)
    requester = await turn.session.get(Account, decision.request.account_id)
    who = decision.request.contact_name or "La personne"
    if decision.approved:
        turn.say(f"C'est fait : {who} est maintenant contact de {decision.employer.name} et en est prévenu(e).")
    elif approve and requester is not None:
        turn.say(f"Je ne peux pas ajouter cette personne : son compte est déjà utilisé pour un autre rôle ou une "
                 f"autre entreprise. La demande {code} est close et elle en est prévenue.")
    else:
        turn.say(f"Demande {code} refusée : la personne en est prévenue et ne voit rien de votre entreprise. "
                 "Si elle vous semble malveillante, écrivez « signaler un problème ».")
