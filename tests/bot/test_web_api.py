"""Partners' API: tokens, same rules as the chat, idempotent by reference, rate limit, audit."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.support.web import new_token, next_monday, offer_body, web_client
from tremplin.db import session_scope
from tremplin.models import AuditEntry, Offer, OfferStatus, PartnerOffer
from tremplin.services.partners import hash_token, list_tokens, revoke_token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_openapi_document_is_public_and_describes_the_offers(engine):
    async with web_client(engine) as client:
        response = await client.get("/api/openapi.json")
        assert response.status == 200
        doc = await response.json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/offers", "/api/v1/offers/{reference}", "/api/v1/offers/batch"} <= set(doc["paths"])
    assert "Access-Control-Allow-Origin" not in response.headers  # CORS stays closed


async def test_bad_missing_and_revoked_tokens_are_refused(engine):
    token = await new_token(engine)
    async with web_client(engine) as client:
        assert (await client.get("/api/v1/offers")).status == 401
        assert (await client.get("/api/v1/offers", headers=auth("trp_wrong"))).status == 401
        assert (await client.get("/api/v1/offers", headers={"Authorization": token})).status == 401
        assert (await client.get("/api/v1/offers", headers=auth(token))).status == 200
        async with session_scope(engine) as session:
            [partner] = await list_tokens(session)
            assert partner.token_hash == hash_token(token) and token not in (partner.token_hash, partner.prefix)
            await revoke_token(session, partner.id)
        response = await client.get("/api/v1/offers", headers=auth(token))
        assert response.status == 401
        assert "Jeton" in (await response.json())["error"]["message"]


async def test_create_update_close_and_the_audit(engine):
    token = await new_token(engine)
    async with web_client(engine) as client:
        body = offer_body(1)
        created = await client.put("/api/v1/offers/REF-00001", json=body, headers=auth(token))
        assert created.status == 201, await created.text()
        data = await created.json()
        assert data["result"] == "created" and data["status"] == "pending_review" and data["hours"] == "08:30-15:30"
        again = await client.put("/api/v1/offers/REF-00001", json=body, headers=auth(token))
        assert (await again.json())["result"] == "unchanged"
        body["places"] = 3
        updated = await (await client.put("/api/v1/offers/REF-00001", json=body, headers=auth(token))).json()
        assert updated["result"] == "updated" and updated["places"] == 3 and updated["places_left"] == 3
        closed = await client.post("/api/v1/offers/REF-00001/close", headers=auth(token))
        assert (await closed.json())["status"] == "closed"
        assert (await client.get("/api/v1/offers/NOPE", headers=auth(token))).status == 404
        listed = await (await client.get("/api/v1/offers", headers=auth(token))).json()
        assert [o["reference"] for o in listed["offers"]] == ["REF-00001"]
    async with session_scope(engine) as session:
        actions = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("partner_%"))
                                             .order_by(AuditEntry.id)))
    assert actions == ["partner_token_issued", "partner_offer_created", "partner_offer_updated",
                       "partner_offer_closed"]


async def test_the_api_refuses_what_the_chat_refuses(engine):
    token = await new_token(engine)
    past = date.today() - timedelta(days=14)
    cases = {
        "siret": offer_body(2, siret="44306184100048"),
        "past": offer_body(3, periods=[{"start": past.isoformat(), "end": (past + timedelta(days=4)).isoformat()}]),
        "places": offer_body(4, places=11),
        "hours": offer_body(5, hours="05:00-12:00"),
        "long_day": offer_body(6, hours="08:00-18:00"),
        "commune": offer_body(7, commune="Zzzzville"),
        "long_period": offer_body(8, periods=[{"start": next_monday().isoformat(),
                                               "end": (next_monday() + timedelta(days=20)).isoformat()}]),
    }
    async with web_client(engine) as client:
        for name, body in cases.items():
            response = await client.put(f"/api/v1/offers/{body['reference']}", json=body, headers=auth(token))
            assert response.status == 422, name
            details = " ".join((await response.json())["error"]["details"])
            expected = {"siret": "SIRET", "past": "passée", "places": "places", "hours": "6 h",
                        "long_day": "7 heures", "commune": "commune", "long_period": "semaine"}[name]
            assert expected in details, (name, details)
        bad_json = await client.put("/api/v1/offers/X1", data=b"{not json", headers=auth(token))
        assert bad_json.status == 422
    async with session_scope(engine) as session:
        assert await session.scalar(select(func.count()).select_from(Offer)) == 0


async def test_a_thousand_offers_upserted_twice_make_a_thousand_offers(engine):
    token = await new_token(engine)
    offers = [offer_body(n) for n in range(1000)]
    async with web_client(engine) as client:
        first = await client.post("/api/v1/offers/batch", json={"offers": offers}, headers=auth(token))
        assert first.status == 200, (await first.text())[:500]
        assert (await first.json())["counts"] == {"created": 1000, "updated": 0, "unchanged": 0}
        offers[5]["title"] = "Un titre corrigé"
        second = await client.post("/api/v1/offers/batch", json={"offers": offers}, headers=auth(token))
        assert (await second.json())["counts"] == {"created": 0, "updated": 1, "unchanged": 999}
        offers[7]["siret"] = "123"
        refused = await client.post("/api/v1/offers/batch", json={"offers": offers}, headers=auth(token))
        assert refused.status == 422 and list((await refused.json())["error"]["details"]) == ["REF-00007"]
    async with session_scope(engine) as session:
        assert await session.scalar(select(func.count()).select_from(Offer)) == 1000
        assert await session.scalar(select(func.count()).select_from(PartnerOffer)) == 1000
        assert await session.scalar(select(func.count()).select_from(Offer).where(
            Offer.status == OfferStatus.PENDING_REVIEW)) == 1000


async def test_requests_beyond_the_rate_are_refused_with_retry_after(engine):
    token = await new_token(engine)
    async with web_client(engine, api_rate_per_minute=6) as client:  # burst of 5
        statuses = [(await client.get("/api/v1/offers", headers=auth(token))).status for _ in range(7)]
        response = await client.get("/api/v1/offers", headers=auth(token))
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1


def test_admin_issues_lists_and_revokes_api_tokens(tmp_path, monkeypatch, capsys):
    from tremplin.cli import main
    from tremplin.migrate import upgrade
    from tremplin.settings import get_settings
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade(get_settings().database_url)
    assert main(["admin", "token-issue", "--name", "CMA Loire"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("trp_")
    assert main(["admin", "token-list"]) == 0
    listing = capsys.readouterr().out
    assert "CMA Loire" in listing and token not in listing and "actif" in listing
    assert main(["admin", "token-revoke", "--id", "1"]) == 0
    assert main(["admin", "token-revoke", "--id", "9"]) == 1
    assert main(["admin", "token-list"]) == 0 and "révoqué" in capsys.readouterr().out
