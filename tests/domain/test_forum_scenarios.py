"""Both 2019 programmes, driven through the Forum aggregate alone, end with the palmarès that was published."""

import json
import typing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from domain.forum import (
    Forum,
    Prize,
    ProjectSnapshot,
    TeamMember,
    Voter,
    coaching_rota,
    running_order,
)
from domain.jury import Criterion, JuryRules, rank
from domain.values import PARIS, Meta
from tests.domain.past import roundtrip

DATA = Path(__file__).resolve().parents[2] / "forum" / "demo_data"


def load(name: str) -> dict[str, Any]:
    return typing.cast("dict[str, Any]", json.loads((DATA / name).read_text(encoding="utf-8")))


def paris(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=PARIS)


def person(label: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"demo:person:{label}"))


def project_id(organisation: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"demo:project:{organisation}:{key}")


class Actor:
    """Builds the Meta of each command: who acts, in which role and organisation, when; in the host's store."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.count = 0

    def __call__(self, who: str, role: str, organisation: str, at: datetime) -> Meta:
        self.count += 1
        return Meta(
            actor=person(who),
            role=role,
            organisation=self.host,
            actor_organisation=organisation,
            at=at,
            command_id=f"c{self.count}",
            correlation_id=f"c{self.count}",
        )


# ---------------------------------------------------------------------------------------------------------------------
# Forum Innovations interdépartemental, Amiens, 28 November 2019


def run_interdepartmental(rules: JuryRules | None = None) -> tuple[Forum, list[Any], dict[UUID, int]]:
    data = load("forum-interdepartemental-2019.json")
    spec = data["forum"]
    host = spec["host"]
    day = spec["date"]
    act = Actor(host)
    events: list[Any] = []

    def collect() -> None:
        events.extend(forum.collect_events())

    forum = Forum.plan(
        id=Forum.id_for(host, "forum-interdepartemental-2019"),
        host=host,
        title=spec["title"],
        kind="forum",
        starts_on=date.fromisoformat(day),
        place=spec["place"],
        quota=spec["quota_per_organisation"],
        meta=act("dgs-somme", "host", host, paris("2019-09-02", 10)),
    )
    for organisation in spec["participants"]:
        forum.invite(organisation=organisation, meta=act("dgs-somme", "host", host, paris("2019-09-02", 11)))
        forum.accept_invitation(
            organisation=organisation,
            meta=act(f"dgs-{organisation}", "organiser", organisation, paris("2019-09-09", 9)),
        )
    forum.define_prize(
        prize=Prize(key="laureats", label="Lauréats du forum", kind="main", laureates=spec["laureates_count"]),
        meta=act("dgs-somme", "host", host, paris("2019-09-02", 12)),
    )

    numbers: dict[UUID, int] = {}
    for project in data["projects"]:
        organisation = project["organisation"]
        pid = project_id(organisation, str(project["number"]))
        numbers[pid] = project["number"]
        forum.nominate(
            project=ProjectSnapshot(
                project_id=pid,
                organisation=organisation,
                title=project["title"],
                team=tuple(
                    TeamMember(person(f"{organisation}-{project['number']}-{i}"), member["role"])
                    for i, member in enumerate(project["team"])
                ),
            ),
            selected_locally=True,
            meta=act(f"dgs-{organisation}", "organiser", organisation, paris("2019-11-04", 10)),
        )
    collect()

    # the morning: beta.gouv.fr coaches every team
    coaches = [person(f"coach-{i}") for i in range(spec["coaching"]["coaches"])]
    for coach in coaches:
        forum.appoint_coach(
            person_id=coach,
            organisation=spec["coaching"]["partner"],
            meta=act("dgs-somme", "host", host, paris("2019-11-18", 9)),
        )
    teams = [p.project_id for p in forum.active_nominations()]
    for slot in coaching_rota(teams, coaches, starts_at=paris(day, 9), minutes=50):
        forum.assign_coaching(
            project_id=slot.project_id,
            coach_id=slot.coach_id,
            starts_at=slot.starts_at,
            minutes=50,
            meta=act("dgs-somme", "host", host, paris("2019-11-20", 9)),
        )
        forum.record_coaching_session(
            coach_id=slot.coach_id,
            project_id=slot.project_id,
            notes="Problématisation : pour qui, quel irritant, quelle preuve.",
            problem_statement="Comment aider l'usager à …",
            pitch_points=("le problème vécu", "la solution testée", "ce qu'il faut pour trois mois"),
            meta=act(f"coach-{coaches.index(slot.coach_id)}", "coach", "beta-gouv", slot.ends_at),
        )
    collect()

    # the afternoon: three-minute pitches, then the jury's questions
    pitch = spec["pitch"]
    slots = running_order(
        teams,
        starts_at=paris(day, 14),
        pitch_seconds=pitch["pitch_minutes"] * 60,
        questions_seconds=pitch["questions_minutes"] * 60,
    )
    forum.set_running_order(slots=slots, meta=act("dgs-somme", "host", host, paris(day, 12)))
    for slot in slots:
        forum.record_pitch(
            project_id=slot.project_id,
            duration_seconds=slot.pitch_seconds,
            meta=act("dgs-somme", "host", host, slot.ends_at),
        )
    collect()

    jury = spec["jury"]
    for juror in jury["jurors"]:
        forum.appoint_juror(
            person_id=person(juror["id"]),
            organisation=juror["organisation"],
            college=juror["college"],
            meta=act("dgs-somme", "host", host, paris("2019-11-18", 10)),
        )
    forum.set_jury_rules(
        rules=rules or interdepartmental_rules(jury),
        meta=act("dgs-somme", "host", host, paris("2019-11-18", 11)),
    )
    at = paris(day, 16)
    by_label = {(p["organisation"], p["number"]): p for p in data["projects"]}
    number_org = {p["number"]: p["organisation"] for p in by_label.values()}
    for score in data["scores"]:
        at += timedelta(seconds=30)
        juror = next(j for j in jury["jurors"] if j["id"] == score["juror"])
        forum.record_score(
            juror_id=person(score["juror"]),
            project_id=project_id(number_org[score["project"]], str(score["project"])),
            scores=score["scores"],
            meta=act(score["juror"], "juror", juror["organisation"], at),
        )
    collect()
    return forum, events, numbers


def interdepartmental_rules(jury: dict[str, Any]) -> JuryRules:
    """The rules declared before the day: weighted mean, no normalisation; ties broken criterion by criterion."""
    low, high = jury["scale"]
    return JuryRules(
        criteria=tuple(Criterion(c["key"], c["label"], c["weight"]) for c in jury["criteria"]),
        scale_min=low,
        scale_max=high,
        quorum=10,
        normalisation="none",
        tie_break=("criteria",),
    )


def deliberate_and_publish(forum: Forum, events: list[Any]) -> None:
    host = forum.host
    act = Actor(host)
    ranking = forum.compute_ranking(meta=act("dgs-somme", "host", host, paris("2019-11-28", 17, 30)))
    forum.open_deliberation(meta=act("dgs-somme", "host", host, paris("2019-11-28", 17, 35)))
    laureates, straddling = ranking.top(8)
    assert straddling == ()
    forum.designate_laureates(
        prize_key="laureats", project_ids=laureates, meta=act("dgs-somme", "host", host, paris("2019-11-28", 18))
    )
    forum.close_deliberation(meta=act("dgs-somme", "host", host, paris("2019-11-28", 18, 10)))
    forum.publish_palmares(meta=act("dgs-somme", "host", host, paris("2019-11-28", 18, 30)))
    events.extend(forum.collect_events())


def test_the_interdepartmental_forum_ends_with_the_published_palmares() -> None:
    data = load("forum-interdepartemental-2019.json")
    # given the whole day run through the aggregate: invitations, nominations, coaching, pitches, 180 scores
    forum, events, numbers = run_interdepartmental()
    # when the ranking is computed, the jury follows it and the palmarès is proclaimed
    deliberate_and_publish(forum, events)
    # then the palmarès lists exactly the eight published laureates, with their département
    [published] = [e for e in events if isinstance(e, Forum.PalmaresPublished)]
    prize = published.palmares.prize("laureats")
    assert [
        {"number": numbers[e.project_id], "organisation": e.organisation, "title": e.title} for e in prize.laureates
    ] == data["expected_palmares"]
    # and the jury followed its ranking (no departure, so no rationale was needed)
    [designated] = [e for e in events if isinstance(e, Forum.LaureatesDesignated)]
    assert designated.departs_from_ranking is False
    # and the 15 teams are the finalists
    assert len(published.palmares.finalists) == 15
    # and every event survives the store's msgspec encoding
    roundtrip(events)


def test_the_tie_between_projects_11_and_15_is_broken_by_the_declared_criteria_rule() -> None:
    forum, _, numbers = run_interdepartmental()
    ranking = forum.compute_ranking(meta=Actor("somme")("dgs-somme", "host", "somme", paris("2019-11-28", 17)))
    by_number = {numbers[r.project_id]: r for r in ranking.rows}
    # the raw weighted means are equal (117.5 / 48 each)…
    assert by_number[11].mean == by_number[15].mean
    # …and the declared rule reads the most-weighted criterion first: usagers 2.42 for 11, 2.33 for 15
    assert by_number[11].criteria_means["usagers"] > by_number[15].criteria_means["usagers"]
    assert (by_number[11].rank, by_number[15].rank) == (14, 15)
    assert not by_number[11].tied and not by_number[15].tied
    # every project was scored by the 12 jurors not from its own département (quorum 10)
    assert {r.scored_by for r in ranking.rows} == {12}
    # the method travels with the table
    [computed] = [e for e in forum.collect_events() if isinstance(e, Forum.RankingComputed)]
    assert computed.ranking.rules.tie_break == ("criteria",)
    assert computed.ranking.rules_version == 1


@pytest.mark.parametrize(
    ("normalisation", "tie_break", "seed"),
    [("none", ("criteria",), None), ("none", ("draw",), "amiens-2019"), ("z_score", (), None)],
)
def test_the_tie_sits_below_the_cut_so_every_declared_method_gives_the_same_eight(
    normalisation: str, tie_break: tuple[str, ...], seed: str | None
) -> None:
    data = load("forum-interdepartemental-2019.json")
    forum, _, numbers = run_interdepartmental()
    rules = JuryRules(
        criteria=forum.rules.criteria if forum.rules else (),
        scale_min=1,
        scale_max=5,
        quorum=10,
        normalisation=normalisation,
        tie_break=tie_break,
        draw_seed=seed,
    )
    candidates = [p.project_id for p in forum.active_nominations()]
    sure, straddling = rank(rules, 1, forum.counted_sheets(), candidates).top(8)
    assert straddling == ()
    assert sorted(numbers[p] for p in sure) == [p["number"] for p in data["expected_palmares"]]


# ---------------------------------------------------------------------------------------------------------------------
# Prix Impulsions 2019


def test_the_prix_impulsions_ends_with_the_published_palmares_including_the_prix_des_academies() -> None:
    data = load("impulsions-2019.json")
    edition = data["edition"]
    host = edition["host"]
    act = Actor(host)
    jury_day = data["national_jury"]["date"]
    ceremony = edition["ceremony"]["date"]

    # given the edition planned, from the national jury to the ceremony
    forum = Forum.plan(
        id=Forum.id_for(host, "prix-impulsions-2019"),
        host=host,
        title=edition["title"],
        kind="prize",
        starts_on=date.fromisoformat(jury_day),
        ends_on=date.fromisoformat(ceremony),
        place=edition["ceremony"]["place"],
        quota=edition["quota_per_organisation"],
        categories=edition["categories"],
        meta=act("sg-men", "host", host, paris("2019-02-15", 10)),
    )
    for organisation in edition["participants"]:
        forum.invite(organisation=organisation, meta=act("sg-men", "host", host, paris("2019-02-15", 11)))
        forum.accept_invitation(
            organisation=organisation, meta=act(f"sg-{organisation}", "organiser", organisation, paris("2019-02-20", 9))
        )
    forum.define_prize(
        prize=Prize(key="prix_national", label="Prix national", kind="main", laureates=2, ranked=True),
        meta=act("sg-men", "host", host, paris("2019-02-15", 12)),
    )
    forum.define_prize(
        prize=Prize(key="prix_des_academies", label="Prix des académies", kind="vote", laureates=1),
        meta=act("sg-men", "host", host, paris("2019-02-15", 12)),
    )
    # and each académie's local laureate nominated (quota 1)
    ids: dict[str, UUID] = {}
    for finalist in data["finalists"]:
        organisation = finalist["organisation"]
        ids[organisation] = project_id(organisation, "impulsions-2019")
        forum.nominate(
            project=ProjectSnapshot(
                project_id=ids[organisation],
                organisation=organisation,
                title=finalist["title"],
                category=finalist["category"],
            ),
            selected_locally=True,
            meta=act(f"sg-{organisation}", "organiser", organisation, paris("2019-10-21", 9)),
        )
    # and the national jury, one member per college, on the two stated criteria
    national = data["national_jury"]
    for i, college in enumerate(national["colleges"]):
        forum.appoint_juror(
            person_id=person(f"jury-national-{i}"),
            organisation=host,
            college=college,
            meta=act("sg-men", "host", host, paris("2019-10-25", 9)),
        )
    forum.set_jury_rules(
        rules=JuryRules(
            criteria=tuple(Criterion(c["key"], c["label"]) for c in national["criteria"]),
            scale_min=1,
            scale_max=5,
        ),
        meta=act("sg-men", "host", host, paris("2019-10-25", 9)),
    )

    # when the national jury deliberates on 8 November (no scores: it deliberated on the two criteria)
    forum.open_deliberation(meta=act("sg-men", "host", host, paris(jury_day, 14)))
    forum.designate_laureates(
        prize_key="prix_national",
        project_ids=[ids[lau["organisation"]] for lau in national["laureates"]],
        rationale="Délibération du jury national sur les deux critères du règlement.",
        meta=act("sg-men", "host", host, paris(jury_day, 17)),
    )
    forum.close_deliberation(meta=act("sg-men", "host", host, paris(jury_day, 17, 30)))

    # and the académies' secretaries-general vote online, one ballot each, never for their own académie
    academies = [o for o in edition["participants"] if o.startswith("ac-")]
    vote = data["prix_des_academies"]
    forum.organise_vote(
        prize_key="prix_des_academies",
        electorate=[Voter(person(f"sg-{a}"), a) for a in academies],
        opens_at=paris("2019-11-12", 9),
        closes_at=paris("2019-11-22", 18),
        allow_own_organisation=False,
        tie_break="draw",
        draw_seed="prix-impulsions-2019",
        meta=act("sg-men", "host", host, paris("2019-11-08", 18)),
    )
    for i, ballot in enumerate(vote["votes"]):
        forum.cast_vote(
            prize_key="prix_des_academies",
            voter_id=person(f"sg-{ballot['voter']}"),
            project_id=ids[ballot["for_organisation"]],
            meta=act(f"sg-{ballot['voter']}", "voter", ballot["voter"], paris("2019-11-13", 9 + i % 8)),
        )
    count = forum.count_votes(
        prize_key="prix_des_academies", meta=act("sg-men", "host", host, paris("2019-11-22", 18, 5))
    )
    assert (count.ballots, count.electorate) == (vote["voters_count"], len(academies))
    assert count.laureates == (ids[vote["winner"]["organisation"]],)

    # and the palmarès is proclaimed at the ceremony
    palmares = forum.publish_palmares(meta=act("sg-men", "host", host, paris(ceremony, 18)))

    # then it is exactly the published one
    expected = data["expected_palmares"]
    assert [
        {"organisation": e.organisation, "title": e.title} for e in palmares.prize("prix_national").laureates
    ] == expected["prix_national"]
    assert [
        {"organisation": e.organisation, "title": e.title} for e in palmares.prize("prix_des_academies").laureates
    ] == expected["prix_des_academies"]
    assert [
        {"organisation": e.organisation, "title": e.title, "category": e.category} for e in palmares.finalists
    ] == expected["laureats_academiques"]
    assert [e.rank for e in palmares.prize("prix_national").laureates] == [1, 2]
    assert palmares.prize("prix_des_academies").laureates[0].votes == 6
    roundtrip(forum.collect_events())
