"""The 2019 forum's sequel: its laureates in pre-incubation, a practice published and adopted.

Everything goes through the application's own commands, on the scenario's clock (December 2019 to autumn
2020), with command ids derived from the forum and the step, so a second run records nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec

from domain.forum import Forum
from domain.values import PARIS, Role
from forum.access import SYSTEM, Actor
from forum.application import ForumApplication
from forum.entrypoints.demo.scenarios import FORUM_2019, scenario, scenario_time
from forum.pipeline import Command, run
from forum.portfolio import OrganisationRef
from forum.practices import AdoptionRef, DeclareInterest, FigureIn, PublishNewPractice, ReportAdoption, SheetIn
from forum.pre_incubation import (
    AddMilestone,
    ChangeCommitments,
    ChangeStage,
    CompleteMilestone,
    ExtendDeadline,
    NoteProgress,
    PreIncubationRef,
    RaiseVigilance,
    RecordOutcome,
    StartPreIncubation,
)


class Laureate(NamedTuple):
    project_id: UUID
    organisation: str
    title: str


@dataclass(frozen=True)
class Step:
    """One command of a laureate's story: on ``day``, ``command`` (a ``forum.pre_incubation`` command) with
    ``fields``."""

    day: str
    command: type[Command[Any]]
    fields: dict[str, Any]


def _d(day: str) -> date:
    return date.fromisoformat(day)


def _m(due: str, title: str, done: str | None = None, *, planned: str = "2019-12-09") -> list[Step]:
    """A milestone planned on ``planned`` for ``due`` (and reached on ``done``)."""
    steps = [Step(planned, AddMilestone, {"title": title, "due": _d(due)})]
    return (
        steps if done is None else [*steps, Step(done, CompleteMilestone, {"title": title, "completed_on": _d(done)})]
    )


# Each 2019 laureate's months of pre-incubation, by its number in the scenario file (replayed in date order;
# a milestone is completed by its title).
STORIES: dict[int, list[Step]] = {
    1: [  # Nord: the right interlocutor in the social field — transferred
        *_m("2019-12-20", "Cartographie des interlocuteurs de l'action sociale", "2019-12-18"),
        Step("2020-01-06", ChangeStage, {"stage": "prototypage", "reason": "Cartographie validée"}),
        *_m("2020-02-14", "Annuaire en ligne testé par 20 usagers", "2020-02-10"),
        Step("2020-02-17", ChangeStage, {"stage": "acceleration", "reason": "Tests concluants"}),
        Step("2020-03-02", RecordOutcome, {"outcome": "transfere", "owner": "Direction de l'action sociale"}),
    ],
    4: [  # Oise: school canteens' communication with families — deployed, then shared as a practice
        *_m("2019-12-20", "Menus publiés chaque semaine pour les familles", "2019-12-19"),
        Step("2020-01-06", ChangeStage, {"stage": "prototypage", "reason": "Premiers menus en ligne"}),
        *_m("2020-01-31", "Inscription au repas la veille dans 5 collèges", "2020-01-30"),
        *_m("2020-02-28", "Pesée des restes dans les collèges pilotes", "2020-02-27"),
        Step("2020-02-03", ChangeStage, {"stage": "acceleration", "reason": "Cinq collèges pilotes"}),
        Step("2020-03-02", RecordOutcome, {"outcome": "deploye"}),
    ],
    7: [  # Pas-de-Calais: an immediate first answer at the front desk — suspended, its bearer gone
        *_m("2020-01-15", "Parcours d'accueil observé dans 3 maisons du département", "2020-01-14"),
        Step("2020-01-20", ChangeStage, {"stage": "prototypage", "reason": "Parcours observés"}),
        Step(
            "2020-02-10",
            RaiseVigilance,
            {
                "text": "La porteuse du projet a quitté ses fonctions : il faut un successeur ayant des compétences "
                "en accessibilité numérique."
            },
        ),
        *_m("2020-02-28", "Prototype du service numérique d'accueil"),
        Step("2020-03-17", ChangeStage, {"stage": "en_suspens", "reason": "Confinement : accueils fermés"}),
        Step("2020-03-20", ExtendDeadline, {"deadline": _d("2020-06-30"), "reason": "Crise sanitaire"}),
    ],
    9: [  # Pas-de-Calais: occupation of the public domain — stopped
        *_m("2020-01-10", "Recensement des demandes d'occupation du domaine public", "2020-01-09"),
        Step("2020-02-03", NoteProgress, {"text": "Une démarche nationale en ligne couvre déjà le besoin."}),
        Step("2020-02-10", RecordOutcome, {"outcome": "arrete", "reason": "Une solution nationale existe."}),
    ],
    10: [  # Somme: the "album de vie" of children in care — transferred
        *_m("2019-12-20", "Modèle d'album de vie partagé avec les assistants familiaux", "2019-12-20"),
        Step("2020-01-13", ChangeStage, {"stage": "prototypage", "reason": "Modèle adopté"}),
        *_m("2020-02-21", "Conservation numérique sécurisée des albums", "2020-02-20"),
        Step(
            "2020-03-02",
            RecordOutcome,
            {"outcome": "transfere", "owner": "Direction de l'enfance et de la famille"},
        ),
    ],
    12: [  # Somme: 48 canteens become school restaurants — still in prototypage, late
        *_m("2020-01-17", "Réseau des chefs de cuisine des 48 collèges", "2020-01-16"),
        Step("2020-01-20", ChangeStage, {"stage": "prototypage", "reason": "Réseau constitué"}),
        *_m("2020-02-28", "Carte commune de saison dans 10 restaurants scolaires"),
        Step(
            "2020-02-24",
            ChangeCommitments,
            {"hours_per_week": Decimal("10.5"), "budget_cents": 1_200_000, "reason": "Achat de matériel de cuisine"},
        ),
    ],
    13: [  # Val-d'Oise: school toilets — deployed
        *_m("2020-01-10", "Diagnostic des sanitaires de 10 collèges", "2020-01-10"),
        Step("2020-01-13", ChangeStage, {"stage": "prototypage", "reason": "Diagnostic posé"}),
        *_m("2020-02-14", "Rénovation pilote dans 2 collèges", "2020-02-28"),
        Step("2020-03-02", RecordOutcome, {"outcome": "deploye"}),
    ],
    14: [  # Val-d'Oise: childcare for job seekers — still exploring
        *_m("2020-01-31", "Enquête auprès de 200 familles en recherche d'emploi"),
        Step("2020-02-03", NoteProgress, {"text": "Partenariat en discussion avec Pôle emploi."}),
    ],
}

PRACTICE: dict[str, Any] = {
    "title": "Menus des cantines partagés avec les familles",
    "problem": "Les familles ignoraient les menus des cantines des collèges et inscrivaient leurs enfants sans "
    "prévenir : un tiers des repas préparés finissait à la poubelle.",
    "what_was_done": "Les menus sont publiés chaque semaine sur l'espace numérique des collèges ; les familles "
    "inscrivent leur enfant au repas la veille ; les restes sont pesés chaque jour.",
    "results": "Dans les cinq collèges pilotes, les restes ont baissé d'un tiers en trois mois ; les familles "
    "disent mieux connaître ce que mangent leurs enfants.",
    "figures": [
        {"label": "restes par repas", "value": "-35", "unit": "%"},
        {"label": "collèges pilotes", "value": "5", "unit": ""},
    ],
    "resources": "Un chef de cuisine à mi-temps pendant trois mois, une balance par collège, l'espace numérique "
    "de travail existant.",
    "contact_role": "cheffe de projet restauration scolaire, direction éducation-jeunesse",
    "reuse_conditions": "Modèles de menus et de formulaires sous licence ouverte Etalab 2.0.",
    "themes": ["restauration scolaire", "gaspillage alimentaire"],
    "stage": "acceleration",
}


def _scenario_numbers(data: dict[str, Any], laureates: Sequence[Laureate]) -> dict[UUID, int]:
    """Each laureate's number in the scenario file, matched by organisation and the start of its title."""
    numbers = {}
    for laureate in laureates:
        for p in data["projects"]:
            if p["organisation"] == laureate.organisation and p["title"][:60] == laureate.title[:60]:
                numbers[laureate.project_id] = p["number"]
    return numbers


def laureates_of(app: ForumApplication, forum_id: UUID, host: str) -> list[Laureate]:
    """The laureates of a forum's published palmarès (every prize), each once."""
    palmares = app.load(Forum, forum_id, host, what="Forum introuvable.").palmares
    if palmares is None:
        return []
    found = {
        e.project_id: Laureate(e.project_id, e.organisation, e.title) for p in palmares.prizes for e in p.laureates
    }
    return list(found.values())


def load_pre_incubation(
    app: ForumApplication,
    *,
    forum_id: UUID,
    host: str,
    laureates: Sequence[Laureate | tuple[UUID, str, str]] | None = None,
    organisers: Mapping[str, Actor] | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Take the 2019 forum's laureates into pre-incubation (milestones, stages, vigilance, outcomes), have Oise
    publish its canteen practice, Nord adopt it, Pas-de-Calais adopt it from Nord and Somme declare interest.

    ``laureates``: (project id, organisation, title) — by default read from the forum's published palmarès.
    ``organisers``: who acts for each organisation (by slug) — by default the platform's system actor.
    Returns a summary: pre-incubations started, outcomes recorded, the practice's id and its adopters.
    """
    data = data or scenario(FORUM_2019)
    winners = [Laureate(*item) for item in (laureates if laureates is not None else laureates_of(app, forum_id, host))]
    numbers = _scenario_numbers(data, winners)
    partner = data["forum"].get("pre_incubation", {}).get("support")
    prefix = f"demo.after.{str(forum_id)[:8]}"

    def actor(organisation: str) -> Actor:
        given = (organisers or {}).get(organisation)
        return given if given is not None and Role.ORGANISER in given.roles else SYSTEM

    started, outcomes = 0, 0
    with scenario_time(app, datetime(2019, 12, 2, 9, tzinfo=PARIS)) as clock:

        def at(day: str) -> None:
            clock.now = datetime.fromisoformat(day).replace(hour=10, tzinfo=PARIS)

        for laureate in winners:
            number = numbers.get(laureate.project_id)
            org, pid = laureate.organisation, laureate.project_id
            where = PreIncubationRef(org, pid)
            at("2019-12-02")
            start = StartPreIncubation(
                command_id=f"{prefix}.start.{pid}", project_id=pid, reason="laureat", forum_id=forum_id,
                forum_organisation=host, started_on=_d("2019-12-02"), sponsor="directeur général des services",
                hours_per_week=Decimal(7), budget_cents=500_000, partner=partner,
            )  # fmt: skip
            run(app, actor(org), start, OrganisationRef(org))
            started += 1
            milestones: dict[str, int] = {}
            story = sorted(enumerate(STORIES.get(number or 0, [])), key=lambda item: item[1].day)
            for i, step in story:
                at(step.day)
                fields = dict(step.fields)
                if step.command is CompleteMilestone:
                    fields["number"] = milestones[fields.pop("title")]
                result = run(app, actor(org), step.command(command_id=f"{prefix}.{pid}.{i}", **fields), where)
                if step.command is AddMilestone:
                    milestones[fields["title"]] = result.number
                outcomes += step.command is RecordOutcome

        practice_id = _share_canteens(app, actor, prefix, forum_id, winners, numbers, at)
    return {
        "pre_incubations": started,
        "outcomes": outcomes,
        "practice_id": str(practice_id) if practice_id else None,
        "adopters": ["nord", "pas-de-calais"] if practice_id else [],
    }


def _share_canteens(  # noqa: PLR0917 — the story's context, handed down from the one caller
    app: ForumApplication,
    actor: Callable[[str], Actor],
    prefix: str,
    forum_id: UUID,
    winners: Sequence[Laureate],
    numbers: Mapping[UUID, int],
    at: Callable[[str], None],
) -> UUID | None:
    """Oise publishes its canteen practice; Nord adopts it, Pas-de-Calais from Nord; Somme is interested."""
    canteens = next((w for w in winners if numbers.get(w.project_id) == 4), None)
    if canteens is None:
        return None
    practice_id = uuid5(NAMESPACE_URL, f"forum:demo:practice:{forum_id}:cantines")
    publisher = canteens.organisation
    at("2020-03-16")
    sheet = msgspec.convert(PRACTICE, SheetIn, strict=False)
    share = PublishNewPractice(
        command_id=f"{prefix}.practice", project_id=canteens.project_id, sheet=sheet, practice_id=practice_id
    )
    run(app, actor(publisher), share, OrganisationRef(publisher))
    takers: list[tuple[str, str, str | None, bool]] = [
        ("2020-04-06", "nord", None, True),
        ("2020-05-11", "somme", None, False),
        ("2020-09-14", "pas-de-calais", "nord", True),
    ]
    for day, org, source, adopt in takers:
        at(day)
        interest = DeclareInterest(
            command_id=f"{prefix}.interest.{org}", practice_id=practice_id, practice_organisation=publisher,
            adopted_from=source, adopt=adopt,
            note="Nos collèges connaissent le même gaspillage." if org == "somme" else "",
        )  # fmt: skip
        run(app, actor(org), interest, OrganisationRef(org))
    at("2020-10-05")
    report = ReportAdoption(
        command_id=f"{prefix}.report.nord", outcome="reussie",
        text="Menus publiés et inscription la veille dans 12 collèges ; restes en baisse.",
        figures=msgspec.convert(
            [{"label": "collèges", "value": "12"}, {"label": "restes par repas", "value": "-25", "unit": "%"}],
            list[FigureIn], strict=False,
        ),
    )  # fmt: skip
    run(app, actor("nord"), report, AdoptionRef("nord", practice_id))
    return practice_id
