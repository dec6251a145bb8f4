"""The whole student journey through the actions, on the demo data: join FEURS-3A, search, look at
an offer, apply by its button, follow it, invite a parent, withdraw."""
from __future__ import annotations

import json

from actions.student_apply import ActionApply, ValidateApplyForm
from actions.student_applications import ActionMyApplications, ActionWithdrawApplication
from actions.student_more import ActionShowMore
from actions.student_onboarding import ActionJoinClass
from actions.student_privacy import ActionInviteParent
from actions.student_search import ActionSearchOffers, ValidateSearchForm
from tests.support.actions import form_tracker, run, tracker, use_engine
from tests.support.student import form_domain, student_chat
from tremplin.db import session_scope
from tremplin.models import Employer
from tremplin.seed.demo import seed_demo
from sqlalchemy import select


async def test_from_class_code_to_withdrawal_on_the_demo(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    await seed_demo(engine)
    async with session_scope(engine) as s:
        secrets = [x for e in await s.scalars(select(Employer)) for x in (e.name, e.contact_phone) if x]
    sender = await student_chat(engine, "j1", first_name="Noé", home=None, week=False)
    slots: dict = {"role": "eleve"}

    out = await run(ActionJoinClass(), tracker(sender, intent="join_class",
                                               entities=[{"entity": "code", "value": "FEURS-3A"}]))
    assert "Bienvenue dans la classe" in out.text

    out = await run(ValidateSearchForm(), form_tracker(sender, "search_form", requested=None,
                                                       new={"recherche": "peu importe"}),
                    form_domain("search_form"))
    assert out.slots()["requested_slot"] is None  # the class gives the place (the collège) and the week
    out = await run(ActionSearchOffers(), tracker(sender, slots={**slots, "recherche": "peu importe"}))
    assert out.texts[0].startswith("J'ai trouvé ") and "de Feurs (42)" in out.texts[0]
    for secret in secrets:
        assert secret not in out.text
    slots["search_state"] = out.slots()["search_state"]
    first_id = json.loads(slots["search_state"])["ids"][0]

    out = await run(ActionShowMore(), tracker(sender, intent="show_more", slots=slots,
                                              entities=[{"entity": "code", "value": f"O-{first_id}"}]))
    assert out.text.startswith("📌 ") and "🔒" in out.text
    for secret in secrets:
        assert secret not in out.text

    apply_domain = form_domain("apply_form")
    trk = form_tracker(sender, "apply_form", slots, requested=None, new={"apply_offer": f"O-{first_id}"}, intent="apply")
    out = await run(ValidateApplyForm(), trk, apply_domain)
    offer_ref = out.slots()["apply_offer"]
    motivation = "Je m'appelle Noé et j'aime pétrir la pâte avec mon oncle, écris-moi au 06 12 34 56 78 !"
    out = await run(ValidateApplyForm(), form_tracker(sender, "apply_form", {**slots, "apply_offer": offer_ref},
                                                      requested="apply_motivation",
                                                      new={"apply_motivation": motivation}), apply_domain)
    masked = out.slots()["apply_motivation"]
    assert "Noé" not in masked and "06 12" not in masked
    out = await run(ActionApply(), tracker(sender, intent="affirm", slots={
        **slots, "apply_offer": offer_ref, "apply_motivation": masked, "apply_confirm": True}))
    code = out.text.split("Ta candidature ")[1].split(" ")[0]
    assert code.startswith("C-")

    out = await run(ActionMyApplications(), tracker(sender, intent="my_applications"))
    assert code in out.text and "envoyée, pas encore lue" in out.text
    out = await run(ActionInviteParent(), tracker(sender, intent="invite_parent"))
    assert "Voici ton code parent : P-" in out.text
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="withdraw_application"))
    assert out.slots()["withdraw_pending"] == code  # the only one: straight to « sûr ? »
    out = await run(ActionWithdrawApplication(), tracker(sender, intent="affirm", slots={"withdraw_pending": code}))
    assert f"ta candidature {code} est retirée" in out.text
