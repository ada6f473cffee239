"""The Forum Innovations interdépartemental of 28 November 2019 in Amiens, run end to end through the application's
commands at its 2019 times: the départements' calls and local selections, nominations, jury, coaching, pitches,
scores, ranking, deliberation and publication (command ids under ``demo.f2019``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec

from domain.forum import CoachingSlot, Forum, Prize, coaching_rota, running_order
from domain.jury import Criterion, JuryRules, Ranking
from forum import forums
from forum.access import Actor
from forum.application import ForumApplication
from forum.audit_trail import AppointAuditor
from forum.coaching import AppointCoach, AssignCoaching, RecordCoachingSession
from forum.entrypoints.demo.editions import Edition, Loader, local_round, summary
from forum.entrypoints.demo.scenarios import (
    DEMO_PASSWORD,
    FORUM_2019,
    load_organisations,
    paris,
    scenario,
    scenario_time,
)
from forum.forums import SetPrize
from forum.jury import (
    AppointJuror,
    CloseDeliberation,
    ComputeRanking,
    DesignateLaureates,
    OpenDeliberation,
    RecordScore,
    SetRules,
)
from forum.people import People
from forum.stage import RecordPitch, SetRunningOrder

FORUM_2019_AUDITOR = "auditeur-forum-2019@nord.demo.forum.local"  # appointed auditor of the 2019 forum by its host


def load_forum_2019(
    app: ForumApplication, people: People, *, password: str = DEMO_PASSWORD, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the interdepartmental forum of 2019 end to end; returns the forum's id, host and key, and counts."""
    data = data or scenario(FORUM_2019)
    spec = data["forum"]
    host, key = spec["host"], "forum-interdepartemental-2019"
    load_organisations(app, data)
    with scenario_time(app, paris("2019-09-02", 9)) as clock:
        loader = Loader(app, people, clock, "demo.f2019", password)
        edition = Edition(loader, host, Forum.id_for(host, key), {o["slug"]: o["name"] for o in data["organisations"]})
        for org in spec["participants"]:
            name = f"Organisateur — {edition.names[org]}"
            edition.organisers[org] = loader.person(f"organisateur-{org}", org, "organiser", name)

        # September: the host plans the day and invites the départements, who accept
        loader.at(paris("2019-09-02", 10))
        edition.plan(
            key, title=spec["title"], kind="forum", starts_on=date.fromisoformat(spec["date"]), place=spec["place"],
            quota=spec["quota_per_organisation"],
        )  # fmt: skip
        prize = Prize("laureats", "Lauréats du forum", "main", laureates=spec["laureates_count"])
        edition.as_host(SetPrize, "prize", prize=prize)
        edition.invite_all(spec["participants"], paris("2019-09-02", 11), paris("2019-09-09", 9))

        # autumn: each département's call for ideas and its local selection; November: the nominations
        _forum_2019_local_rounds(edition, data)
        loader.at(paris("2019-11-04", 10))
        for p in data["projects"]:
            edition.nominate(p["organisation"], p["number"])

        jurors = _forum_2019_jury(edition, data)
        # an auditor of the forum (a Nord auditor), appointed by the host before the day: reads, changes nothing
        auditor = loader.person(FORUM_2019_AUDITOR.partition("@")[0], "nord", "auditor", "Auditrice du forum 2019")
        edition.as_host(AppointAuditor, "auditor", person_id=auditor.person_id, organisation="nord")
        _forum_2019_day(edition, data)
        _forum_2019_deliberation(edition, data, jurors)
        return summary(loader, edition.forum_id, host, key=key, projects=len(edition.projects))


def _forum_2019_local_rounds(edition: Edition, data: dict[str, Any]) -> None:
    loader = edition.loader
    for local in data["local_calls"]:
        org = local["organisation"]
        entries = []
        for p in (p for p in data["projects"] if p["organisation"] == org):
            team = [
                loader.person(f"agent-{org}-{p['number']}-{i}", org, "agent", member["role"].capitalize())
                for i, member in enumerate(p["team"])
            ]
            entries.append({"title": p["title"], "team": team, "number": p["number"]})
        ids = local_round(
            loader,
            organisation=org,
            organiser=edition.organisers[org],
            title=local["title"],
            opens=local["opens"],
            closes=local["closes"],
            categories=[],
            entries=entries,
            decided_at=paris(local["closes"], 10) + timedelta(days=3),
        )
        for entry, project_id in zip(entries, ids, strict=True):
            edition.projects[entry["number"]] = project_id


def _forum_2019_jury(edition: Edition, data: dict[str, Any]) -> dict[str, Actor]:
    """Jurors (three colleges per département), the rules declared before the day, and the coaches."""
    loader, spec = edition.loader, data["forum"]
    loader.at(paris("2019-11-18", 10))
    jury = spec["jury"]
    jurors: dict[str, Actor] = {}
    for j in jury["jurors"]:
        org = j["organisation"]
        person = loader.person(f"jure-{j['id']}", org, "agent", f"Juré·e, {j['college']} — {edition.names[org]}")
        edition.as_host(
            AppointJuror, ("juror", j["id"]), person_id=person.person_id, organisation=org, college=j["college"]
        )
        jurors[j["id"]] = loader.in_forum(person, edition.forum_id, forums.JUROR)
    low, high = jury["scale"]
    rules = JuryRules(
        criteria=tuple(Criterion(c["key"], c["label"], c["weight"]) for c in jury["criteria"]),
        scale_min=low,
        scale_max=high,
        quorum=10,
        normalisation="none",
        tie_break=("criteria",),
    )
    edition.as_host(SetRules, "rules", rules=rules)
    return jurors


def _forum_2019_day(edition: Edition, data: dict[str, Any]) -> None:
    """Coaches appointed and assigned; on the day, coaching in the morning and the pitches in the afternoon."""
    loader, spec = edition.loader, data["forum"]
    day, partner = spec["date"], spec["coaching"]["partner"]
    coaches = []
    for i in range(spec["coaching"]["coaches"]):
        coach = loader.person(f"coach-{i + 1}", partner, "agent", f"Coach {i + 1} — {edition.names[partner]}")
        edition.as_host(AppointCoach, ("coach", i), person_id=coach.person_id, organisation=partner)
        coaches.append(loader.in_forum(coach, edition.forum_id, forums.COACH))
    teams = [edition.projects[p["number"]] for p in data["projects"]]
    titles = {edition.projects[p["number"]]: p["title"] for p in data["projects"]}
    loader.at(paris("2019-11-20", 9))
    coach_ids = [c.person_id for c in coaches]
    rota = coaching_rota(teams, coach_ids, starts_at=paris(day, 9), minutes=50)
    edition.as_host(
        AssignCoaching, "coaching", project_ids=teams, coach_ids=coach_ids, starts_at=paris(day, 9), minutes=50
    )
    by_id = {c.person_id: c for c in coaches}
    for slot in rota:
        loader.at(slot.ends_at)
        _coaching_session(edition, by_id[slot.coach_id], slot, titles[slot.project_id])
    loader.at(paris(day, 12))
    pitch = spec["pitch"]
    starts_at, pitch_seconds, questions_seconds = (
        paris(day, 14),
        pitch["pitch_minutes"] * 60,
        pitch["questions_minutes"] * 60,
    )
    order = running_order(teams, starts_at=starts_at, pitch_seconds=pitch_seconds, questions_seconds=questions_seconds)
    edition.as_host(
        SetRunningOrder,
        "running-order",
        project_ids=teams,
        starts_at=starts_at,
        pitch_seconds=pitch_seconds,
        questions_seconds=questions_seconds,
    )
    for pitch_slot in order:
        loader.at(pitch_slot.starts_at + timedelta(seconds=pitch_slot.pitch_seconds))
        edition.as_host(
            RecordPitch,
            ("pitch", pitch_slot.project_id),
            project_id=pitch_slot.project_id,
            duration_seconds=pitch_slot.pitch_seconds,
        )


def _coaching_session(edition: Edition, coach: Actor, slot: CoachingSlot, title: str) -> None:
    edition.run(
        RecordCoachingSession,
        coach,
        ("session", slot.project_id),
        project_id=slot.project_id,
        notes="Problématisation : pour qui, quel irritant, quelle preuve (donnée de démonstration).",
        problem_statement=f"Comment {title[0].lower()}{title[1:]} ?",
        pitch_points=["le problème vécu par l'usager", "la solution testée", "ce qu'il faut pour trois mois"],
    )


def _forum_2019_deliberation(edition: Edition, data: dict[str, Any], jurors: dict[str, Actor]) -> None:
    """The jury scores (never its own département's projects), the ranking is recorded, the jury follows it."""
    loader, spec = edition.loader, data["forum"]
    day = spec["date"]
    for i, s in enumerate(data["scores"]):
        loader.at(paris(day, 16) + timedelta(seconds=20 * i))
        edition.run(
            RecordScore,
            jurors[s["juror"]],
            ("score", s["juror"], s["project"]),
            project_id=edition.projects[s["project"]],
            scores=s["scores"],
        )
    loader.at(paris(day, 17, 30))
    computed = edition.as_host(ComputeRanking, "ranking")
    ranking = msgspec.convert(computed.ranking, Ranking, strict=False)
    laureates, straddling = ranking.top(spec["laureates_count"])
    if straddling:  # the declared rules settle the 2019 tie below the cut; a tie across it would need the jury
        raise RuntimeError(f"a tie straddles the cut: {straddling}")
    loader.at(paris(day, 17, 35))
    edition.as_host(OpenDeliberation, "deliberation-open")
    loader.at(paris(day, 18))
    edition.as_host(DesignateLaureates, "laureates", prize_key="laureats", project_ids=list(laureates))
    loader.at(paris(day, 18, 10))
    edition.as_host(CloseDeliberation, "deliberation-close")
    loader.at(paris(day, 18, 30))
    edition.publish()
