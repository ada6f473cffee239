"""The public palmarès pages in a real browser: both 2019 palmarès, the index and the draft, checked by axe-core on
a desktop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from forum.entrypoints.demo.forum_2019 import load_forum_2019
from forum.entrypoints.demo.impulsions_2019 import load_impulsions_2019
from tests.browser.conftest import CheckA11y, Live

pytestmark = pytest.mark.browser


def test_the_published_palmares_pages_are_accessible_and_list_the_laureates(
    live: Live, page: Any, check_a11y: CheckA11y, check_phone: CheckA11y
) -> None:
    load_forum_2019(live.services.app, live.services.people)
    load_impulsions_2019(live.services.app, live.services.people)
    live.settle()
    page.goto(live.url + "/palmares")
    assert page.locator("h1").inner_text() == "Palmarès"
    check_a11y(page)
    check_phone(page)
    page.get_by_role("link", name="1er forum Innovations interdépartemental").click()
    assert page.url.endswith("/palmares/1er-forum-innovations-interdepartemental-2019")
    laureates = page.get_by_role("region", name="Lauréats du forum").get_by_role("listitem")
    assert laureates.count() == 8
    check_a11y(page)
    check_phone(page)
    page.goto(live.url + "/palmares")
    page.get_by_role("link", name="Prix Impulsions 2019 de la modernisation administrative").click()
    national = page.get_by_role("region", name="Prix national")
    assert "1er prix — Accompagnement des familles" in national.inner_text()
    assert "6 voix" in page.get_by_role("region", name="Prix des académies").inner_text()
    check_a11y(page)
    check_phone(page)
