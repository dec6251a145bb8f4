"""In a real browser (Debian's headless Chromium, Selenium) over the real stack (trained Rasa model,
action server, demo database): a pupil chats on the web page with the keyboard, joins a class and
applies; the teacher asks « voir ma classe » in the chat, opens the single-use link and sees that
pupil's application; a reused or expired link is refused. Every page passes axe-core (no serious
or critical violation) and fits a 360 px wide screen. Screenshots go to var/screenshots/."""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator

import pytest

from tests.support.browser import WebServer, axe_violations, fits_width, new_driver, require_browser, screenshot
from tests.support.stack import Stack, require_stack, start_stack

TIMEOUT = 90


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_browser()
    require_stack()
    running = start_stack(tmp_path_factory.mktemp("browser-stack"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def site(stack: Stack) -> Iterator[WebServer]:
    server = WebServer(stack.database_url, stack.rasa_url)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def driver():
    drv = new_driver()
    yield drv
    drv.quit()


def bot_texts(drv) -> list[str]:
    return [el.text for el in drv.find_elements("css selector", "#log .msg.bot")]


def wait_bot(drv, needle: str, since: int) -> str:
    """The first new bot message (after `since` of them) containing `needle`."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for text in bot_texts(drv)[since:]:
            if needle.lower() in text.lower():
                return text
        time.sleep(0.3)
    raise AssertionError(f"no reply with « {needle} »; last replies: {bot_texts(drv)[-3:]}")


def say(drv, text: str, expect: str) -> str:
    from selenium.webdriver.common.keys import Keys
    since = len(bot_texts(drv))
    box = drv.find_element("id", "message")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    return wait_bot(drv, expect, since)


def press(drv, title: str, expect: str) -> str:
    since = len(bot_texts(drv))
    buttons = [b for b in drv.find_elements("css selector", "#log .msg.bot .buttons button")
               if title.lower() in b.text.lower() and b.is_enabled()]
    assert buttons, f"no button « {title} »"
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[-1])
    buttons[-1].click()
    return wait_bot(drv, expect, since)


def tab_to(drv, title: str, limit: int = 40) -> None:
    """Keyboard only: Tab until the focused element is the button named `title`."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    for _ in range(limit):
        ActionChains(drv).send_keys(Keys.TAB).perform()
        focused = drv.switch_to.active_element
        if title.lower() in (focused.text or "").lower():
            return
    raise AssertionError(f"« {title} » cannot be reached with the Tab key")


def assert_accessible(drv, name: str) -> None:
    violations = axe_violations(drv)
    assert not violations, f"{name}: axe-core serious/critical violations: {violations}"
    ok, scroll = fits_width(drv, 360)
    assert ok, f"{name}: {scroll} px wide at 360 px (horizontal scrolling)"


async def _teacher_link(stack: Stack) -> str:
    """The demo teacher of FEURS-3A asks for the class in the chat; the reply carries the link."""
    from bot.rasa_client import RasaClient
    from bot.relay import Relay
    from tremplin.db import make_engine

    engine = make_engine(stack.database_url)
    try:
        async with RasaClient(stack.rasa_url, timeout=60) as client:
            relay = Relay(client, "demo", engine, retry_delays=(1.0,))
            sender = await relay.register("teacher:feurs", "teacher:feurs")
            replies = await relay.ask(sender, "voir ma classe")
    finally:
        await engine.dispose()
    text = "\n".join(r.text for r in replies)
    match = re.search(r"/tableau/ouvrir/([\w-]+)", text)
    assert match, text
    return match.group(1)


async def _link_for(stack: Stack, role: str, minutes: int = 15) -> str:
    from tremplin.db import make_engine, session_scope
    from tremplin.models import Role
    from tremplin.services.accounts import get_or_create_account
    from tremplin.services.links import issue_link

    engine = make_engine(stack.database_url)
    try:
        async with session_scope(engine) as s:
            account = await get_or_create_account(s, "demo", f"{role}:browser")
            account.role = Role(role)
            return await issue_link(s, account, minutes)
    finally:
        await engine.dispose()


def test_pupil_applies_on_the_web_and_the_teacher_sees_it(stack, site, driver):
    driver.get(site.url + "/")
    wait_bot(driver, "qui vous êtes", 0)
    tab_to(driver, "élève")  # keyboard only: Tab to the button, Enter to press it
    since = len(bot_texts(driver))
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_bot(driver, "tu es élève", since)
    say(driver, "mon code de classe c'est FEURS-3A", "3e A")
    say(driver, "je cherche un stage dans la santé", "30 km")
    press(driver, "30 km", "places restantes")
    press(driver, "Postuler", "anonyme")
    preview = say(driver, "J'aimerais voir comment on soigne les gens, mon num c'est 06 12 34 56 78", "masqué")
    assert "06 12" not in preview
    sent = say(driver, "oui", "candidature C-")
    code = re.search(r"candidature (C-[A-Z0-9]+)", sent).group(1)
    screenshot(driver, "web-chat")
    assert_accessible(driver, "web chat")

    token = asyncio.run(_teacher_link(stack))
    link = f"{site.url}/tableau/ouvrir/{token}"
    driver.get(link)
    assert_accessible(driver, "dashboard link page")
    driver.find_element("id", "ouvrir").click()
    deadline = time.monotonic() + 20
    while "Mes classes" not in driver.page_source and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Mes classes" in driver.page_source and code in driver.page_source
    screenshot(driver, "dashboard-teacher")
    assert_accessible(driver, "teacher dashboard")

    driver.delete_all_cookies()
    driver.get(link)  # the same link again: spent
    assert "déjà servi" in driver.find_element("id", "refus").text
    screenshot(driver, "dashboard-link-reused")
    assert_accessible(driver, "refused link page")


def _partner_offer(stack: Stack, site: WebServer) -> None:
    """A partner sends an offer through the API: a new company, so it waits for moderation."""
    import json
    import urllib.request

    from tests.support.web import new_token, offer_body
    from tremplin.db import make_engine

    async def token() -> str:
        engine = make_engine(stack.database_url)
        try:
            return await new_token(engine, "CMA Loire (test navigateur)")
        finally:
            await engine.dispose()

    request = urllib.request.Request(f"{site.url}/api/v1/offers/BROWSER-1", method="PUT",
                                     data=json.dumps(offer_body(1)).encode(),
                                     headers={"Authorization": f"Bearer {asyncio.run(token())}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201 and json.load(response)["status"] == "pending_review"


def test_an_expired_link_is_refused_and_the_territory_page_is_accessible(stack, site, driver):
    _partner_offer(stack, site)
    expired = asyncio.run(_link_for(stack, "teacher", minutes=-1))
    driver.get(f"{site.url}/tableau/ouvrir/{expired}")
    assert "expiré" in driver.find_element("id", "refus").text
    token = asyncio.run(_link_for(stack, "admin"))
    driver.get(f"{site.url}/tableau/ouvrir/{token}")
    driver.find_element("id", "ouvrir").click()
    deadline = time.monotonic() + 20
    while "Le territoire en chiffres" not in driver.page_source and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Le territoire en chiffres" in driver.page_source and "<svg" in driver.page_source
    screenshot(driver, "dashboard-territory")
    assert_accessible(driver, "territory dashboard")
    assert "Atelier partenaire 1" in driver.page_source
    tab_to(driver, "Valider", limit=80)  # moderation can be reached with the keyboard
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    deadline = time.monotonic() + 20
    while "validée" not in driver.page_source and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Offre « Découvrir le fournil n° 1 » validée" in driver.page_source


def test_without_javascript_the_chat_is_a_form_and_the_widget_loads(site, driver):
    driver.get(site.url + "/widget.js")
    assert "iframe" in driver.page_source
    driver.get(site.url + "/widget")
    assert driver.find_element("id", "message").is_displayed()
    assert_accessible(driver, "widget")


