"""Practices, the JSON API: an organisation's practices and its adoptions of others', and the public listing of
published practices under ``/api/v1/public/``.

Each command route is a path and one call: the body is the command of ``forum.practices``, carried out by
``forum.pipeline``; sending it again with its ``command_id`` returns the first answer.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from domain.errors import NotFound
from forum.portfolio import OrganisationRef, require_own_practices_reader
from forum.practices import (
    AbandonAdoption,
    AdoptionRef,
    AdoptionResult,
    AdoptPractice,
    AmendPractice,
    DeclareInterest,
    PracticeRef,
    PracticeResult,
    PublishPractice,
    ReportAdoption,
    SharePractice,
    WithdrawPractice,
)
from projections import portfolio as portfolio_views
from projections import practices as practice_views
from projections.portfolio import Funnel
from projections.practices import AdoptionEntry, Facets, Lineage, PracticeDetail, PracticeSummary
from web.api.portfolio import Organisation
from web.commands import command, targets
from web.context import actor_of, reader

Practice = FromPath[UUID]


async def publisher_of(request: Request[Any, Any, Any], practice_id: UUID, given: str | None) -> str:
    """The organisation publishing a practice, when the client did not name it (read in the read models)."""
    if given:
        return given
    publisher = await practice_views.practice_publisher(reader(request), practice_id)
    if publisher is None:
        raise NotFound("Pratique introuvable.")
    return str(publisher)


def practice_named(organisation: Organisation, practice_id: Practice) -> PracticeRef:
    """The organisation's practice the URL names: the target of its commands."""
    return PracticeRef(organisation, practice_id)


def adoption_named(organisation: Organisation, practice_id: Practice) -> AdoptionRef:
    """The organisation's adoption of the practice the URL names: the target of its commands."""
    return AdoptionRef(organisation, practice_id)


class PracticesApi(Controller):
    """An organisation's practices: drafted, published, amended and withdrawn by its organisers."""

    path = "/api/v1/organisations/{organisation:str}/practices"
    tags = ["practices"]
    dependencies = targets(practice_named)

    @get("/", summary="The organisation's practices, drafts included (organisers, auditors)")
    async def list_practices(
        self, request: Request[Any, Any, Any], organisation: Organisation
    ) -> list[PracticeSummary]:
        require_own_practices_reader(actor_of(request), organisation)
        return await practice_views.organisation_practices(reader(request), organisation)

    @post(
        "/",
        summary="Publish a practice drawn from a project, or draft it (organisers)",
        sync_to_thread=True,
        status_code=201,
    )
    def share(
        self, request: Request[Any, Any, Any], organisation: Organisation, data: JSONBody[SharePractice]
    ) -> PracticeResult:
        return command(request, data.command(), OrganisationRef(organisation))

    @get("/{practice_id:uuid}", summary="One of the organisation's practices, drafts included (organisers, auditors)")
    async def show(
        self, request: Request[Any, Any, Any], organisation: Organisation, practice_id: Practice
    ) -> PracticeDetail:
        require_own_practices_reader(actor_of(request), organisation)
        detail = await practice_views.get_practice(reader(request), practice_id, viewer_organisation=organisation)
        if detail is None or detail.organisation != organisation:
            raise NotFound("Pratique introuvable.")
        return detail

    @post(
        "/{practice_id:uuid}/publish",
        summary="Publish a draft (or a withdrawn practice) again",
        sync_to_thread=True,
        status_code=200,
    )
    def publish(
        self, request: Request[Any, Any, Any], target: PracticeRef, data: JSONBody[PublishPractice]
    ) -> PracticeResult:
        return command(request, data, target)

    @post(
        "/{practice_id:uuid}/amend",
        summary="Replace the published sheet (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def amend(
        self, request: Request[Any, Any, Any], target: PracticeRef, data: JSONBody[AmendPractice]
    ) -> PracticeResult:
        return command(request, data, target)

    @post(
        "/{practice_id:uuid}/withdraw",
        summary="Withdraw a published practice (organisers)",
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw(
        self, request: Request[Any, Any, Any], target: PracticeRef, data: JSONBody[WithdrawPractice]
    ) -> PracticeResult:
        return command(request, data, target)


class AdoptionsApi(Controller):
    """What an organisation takes up from others: interest, adoption, reports — in its own history."""

    path = "/api/v1/organisations/{organisation:str}/adoptions"
    tags = ["practices"]
    dependencies = targets(adoption_named)

    @get("/", summary="The organisation's adoptions (organisers, auditors)")
    async def list_adoptions(self, request: Request[Any, Any, Any], organisation: Organisation) -> list[AdoptionEntry]:
        require_own_practices_reader(actor_of(request), organisation)
        return await practice_views.organisation_adoptions(reader(request), organisation)

    @post("/", summary="Declare interest in another organisation's practice, and adopt it if asked", status_code=201)
    async def declare(
        self, request: Request[Any, Any, Any], organisation: Organisation, data: JSONBody[DeclareInterest]
    ) -> AdoptionResult:
        publisher = await publisher_of(request, data.practice_id, data.practice_organisation)
        sent = msgspec.structs.replace(data, practice_organisation=publisher)
        return await sync_to_thread(command, request, sent, OrganisationRef(organisation))

    @post(
        "/{practice_id:uuid}/adopt",
        summary="Adopt a practice you declared interest in",
        sync_to_thread=True,
        status_code=200,
    )
    def adopt(
        self, request: Request[Any, Any, Any], target: AdoptionRef, data: JSONBody[AdoptPractice]
    ) -> AdoptionResult:
        return command(request, data, target)

    @post("/{practice_id:uuid}/reports", summary="Report how the adoption goes", sync_to_thread=True, status_code=201)
    def report(
        self, request: Request[Any, Any, Any], target: AdoptionRef, data: JSONBody[ReportAdoption]
    ) -> AdoptionResult:
        return command(request, data, target)

    @post(
        "/{practice_id:uuid}/abandon",
        summary="Abandon the adoption, with a reason",
        sync_to_thread=True,
        status_code=200,
    )
    def abandon(
        self, request: Request[Any, Any, Any], target: AdoptionRef, data: JSONBody[AbandonAdoption]
    ) -> AdoptionResult:
        return command(request, data, target)


class PublicPracticesApi(Controller):
    """Published practices across every organisation, their lineage and their adopters' reports (public)."""

    path = "/api/v1/public"
    tags = ["public"]

    @get("/practices", summary="Published practices: French full-text search (any inflection, accents ignored)")
    async def search(
        self,
        request: Request[Any, Any, Any],
        *,
        q: Annotated[str | None, Parameter(description="words to find, e.g. cantine")] = None,
        theme: FromQuery[str | None] = None,
        organisation: FromQuery[str | None] = None,
        stage: FromQuery[str | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000_000)] = 0,
    ) -> list[PracticeSummary]:
        return await practice_views.search_practices(
            reader(request), q=q, theme=theme, organisation=organisation, stage=stage, limit=limit, offset=offset
        )

    @get("/practices/facets", summary="The themes, organisations and stages present among published practices")
    async def facets(self, request: Request[Any, Any, Any]) -> Facets:
        return await practice_views.facets(reader(request))

    @get("/practices/{practice_id:uuid}", summary="A published practice, its lineage and its adopters' reports")
    async def show(self, request: Request[Any, Any, Any], practice_id: Practice) -> PracticeDetail:
        detail = await practice_views.get_practice(reader(request), practice_id)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        return detail

    @get("/practices/{practice_id:uuid}/lineage", summary="Who adopted a published practice from whom")
    async def lineage(self, request: Request[Any, Any, Any], practice_id: Practice) -> Lineage:
        detail = await practice_views.get_practice(reader(request), practice_id)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        return detail.lineage

    @get("/forums/{forum_id:uuid}/funnel", summary="A forum's funnel, once its palmarès is published")
    async def funnel(self, request: Request[Any, Any, Any], forum_id: FromPath[UUID]) -> Funnel:
        funnel = await portfolio_views.funnel(reader(request), forum_id)
        if funnel is None or not funnel.published:
            raise NotFound("Forum introuvable.")
        return funnel
