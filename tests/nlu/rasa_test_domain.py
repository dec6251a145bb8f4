"""The domain, rules and generated data keep the contract that the rest of Tremplin relies on."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.utils.io import read_yaml_file

ROOT = Path(__file__).resolve().parents[2]
INTENTS = """greet goodbye thank affirm deny help bot_challenge cancel out_of_scope human_handoff report_problem
faq declare_role inform search_offers show_more apply my_applications withdraw_application unsure_career
join_class invite_parent register_company publish_offer my_offers close_offer review_applications
accept_application decline_application link_child ask_status class_overview create_class delete_my_data
show_my_data""".split()
FAQ = """what_is_stage dates duration_hours pay insurance convention anonymity holidays no_network age
dangerous_work how_many_applications who_sees_my_data refusal""".split()
ENTITIES = "role metier domaine lieu distance periode nombre siret code".split()
ACTIONS = """action_search_offers action_show_more action_apply action_my_applications
action_withdraw_application action_explore_environments action_join_class action_invite_parent
action_register_company action_publish_offer action_my_offers action_close_offer
action_review_applications action_accept_application action_decline_application action_link_child
action_ask_status action_class_overview action_create_class action_delete_my_data action_show_my_data
action_report_problem action_set_role action_human_handoff""".split()
FORMS = "search_form apply_form register_company_form publish_offer_form link_child_form create_class_form".split()
STUDENT = {"slot": "role", "value": "eleve"}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture(scope="module")
def rules() -> list[dict]:
    files = sorted((ROOT / "data" / "rules").glob("*.yml"))  # one file per form or topic
    assert files
    return [rule for file in files for rule in read_yaml_file(str(file))["rules"]]


def test_contract_names(domain):
    assert set(INTENTS) <= set(domain.intents)
    assert set(ENTITIES) <= set(domain.entities)
    assert set(ACTIONS + [f"validate_{f}" for f in FORMS]) <= set(domain.user_actions)
    assert set(FORMS) <= set(domain.form_names)
    role = next(s for s in domain.slots if s.name == "role")
    assert set(role.values) >= {"eleve", "entreprise", "parent", "enseignant"}
    for key in FAQ:
        assert f"utter_faq/{key}" in domain.responses, key


def test_every_response_says_tu_to_students_and_vous_to_adults(domain):
    """Responses for students carry a `role = eleve` variation; the default variation says "vous"."""
    student_only = set()
    for name, variations in domain.responses.items():
        default = [v for v in variations if not v.get("condition")]
        assert default, f"{name} has no default (vouvoiement) variation"
        for variation in default:
            text = variation.get("text", "")
            assert not re.search(r"\b(tu|toi|ton|ta|tes|t')\b", text, re.I) or name in student_only, \
                f"{name}: the default variation must say 'vous': {text[:80]}"
        for variation in variations:
            for condition in variation.get("condition") or []:
                assert condition["name"] == "role" and condition["value"] in {"eleve", "entreprise", "parent", "enseignant"}
    # everything a student can meet has a "tu" variation
    for name in ["utter_greet", "utter_help", "utter_default", "utter_form_cancelled", "utter_ask_recherche",
                 "utter_ask_lieu", "utter_ask_apply_motivation", "utter_report_problem_followup"] + \
                [f"utter_faq/{k}" for k in FAQ]:
        conditions = [v.get("condition") for v in domain.responses[name]]
        assert any(c and {"type": "slot", "name": "role", "value": "eleve"} in c for c in conditions), name


def _steps(rule):
    return [(s.get("intent"), s.get("action"), s.get("active_loop", "-")) for s in rule["steps"]]


def test_every_form_can_be_left_and_interrupted(rules):
    for form in FORMS:
        in_form = [r for r in rules if {"active_loop": form} in (r.get("condition") or [])]
        by_intent = {r["steps"][0].get("intent"): [s.get("action") for s in r["steps"][1:] if "action" in s]
                     for r in in_form if "intent" in r["steps"][0]}
        assert by_intent["cancel"][:1] == ["action_deactivate_loop"], form
        assert "utter_form_cancelled" in by_intent["cancel"], form
        assert by_intent["faq"] == ["utter_faq", form], form
        assert by_intent["help"] == ["utter_help", form], form
        assert by_intent["report_problem"] == ["action_deactivate_loop", "action_report_problem",
                                               "utter_report_problem_followup"], form
        assert by_intent["human_handoff"][0] == "action_deactivate_loop", form
        # A misread free answer must never throw the answers away: goodbye keeps the form open, and
        # an unclear message goes to the form, whose checks take it or ask again.
        assert by_intent["goodbye"] == ["utter_form_kept", form], form
        assert by_intent["nlu_fallback"] == [form], form


def test_report_problem_always_reaches_a_human(rules):
    for rule in rules:
        steps = rule["steps"]
        for i, step in enumerate(steps):
            if step.get("intent") == "report_problem":
                actions = [s["action"] for s in steps[i + 1:] if "action" in s]
                assert "action_report_problem" in actions and actions[-1] == "utter_report_problem_followup", rule["rule"]


def test_generated_lookups_and_synonyms_load_as_rasa_data():
    data = load_data(str(ROOT / "data" / "nlu" / "lookups"))
    names = {r["name"] for r in data.regex_features} | {t["name"] for t in data.lookup_tables}
    assert {"lieu", "code", "siret", "distance"} <= names
    synonyms = load_data(str(ROOT / "data" / "nlu" / "synonyms.yml")).entity_synonyms
    assert synonyms["st etienne"] == "Saint-Étienne"
    assert synonyms["st-etienne"] == "Saint-Étienne"
    assert synonyms["chalon"] == "Chalon-sur-Saône"
    assert synonyms["le creusot".replace("le ", "")] == "Le Creusot"
    assert synonyms["prof"] == "enseignant" and synonyms["maman"] == "parent"
    if (ROOT / "data" / "reference" / "metiers.json").exists():
        assert synonyms.get("boulangère") == "Boulanger"


def test_commune_regex_matches_area_towns_and_not_words():
    lieu = next(r["pattern"] for r in load_data(str(ROOT / "data" / "nlu" / "lookups")).regex_features
                if r["name"] == "lieu")
    pattern = re.compile(lieu, re.IGNORECASE)
    for town in ["Roanne", "st etienne", "Saint-Étienne", "chalon sur saone", "Montceau-les-Mines", "Lyon",
                 "le creusot", "Mâcon", "macon", "Paris"]:
        assert pattern.search(f"un stage vers {town} stp"), town
    for sentence in ["je cherche un job", "mon parent est la", "dans un jardin", "ma mère"]:
        assert not pattern.search(sentence), sentence
