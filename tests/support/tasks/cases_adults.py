"""Parents (link with the P- code, ask where things stand), teachers (create a class with its
contact, see the class), the Tremplin team (figures, moderation queue, approving an offer)."""
from __future__ import annotations

from tests.support.tasks import checks as c
from tests.support.tasks import rules as r
from tests.support.tasks.engine import Answer, Case, Press, Rule, Say
from tremplin.models import OfferStatus

LINKED = r"relie|c'est fait"


def _child(with_application: bool = True):
    return lambda ctx, s: ctx.linkable_child(s, with_application)


def _parent_cases() -> list[Case]:
    # (how the parent starts linking, what they type when asked for the code, status question)
    flows = [("lier mon enfant", "$pcode", "le patron a répondu ?"),
             ("Bonjour, ma fille m'a donné un code pour suivre son stage : $pcode", None,
              "où en est sa candidature ?"),
             ("$pcode", None, "est-ce que mon fils a des nouvelles de l'entreprise ?"),
             ("je voudrais suivre mon fils", "c'est $pcode", "alors, il a une réponse ?"),
             ("voici le code de mon enfant $pcode", None, "des nouvelles du stage ?"),
             ("comment suivre les candidatures de ma fille", "$pcode", "l'employeur a-t-il répondu ?"),
             ("code parent $pcode", None, "où en sont ses demandes de stage"),
             ("relier mon compte à celui de mon fils", "le code est $pcode merci", "et le patron, il a dit quoi ?")]
    cases = []
    for i, (first, code_answer, status) in enumerate(flows):
        steps = [*r.adult_start("parent", "je suis parent d'élève"), Say(first)]
        if code_answer is not None:
            steps.append(Answer((Rule(r"code", Say(code_answer)),), until=LINKED))
        steps.append(Say(status))
        cases.append(Case(f"parent_{i + 1}", "parent", "links to the child and asks the status", steps,
                          c.all_of(c.parent_linked("user"), c.shown(r"\$offer_title|en attente|\$app_code")),
                          setup=_child(), smoke=i == 0))
    return cases


def _teacher_cases() -> list[Case]:
    # (opening, class name, dates, contact typed, contact regex, week)
    flows = [("créer une classe", "3e C, Collège des Sources du Forez", "$w5", "M. Durand, 04 77 26 11 22", r"durand", 5),
             ("je voudrais créer ma classe", "3e D au collège des Sources du Forez", "semaine du $monday6",
              ("Mme Petit", "Mme Petit, 04 77 26 11 99"), r"petit", 6),
             ("nouvelle classe svp", "3eE, 0429871B", "$w4", "M. Martin, vie scolaire 04 77 26 00 00", r"martin", 4),
             ("Bonjour, comment inscrire ma classe ?", "3e F collège des Sources du Forez", "$w7",
              "Mme Roche, mme.roche@ac-lyon.fr", r"roche", 7),
             ("créer une classe", "3e G, Collège des Sources du Forez", "du $monday5 au vendredi",
              "M. Lenoir 04 77 26 11 33", r"lenoir", 5),
             ("ajouter une classe", "3e H, 0429871B", "$w6", "Mme Claire Stop, 04 77 26 11 44", r"stop", 6)]
    cases = []
    for i, (opening, name, dates, contact, contact_re, week) in enumerate(flows):
        short = name.split(",")[0].split(" au ")[0].split(" coll")[0]
        steps = [*r.adult_start("enseignant", "je suis professeur principal"), Say(opening),
                 r.create_class(name, dates, contact)]
        cases.append(Case(f"teacher_create_{i + 1}", "teacher_create", f"creates « {short} », contact {contact}",
                          steps, c.class_created(_name_regex(short), week, contact_re), smoke=i == 0))
    overview = ["où en sont mes élèves ?", "voir ma classe", "qui a trouvé un stage dans ma classe",
                "le point sur la classe svp"]
    for i, ask in enumerate(overview):
        cases.append(Case(f"teacher_overview_{i + 1}", "teacher_overview", "asks the class overview",
                          [*r.adult_start("enseignant", "je suis prof"), Say(ask)],
                          c.shown(r"\$class_code"), setup=_teacher_with_class(i), smoke=i == 0))
    return cases


def _name_regex(short: str) -> str:
    import re

    from tests.support.tasks.engine import norm
    compact = norm(short).replace(" ", "")
    return r"\s?".join(re.escape(ch) for ch in compact)


def _teacher_with_class(n: int):
    async def setup(ctx, s):
        from tremplin.services.classes import create_class
        account = await ctx.new_account(s)
        start, end = ctx.vars["date5"]
        created = await create_class(s, account, "0429871B", f"3e T{n}", start, end,
                                     teacher_contact="M. Blanc, 04 77 26 10 10")
        for _ in range(2):
            await ctx.pupil(s, created.code)
        ctx.vars["class_code"] = created.code
    return setup


def _admin(n: int):
    return lambda ctx, s: ctx.admin_with_pending_offer(s, n)


def _admin_cases() -> list[Case]:
    cases = []
    queue = ["file de modération", "y a quoi à modérer aujourd'hui ?", "les offres qui attendent une validation",
             "modération"]
    for i, ask in enumerate(queue):
        cases.append(Case(f"admin_approve_{i + 1}", "admin", "opens the queue and approves the new offer",
                          [Say(ask), Press("Valider l'offre $pending_offer_id")],
                          c.offer_status(OfferStatus.PUBLISHED), setup=_admin(i), smoke=i == 0))
    for i, ask in enumerate(["les chiffres", "donne moi les stats de la plateforme"]):
        cases.append(Case(f"admin_figures_{i + 1}", "admin", "asks the figures", [Say(ask)],
                          c.shown(r"(employeurs|offres|candidatures)\s*:?\s*\d+"), setup=_admin(10 + i)))
    return cases


def _cancel_cases() -> list[Case]:
    cases = []
    for i, stop in enumerate(["annuler", "laisse tomber"]):
        steps = [*r.adult_start("enseignant", "je suis enseignante"), Say("créer une classe"),
                 Answer((Rule(r.Q_CLASS_CONTACT, Say(stop), times=1),
                         Rule(r.Q_CLASS_NAME, Say("3e Z, Collège des Sources du Forez")),
                         Rule(r.Q_CLASS_DATES, Say("$w5"))), until=r"annule|rien n'a ete|rien n'est")]
        cases.append(Case(f"cancel_teacher_{i + 1}", "cancel_adult", f"« {stop} » while creating a class", steps,
                          c.all_of(c.no_class(), c.said(r"annule|rien n'a ete|rien n'est")), smoke=i == 0))
    steps = [*r.adult_start("parent", "parent"), Say("lier mon enfant"), Say("laisse tomber")]
    cases.append(Case("cancel_parent_1", "cancel_adult", "« laisse tomber » instead of the code", steps,
                      c.said(r"annule|rien n'a ete|rien n'est"), setup=_child(False)))
    return cases


def cases() -> list[Case]:
    return [*_parent_cases(), *_teacher_cases(), *_admin_cases(), *_cancel_cases()]
