"""The Prix Impulsions 2019, run end to end through the application's commands at its 2019 times: the académies'
local prizes, the national jury of 8 November, the vote of the académies and the ceremony of 28 November (command
ids under ``demo.i2019``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.forum import Forum, Prize
from domain.jury import Criterion, JuryRules
from forum import forums
from forum.application import ForumApplication
from forum.entrypoints.demo.editions import Edition, Loader, local_round, summary
from forum.entrypoints.demo.scenarios import (
    DEMO_PASSWORD,
    IMPULSIONS_2019,
    load_organisations,
    paris,
    scenario,
    scenario_time,
)
from forum.forums import SetPrize
from forum.jury import AppointJuror, CloseDeliberation, DesignateLaureates, OpenDeliberation, SetRules
from forum.people import People
from forum.votes import CastVote, CountVotes, OrganiseVote, VoterIn


def load_impulsions_2019(
    app: ForumApplication, people: People, *, password: str = DEMO_PASSWORD, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the Prix Impulsions 2019 end to end: local prizes, national jury, vote of the académies, ceremony."""
    data = data or scenario(IMPULSIONS_2019)
    spec = data["edition"]
    host, key = spec["host"], "prix-impulsions-2019"
    load_organisations(app, data)
    with scenario_time(app, paris("2019-02-15", 9)) as clock:
        loader = Loader(app, people, clock, "demo.i2019", password)
        edition = Edition(loader, host, Forum.id_for(host, key), {o["slug"]: o["name"] for o in data["organisations"]})
        # each académie's secretary-general organises its local prize (and votes for the prix des académies)
        for org in spec["participants"]:
            who = "Secrétaire général" if org.startswith("ac-") else "Organisateur"
            edition.organisers[org] = loader.person(f"sg-{org}", org, "organiser", f"{who} — {edition.names[org]}")

        loader.at(paris("2019-02-15", 10))
        edition.plan(
            key, title=spec["title"], kind="prize", starts_on=date.fromisoformat(data["national_jury"]["date"]),
            ends_on=date.fromisoformat(spec["ceremony"]["date"]), place=spec["ceremony"]["place"],
            quota=spec["quota_per_organisation"], categories=spec["categories"],
        )  # fmt: skip
        national = Prize("prix_national", "Prix national", "main", laureates=2, ranked=True)
        edition.as_host(SetPrize, ("prize", "national"), prize=national)
        academies = Prize("prix_des_academies", "Prix des académies", "vote", laureates=1)
        edition.as_host(SetPrize, ("prize", "academies"), prize=academies)
        edition.invite_all(spec["participants"], paris("2019-02-15", 11), paris("2019-02-20", 9))

        # March–May: each local prize; May–October: each local jury chooses its laureate
        finalists = {f["organisation"]: f for f in data["finalists"]}
        for local in data["local_calls"]:
            org = local["organisation"]
            author = loader.person(f"agent-{org}", org, "agent", f"Porteur du projet lauréat — {edition.names[org]}")
            finalist = finalists[org]
            [edition.projects[org]] = local_round(
                loader,
                organisation=org,
                organiser=edition.organisers[org],
                title=f"Prix Impulsions 2019 — {edition.names[org]}",
                opens=local["opens"],
                closes=local["closes"],
                categories=spec["categories"],
                entries=[{"title": finalist["title"], "category": finalist["category"], "team": [author]}],
                decided_at=paris("2019-10-15", 10),
            )
        # October: each local laureate is nominated (quota 1), in the booklet's order
        loader.at(paris("2019-10-21", 9))
        for f in data["finalists"]:
            edition.nominate(f["organisation"], f["organisation"])

        _impulsions_national_jury(edition, data)
        ballots = _impulsions_vote(edition, data)
        # the ceremony, 28 November: the palmarès is proclaimed
        loader.at(paris(spec["ceremony"]["date"], 18))
        edition.publish()
        return summary(loader, edition.forum_id, host, key=key, projects=len(edition.projects), ballots=ballots)


def _impulsions_national_jury(edition: Edition, data: dict[str, Any]) -> None:
    """One member per college, the two stated criteria; on 8 November the jury names its two laureates."""
    loader, national, host = edition.loader, data["national_jury"], edition.host
    loader.at(paris("2019-10-25", 9))
    for i, college in enumerate(national["colleges"]):
        member = loader.person(f"jury-national-{i + 1}", host, "agent", f"Membre du jury national, {college}")
        edition.as_host(AppointJuror, ("juror", i), person_id=member.person_id, organisation=host, college=college)
    criteria = tuple(Criterion(c["key"], c["label"]) for c in national["criteria"])
    edition.as_host(SetRules, "rules", rules=JuryRules(criteria=criteria, scale_min=1, scale_max=5))
    day = national["date"]
    loader.at(paris(day, 14))
    edition.as_host(OpenDeliberation, "deliberation-open")
    loader.at(paris(day, 17))
    edition.as_host(
        DesignateLaureates,
        "laureates",
        prize_key="prix_national",
        project_ids=[edition.projects[lau["organisation"]] for lau in national["laureates"]],
        rationale="Délibération du jury national sur les deux critères du règlement.",
    )
    loader.at(paris(day, 17, 30))
    edition.as_host(CloseDeliberation, "deliberation-close")


def _impulsions_vote(edition: Edition, data: dict[str, Any]) -> int:
    """The prix des académies: an online vote of the secretaries-general, never for their own académie."""
    loader = edition.loader
    academies = [o for o in data["edition"]["participants"] if o.startswith("ac-")]
    loader.at(paris(data["national_jury"]["date"], 18))
    edition.as_host(
        OrganiseVote,
        "vote",
        prize_key="prix_des_academies",
        electorate=[VoterIn(edition.organisers[a].person_id, a) for a in academies],
        opens_at=paris("2019-11-12", 9),
        closes_at=paris("2019-11-22", 18),
        allow_own_organisation=False,
        tie_break="draw",
        draw_seed="prix-impulsions-2019",
    )
    votes = data["prix_des_academies"]["votes"]
    for i, ballot in enumerate(votes):
        loader.at(paris("2019-11-13", 9 + i % 8, i))
        voter = loader.in_forum(edition.organisers[ballot["voter"]], edition.forum_id, forums.VOTER)
        edition.run(
            CastVote,
            voter,
            ("ballot", ballot["voter"]),
            prize_key="prix_des_academies",
            project_id=edition.projects[ballot["for_organisation"]],
        )
    loader.at(paris("2019-11-22", 18, 5))
    edition.as_host(CountVotes, "count", prize_key="prix_des_academies")
    return len(votes)
