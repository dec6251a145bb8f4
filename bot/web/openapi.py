"""The OpenAPI 3.1 description of the partners' API, served at /api/openapi.json."""
from __future__ import annotations

from typing import Any

_PERIOD = {"type": "object", "required": ["start", "end"], "properties": {
    "start": {"type": "string", "format": "date", "example": "2027-01-11"},
    "end": {"type": "string", "format": "date", "example": "2027-01-15"}}}

_OFFER_IN = {
    "type": "object",
    "required": ["siret", "employer_name", "commune", "metier", "title", "periods", "places"],
    "properties": {
        "reference": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$",
                      "description": "Votre référence de l'offre (dans le chemin pour PUT, dans le corps pour un lot)."},
        "siret": {"type": "string", "example": "44306184100047", "description": "14 chiffres, clé de contrôle vérifiée."},
        "employer_name": {"type": "string", "maxLength": 200},
        "commune": {"type": "string", "example": "Feurs 42", "description": "Nom, code postal ou code INSEE."},
        "address": {"type": "string", "maxLength": 255},
        "metier": {"type": "string", "example": "D1102", "description": "Code ROME ou libellé de métier."},
        "title": {"type": "string", "maxLength": 200},
        "description": {"type": "string"},
        "periods": {"type": "array", "minItems": 1, "items": _PERIOD,
                    "description": "Semaines d'accueil, à venir, d'une semaine au plus chacune."},
        "places": {"type": "integer", "minimum": 1, "maximum": 10},
        "hours": {"type": "string", "example": "09:00-16:30",
                  "description": "Entre 6 h et 20 h, 7 heures de présence au plus (hors pause du midi)."},
        "environments": {"type": "array", "items": {"type": "string"}},
        "holidays_ok": {"type": "boolean"},
        "transport": {"type": "string", "maxLength": 255},
    },
}

_OFFER_OUT = {"type": "object", "properties": {
    "reference": {"type": "string"}, "id": {"type": "integer"},
    "status": {"type": "string", "enum": ["draft", "pending_review", "published", "closed", "expired"]},
    "result": {"type": "string", "enum": ["created", "updated", "unchanged"]},
    "title": {"type": "string"}, "commune_insee": {"type": "string"}, "places": {"type": "integer"},
    "places_left": {"type": "integer"}, "hours": {"type": ["string", "null"]},
    "metier": {"type": "object"}, "periods": {"type": "array", "items": _PERIOD}}}

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}}}


def _responses(ok: dict[str, Any]) -> dict[str, Any]:
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {**ok, "401": {"description": "Jeton absent, inconnu ou révoqué", **err},
            "422": {"description": "Refusé par les règles (SIRET, période, places, horaires…)", **err},
            "429": {"description": "Trop de requêtes (voir Retry-After)", **err}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(server_url: str) -> dict[str, Any]:
    ref = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
    offer = {"$ref": "#/components/schemas/Offer"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tremplin — API des partenaires", "version": "1.0.0",
                 "description": "Publier les offres de stage d'observation de 3e de vos entreprises. "
                                "Jeton délivré par l'équipe Tremplin (« tremplin admin token-issue »). "
                                "Mêmes règles que la conversation ; chaque écriture est journalisée."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"OfferInput": _OFFER_IN, "Offer": _OFFER_OUT, "Error": _ERROR},
        },
        "paths": {
            "/api/v1/offers": {"get": {
                "summary": "Lister vos offres", "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}},
                    {"name": "after", "in": "query", "schema": {"type": "integer"}}],
                "responses": _responses({"200": _json({"type": "object", "properties": {
                    "offers": {"type": "array", "items": offer}, "next_after": {"type": ["integer", "null"]}}},
                    "Vos offres")})}},
            "/api/v1/offers/{reference}": {
                "parameters": [ref],
                "get": {"summary": "Lire une offre", "responses": _responses({"200": _json(offer, "L'offre"),
                                                                             "404": {"description": "Inconnue"}})},
                "put": {"summary": "Créer ou mettre à jour une offre (idempotent par référence)",
                        "requestBody": {"required": True, "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/OfferInput"}}}},
                        "responses": _responses({"201": _json(offer, "Créée"),
                                                 "200": _json(offer, "Mise à jour ou inchangée")})}},
            "/api/v1/offers/{reference}/close": {"parameters": [ref], "post": {
                "summary": "Fermer une offre", "responses": _responses({"200": _json(offer, "Fermée")})}},
            "/api/v1/offers/batch": {"post": {
                "summary": "Créer ou mettre à jour jusqu'à 1 000 offres, tout ou rien",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"offers": {"type": "array", "maxItems": 1000, "items": {
                        "$ref": "#/components/schemas/OfferInput"}}}}}}},
                "responses": _responses({"200": _json({"type": "object"}, "Compte par résultat")})}},
        },
    }
