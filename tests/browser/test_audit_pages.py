"""The auditor of the 2019 forum in a real browser: signs in, opens a laureate from the palmarès, sees why it won
(scores, jurors, recusals, method) as it stood at the publication, replays the jury at 16:30, reads and filters the
trail, downloads the signed export and checks it offline. Every page checked by axe-core on a desktop and a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forum import audit, audit_trail
from forum.entrypoints.demo.forum_2019 import FORUM_2019_AUDITOR, load_forum_2019
from forum.entrypoints.demo.scenarios import DEMO_PASSWORD
from tests.accounts import member
from tests.browser.conftest import CheckA11y, Live, SignIn

pytestmark = pytest.mark.browser


def test_the_forum_auditor_sees_why_a_laureate_won_and_verifies_the_exported_history_offline(
    *,
    live: Live,
    page: Any,
    sign_in: SignIn,
    check_a11y: CheckA11y,
    check_phone: CheckA11y,
    tmp_path: Path,
) -> None:
    loaded = load_forum_2019(live.services.app, live.services.people)
    live.settle()
    sign_in(page, FORUM_2019_AUDITOR, DEMO_PASSWORD)

    # the palmarès shows the auditor a way to each laureate's provenance
    page.goto(live.url + "/palmares/1er-forum-innovations-interdepartemental-2019")
    links = page.get_by_role("link", name="Pourquoi « ")
    assert links.count() == 8
    check_a11y(page)
    links.first.click()
    assert "/provenance/" in page.url
    main = page.locator("main")
    text = main.inner_text()
    assert "pourquoi ce résultat" in page.locator("h1").inner_text()
    assert "Lauréat" in text and "à la publication du palmarès, le 28/11/2019" in text
    assert "recalculé à partir des notes de ce moment, il donne exactement le même tableau" in text
    assert "récusé d'office : projet de sa propre organisation" in text
    assert "Normalisation" in text and "Quorum" in text and "Version des règles" in text
    assert page.get_by_role("region", name="Notes du projet (défilement horizontal)").get_by_role("row").count() > 2
    check_a11y(page)
    check_phone(page)

    # the jury at 16:30 on the day: the scores recorded by then, and the ranking they gave
    crumbs = page.get_by_role("navigation", name="Fil d'Ariane")
    crumbs.get_by_role("link", name="1er forum Innovations interdépartemental").click()
    page.get_by_role("link", name="Le jury à un instant : notes et classement").click()
    page.get_by_label("Instant (heure de Paris)").fill("2019-11-28T16:30")
    page.get_by_role("button", name="Rejouer").click()
    assert "le 28/11/2019 à 16:30" in page.locator("h1").inner_text()
    assert "Les notes (91)" in page.locator("main").inner_text()
    check_a11y(page)
    check_phone(page)

    # the forum's trail, filtered by event type
    page.goto(f"{live.url}/audit/forums/{loaded['host']}/{loaded['forum_id']}")
    page.get_by_label("Type d'événement").select_option("Forum.PalmaresPublished")
    page.get_by_role("button", name="Filtrer").click()
    trail = page.get_by_role("list", name="Événements")
    assert trail.get_by_role("listitem").count() == 1
    assert "a publié le palmarès « 1er forum Innovations interdépartemental »" in trail.inner_text()
    check_a11y(page)
    check_phone(page)

    # the signed export, downloaded, verifies offline with the key the page shows
    page.goto(f"{live.url}/audit/forums/{loaded['host']}/{loaded['forum_id']}")
    key = page.get_by_role("region", name="Intégrité : têtes de chaîne et ancrages").locator("code").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Historique complet du forum, signé").click()
    path = tmp_path / "forum.jsonl"
    download.value.save_as(path)
    report = audit_trail.verify_export(path, audit.load_public_key(key))
    assert report.ok and report.events > 200 and report.anchors_matched >= 1, report.reason


def test_an_organisations_auditor_reads_its_history_and_replays_an_object(
    live: Live,
    page: Any,
    sign_in: SignIn,
    check_a11y: CheckA11y,
    check_phone: CheckA11y,
) -> None:
    auditor = member(live.services, "nord", "auditor")
    member(live.services, "nord", "organiser")
    live.settle()
    sign_in(page, auditor.email, auditor.password)
    page.goto(live.url + "/audit")
    check_a11y(page)
    page.get_by_role("link", name="Nord").click()
    assert page.locator("h1").inner_text() == "Historique de Nord"
    trail = page.get_by_role("list", name="Événements")
    assert "a inscrit l'organisation « Nord »" in trail.inner_text()
    check_a11y(page)
    check_phone(page)
    # one object: its history, its state before it existed, and now
    trail.get_by_role("link", name="Organisation, version 1").click()
    page.get_by_label("État à l'instant (heure de Paris)").fill("2001-01-01T00:00")
    page.get_by_role("button", name="Voir l'état").click()
    assert "n'existait pas encore" in page.locator("main").inner_text()
    check_a11y(page)
    check_phone(page)
