"""People: who I am, an organisation's members, invitations, roles and deactivation (organisers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from domain.errors import NotFound
from forum.access import PLATFORM
from projections.directory import get_organisation
from projections.people import ForumRole, Member, forum_roles_of, get_member, list_members
from web.context import actor_of, services_of

CommandId = Annotated[str, msgspec.Meta(description="Client-chosen id; sending it again is harmless.")]


class Me(msgspec.Struct):
    person_id: str
    organisation: str
    name: str
    email: str | None
    roles: list[str]
    forum_roles: list[ForumRole]


class Invite(msgspec.Struct, forbid_unknown_fields=True):
    """Invite a person: they receive by e-mail a single-use link (valid 7 days) to choose a password."""

    command_id: CommandId
    email: str
    name: Annotated[str, msgspec.Meta(description="1 to 200 characters")]
    role: Annotated[str, msgspec.Meta(description="organiser, agent or auditor (admin on the platform)")]


class ChangeRole(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId
    role: str


class Command(msgspec.Struct, forbid_unknown_fields=True):
    command_id: CommandId


class Invited(msgspec.Struct):
    person_id: str
    email: str
    status: str


class MemberState(msgspec.Struct):
    person_id: str
    role: str
    status: str


T = TypeVar("T")


def on_member(
    request: Request[Any, Any, Any], act: Callable[..., Any], slug: str, person_id: str, data: Command, *, out: type[T]
) -> T:
    """One of the organisers' commands on a member (``act``, a method of ``forum.people``), its answer as ``out``."""
    return msgspec.convert(act(actor_of(request), data.command_id, organisation=slug, person_id=person_id), out)


class MeApi(Controller):
    path = "/api/v1/me"
    tags = ["people"]

    @get("/", summary="Who the token acts for: person, organisation, roles, forum roles")
    async def me(self, request: Request[Any, Any, Any]) -> Me:
        actor = actor_of(request)
        reader = request.app.state.reader
        member = await get_member(reader, actor.organisation, actor.person_id)
        return Me(
            person_id=actor.person_id,
            organisation=actor.organisation,
            name=actor.name,
            email=member.email if member else None,
            roles=sorted(actor.roles),
            forum_roles=await forum_roles_of(reader, actor.person_id),
        )


class MembersApi(Controller):
    path = "/api/v1/organisations/{slug:str}/members"
    tags = ["people"]

    @get("/", summary="The organisation's people (its organisers and auditors)")
    async def list(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> list[Member]:
        services_of(request).people.may_read_members(actor_of(request), slug)
        reader = request.app.state.reader
        if slug != PLATFORM and await get_organisation(reader, slug) is None:
            raise NotFound(f"Organisation « {slug} » introuvable.")
        return await list_members(reader, slug)

    @get("/{person_id:str}", summary="One person of the organisation")
    async def show(self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str]) -> Member:
        services_of(request).people.may_read_members(actor_of(request), slug)
        member = await get_member(request.app.state.reader, slug, person_id)
        if member is None:
            raise NotFound("Personne introuvable.")
        return member

    @post("/", summary="Invite a person (organisers)", sync_to_thread=True, status_code=201)
    def invite(self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[Invite]) -> Invited:
        result = services_of(request).people.invite(
            actor_of(request), data.command_id, organisation=slug, email=data.email, name=data.name, role=data.role
        )
        return msgspec.convert(result, Invited)

    @put("/{person_id:str}/role", summary="Change a person's role (organisers)", sync_to_thread=True)
    def change_role(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str], data: JSONBody[ChangeRole]
    ) -> MemberState:
        result = services_of(request).people.change_role(
            actor_of(request), data.command_id, organisation=slug, person_id=person_id, role=data.role
        )
        return msgspec.convert(result, MemberState)

    @post(
        "/{person_id:str}/deactivation",
        summary="Deactivate a person: sessions and tokens stop at once",
        sync_to_thread=True,
        status_code=200,
    )
    def deactivate(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str], data: JSONBody[Command]
    ) -> MemberState:
        return on_member(request, services_of(request).people.deactivate, slug, person_id, data, out=MemberState)

    @post("/{person_id:str}/reactivation", summary="Reactivate a person", sync_to_thread=True, status_code=200)
    def reactivate(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str], data: JSONBody[Command]
    ) -> MemberState:
        return on_member(request, services_of(request).people.reactivate, slug, person_id, data, out=MemberState)

    @post(
        "/{person_id:str}/invitation",
        summary="Send a new invitation link (the previous one stops working)",
        sync_to_thread=True,
        status_code=200,
    )
    def renew_invitation(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str], data: JSONBody[Command]
    ) -> Invited:
        return on_member(request, services_of(request).people.renew_invitation, slug, person_id, data, out=Invited)
