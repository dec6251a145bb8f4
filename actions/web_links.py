"""The dashboard link given in the chat to teachers (« ma classe ») and the team (« les chiffres »):
single-use and short-lived, so a forwarded or leaked message opens nothing."""
from __future__ import annotations

from actions.base import Turn
from actions.chat import signed_in
from tremplin.services.links import dashboard_url, issue_link
from tremplin.settings import get_settings


async def say_dashboard_link(turn: Turn) -> None:
    settings = get_settings()
    token = await issue_link(turn.session, signed_in(turn), settings.dashboard_link_minutes)
    turn.say(f"🖥️ Tableau de bord sur ordinateur (lien personnel, à usage unique, valable "
             f"{settings.dashboard_link_minutes} minutes) : {dashboard_url(settings.web_public_url, token)}")
