"""Pages to run a forum or a prize edition: the host's list and set-up pages (edition, participants and quotas,
prizes and budget, nominations, palmarès) and the invited organisations' answer and nominations. The jury's pages
are in ``web/pages/jury.py``, the coaching's and the teams' in ``web/pages/coaching.py``, the stage's in
``web/pages/stage.py``, the votes' in ``web/pages/votes.py``. Every command goes through ``forum.forums``; every
list reads ``projections.forums``. No JavaScript is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.errors import Conflict, DomainError, Invalid, NotFound
from domain.forum import FORUM_KIND_LABELS, ForumKind, Prize, PrizeKind
from domain.jury import DELIBERATION_LABELS, check_key
from domain.palmares import PRIZE_KIND_LABELS
from domain.person import Person, check_email
from domain.values import PARIS, Role, parse_euros
from forum import forums, pipeline
from forum.access import Actor, require_role
from forum.forums import (
    AUDITOR,
    COACH,
    HOST,
    JUROR,
    MEMBER,
    PARTICIPANT,
    VOTER,
    AcceptForumInvitation,
    AmendEdition,
    DeclineForumInvitation,
    ForumRef,
    Invite,
    Nominate,
    PlanForum,
    PublishPalmares,
    SetBudget,
    SetOrganisationQuota,
    SetPrize,
    WithdrawNomination,
)
from forum.pipeline import Command
from projections import calls as call_views
from projections import forums as views
from projections.directory import list_organisations
from projections.palmares import slugify
from projections.people import get_member
from web import commands
from web.api.forums import forum_named, forum_standing
from web.commands import command_id_of, form_of, forum_ref
from web.context import actor_of, reader
from web.pages import base
from web.pages.base import Form, On, now

NOTICES = {
    "forum-cree": "Le forum est créé. Invitez les organisations participantes et définissez les prix.",
    "edition": "L'édition est modifiée.",
    "budget": "Le budget est enregistré.",
    "invitation": "L'invitation est envoyée.",
    "quota": "Le quota est enregistré.",
    "prix": "Le prix est enregistré.",
    "acceptee": "Votre organisation participe au forum : proposez ses projets sélectionnés.",
    "declinee": "Votre organisation a décliné l'invitation.",
    "proposition": "Le projet est proposé au forum.",
    "retrait": "La proposition est retirée.",
    "coach": "Le coach est nommé.",
    "creneau": "Le créneau de coaching est enregistré.",
    "rotation": "Les créneaux de coaching sont enregistrés.",
    "seance": "La séance de coaching est consignée.",
    "publie": "Le palmarès est publié : il est public dès maintenant.",
    "ordre": "L'ordre de passage est enregistré.",
    "pitch": "Le passage est consigné.",
    "absence": "L'absence de l'équipe est consignée.",
    "jure": "Le juré est nommé.",
    "regles": "Les règles du jury sont enregistrées.",
    "amendement": "L'amendement des règles est enregistré, avec son motif.",
    "classement": "Le classement est calculé et enregistré avec sa méthode.",
    "departage": "Le départage du jury est enregistré.",
    "deliberation-ouverte": "La délibération est ouverte.",
    "laureats": "Les lauréats sont enregistrés.",
    "deliberation-close": "La délibération est close : les notes ne changent plus.",
    "vote-organise": "Le vote est organisé.",
    "depouillement": "Le vote est dépouillé.",
    "vote": "Votre vote est enregistré.",
    "note": "Votre note est enregistrée.",
    "conflit": "Votre conflit d'intérêts est déclaré : vous ne notez pas ce projet.",
}
KIND_HINTS = {ForumKind.FORUM: "journée commune", ForumKind.PRIZE: "édition"}  # beside each label in the form
PRIZE_KIND_HINTS = {  # how the laureates are chosen, beside each label in the form
    PrizeKind.MAIN: "suivant le classement",
    PrizeKind.CATEGORY: "suivant le classement de la catégorie",
    PrizeKind.SPECIAL: "libre",
}
PARTICIPATION_LABELS = {"invited": "Invitation en attente", "accepted": "Participe", "declined": "A décliné"}
STANDING_LABELS = {
    HOST: "Hôte",
    PARTICIPANT: "Organisation invitée",
    JUROR: "Juré",
    COACH: "Coach",
    VOTER: "Votant",
    AUDITOR: "Auditeur",
}
FIELD_ALIASES = {"budget_cents": "budget", "amount_cents": "amount", "project": "project_id"}
PROJECTIONS = ("forums", "coaching", "stage", "jury", "votes", "palmares", "people")
FORUM = "/forums/{host:str}/{forum:str}"  # where a forum's pages are
LARGEST = 1_000_000_000  # any number typed beyond this is a typing error, refused before it overflows a date


# -- the forum a URL names, with the visitor's standing ----------------------------------------------------------------


@dataclass(frozen=True)
class ForumPage:
    """The forum a page is about, who is looking and how they stand in it."""

    forum_id: UUID
    actor: Actor
    held: frozenset[str]
    summary: views.ForumSummary
    request: Request[Any, Any, Any]

    @property
    def host(self) -> str:
        return self.summary.host

    @property
    def base(self) -> str:
        return f"/forums/{self.summary.host}/{self.forum_id}"

    @property
    def is_host(self) -> bool:
        return HOST in self.held

    def holds(self, *standings: str) -> bool:
        return bool(self.held & set(standings))

    def ref(self) -> dict[str, Any]:
        """The keyword arguments every ``forum.forums`` command takes to name the forum."""
        return {"host": self.summary.host, "forum_id": self.forum_id}

    @property
    def target(self) -> ForumRef:
        """The forum as ``forum.pipeline`` commands name it."""
        return ForumRef(self.summary.host, self.forum_id)


async def open_forum(request: Request[Any, Any, Any], host: str, forum: str, *allowed: str) -> ForumPage:
    """The forum and the visitor's standing: 404 without any, 403 without one of ``allowed`` (when given)."""
    actor = actor_of(request)
    forum_id, held, _ = await forum_standing(request, actor, host, forum)
    if allowed:
        forums.require_standing(held, *allowed)
    summary = await views.forum_summary(reader(request), forum_id)
    if summary is None:  # pragma: no cover — it was there a moment ago
        raise NotFound(forums.FORUM_NOT_FOUND, rule="not_found")
    return ForumPage(forum_id, actor, held, summary, request)


def sections(f: ForumPage) -> list[tuple[str, str]]:
    """The forum's pages the visitor may open, in the order of the day (path suffix, label)."""
    links: list[tuple[str, str]] = [("", "Programme")]
    if f.holds(HOST, AUDITOR):
        links += [("/edition", "Édition")] if f.is_host else []
        links += [
            ("/participants", "Participants"),
            ("/prix", "Prix et budget"),
            ("/propositions", "Projets proposés"),
            ("/coaching", "Coaching"),
            ("/ordre-de-passage", "Ordre de passage"),
            ("/scene", "Scène"),
            ("/jury", "Jury et critères"),
            ("/suivi", "Suivi de la notation"),
            ("/classement", "Classement"),
            ("/deliberation", "Délibération"),
            ("/votes", "Votes"),
            ("/palmares", "Palmarès"),
        ]
    else:
        if PARTICIPANT in f.held:
            links.append(("/propositions", "Nos propositions"))
        if COACH in f.held:
            links.append(("/coaching", "Mes équipes"))
        if MEMBER in f.held:
            links.append(("/ordre-de-passage", "Ordre de passage"))
        if JUROR in f.held:
            links += [("/jury", "Jury et critères"), ("/classement", "Classement"), ("/deliberation", "Délibération")]
            links.append(("/palmares", "Palmarès"))
    if JUROR in f.held:
        links.append(("/notation", "Noter les projets"))
    if VOTER in f.held:
        links.append(("/vote", "Voter"))
    return links


# -- rendering ---------------------------------------------------------------------------------------------------------


HELPERS: dict[str, Any] = {
    "kind_labels": FORUM_KIND_LABELS,
    "kind_choices": [(k.value, f"{label} ({KIND_HINTS[k]})") for k, label in FORUM_KIND_LABELS.items()],
    "prize_kind_labels": PRIZE_KIND_LABELS,
    "prize_kind_choices": [
        (k.value, f"{label} ({PRIZE_KIND_HINTS[k]})" if k in PRIZE_KIND_HINTS else label)
        for k, label in PRIZE_KIND_LABELS.items()
    ],
    "participation_labels": PARTICIPATION_LABELS,
    "deliberation_labels": DELIBERATION_LABELS,
    "standing_labels": STANDING_LABELS,
}


def page(
    request: Request[Any, Any, Any], template: str, f: ForumPage | None = None, *, status: int = 200, **context: Any
) -> Template:
    """A page of ``web/templates/forums/``; ``failed`` names the form a refusal is shown beside (with ``form``)."""
    context.setdefault("errors", {})
    context.setdefault("failed", None)
    context.setdefault("form", {})
    errors, failed, submitted = context["errors"], context["failed"], context["form"]

    def errs(name: str) -> dict[str, str]:
        """The refusal's field errors, for the form that was sent only."""
        return errors if failed == name else {}  # type: ignore[no-any-return]

    def val(name: str, field: str, default: Any = "") -> Any:
        """What the person typed in the form that was refused, else ``default``."""
        if failed == name and field in submitted:
            return submitted[field]
        return default

    context.update(HELPERS, errs=errs, val=val, f=f)
    if f is not None:
        context.setdefault("sections", sections(f))
        context.setdefault("current", request.url.path.removeprefix(f.base))
    return base.page(request, f"forums/{template}", NOTICES, status=status, **context)


def refusal(error: DomainError, failed: str, form: dict[str, Any] | None = None) -> dict[str, Any]:
    """What shows a refusal beside the form that was sent (``web.commands.refusal`` with this module's field names)."""
    return commands.refusal(error, failed, form, FIELD_ALIASES)


async def settled(request: Request[Any, Any, Any], patience: float = 3.0) -> None:
    """Wait (briefly) until the forum's read models show what was just written."""
    await commands.settled(request, PROJECTIONS, patience)


async def done(request: Request[Any, Any, Any], target: str, notice: str) -> Redirect:
    return await commands.done(request, target, notice, PROJECTIONS)


async def opened(request: Request[Any, Any, Any], ref: ForumRef, kind: type[Command[Any]]) -> ForumPage:
    """The forum, opened for those the registered handler of ``kind`` lets act (404 without any standing, 403
    without one of these, before the form is read)."""
    handler = pipeline.handler_of(kind)
    scope, roles = handler.scope, handler.roles
    allowed = scope.standings(actor_of(request), roles) if isinstance(scope, forums.OnForum) else roles
    return await open_forum(request, ref.host, str(ref.forum_id), *allowed)


async def open_for(
    request: Request[Any, Any, Any], host: str, forum: str, kind: type[Command[Any]]
) -> tuple[ForumPage, Form]:
    """The forum opened for ``kind`` (``opened``), and the form sent."""
    f = await opened(request, forum_ref(host, forum), kind)
    return f, await form_of(request)


ON_FORUM_PAGE = On(forum_named, PROJECTIONS, opens=opened, aliases=FIELD_ALIASES)  # a forum page's commands
sends = ON_FORUM_PAGE.sends  # a POST route under ``/forums/{host}/{forum}`` running one command on the forum
Sends = ON_FORUM_PAGE.sending  # how a handler that looks someone up first (or chooses the command) runs it


# -- reading what people typed -----------------------------------------------------------------------------------------


def text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else "\n".join(value)


def checked(form: dict[str, Any], name: str) -> bool:
    return text(form, name) in ("on", "oui", "1", "true")


def many(form: dict[str, Any], name: str) -> list[str]:
    """A repeated field (checkboxes): every value, in order."""
    value = form.get(name, [])
    return [value] if isinstance(value, str) and value else [v for v in value if v]


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def integer(form: dict[str, Any], name: str, field: str | None = None, default: int | None = None) -> int:
    value = text(form, name).strip()
    if not value and default is not None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise Invalid("Indiquez un nombre entier.", field=field or name, rule="invalid_number") from None
    if abs(number) > LARGEST:
        raise Invalid(f"Ce nombre est trop grand ({value}).", field=field or name, rule="invalid_number")
    return number


def optional_integer(form: dict[str, Any], name: str, field: str | None = None) -> int | None:
    return integer(form, name, field) if text(form, name).strip() else None


def cents(form: dict[str, Any], name: str, field: str | None = None) -> int | None:
    """An amount typed in euros (« 1 500 », « 1500,50 ») as cents (``domain.values.parse_euros``); None when empty."""
    typed = text(form, name)
    return parse_euros(typed, field or name) if typed.strip() else None


def day(form: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(text(form, name).strip())
    except ValueError:
        raise Invalid("Indiquez une date (AAAA-MM-JJ).", field=name, rule="invalid_date") from None


def optional_day(form: dict[str, Any], name: str) -> date | None:
    return day(form, name) if text(form, name).strip() else None


def moment(form: dict[str, Any], prefix: str, field: str) -> datetime:
    """A day and an hour typed as people read them in Paris (``{prefix}_date`` and ``{prefix}_time``)."""
    typed_day, typed_hour = text(form, f"{prefix}_date").strip(), text(form, f"{prefix}_time").strip() or "00:00"
    try:
        return datetime.combine(date.fromisoformat(typed_day), clock_time.fromisoformat(typed_hour), tzinfo=PARIS)
    except ValueError:
        raise Invalid(
            "Indiquez une date (AAAA-MM-JJ) et une heure (HH:MM), heure de Paris.", field=field, rule="invalid_date"
        ) from None


def project_uuid(value: str, field: str = "project_id") -> UUID:
    try:
        return UUID(value.strip())
    except ValueError:
        raise Invalid("Choisissez un projet.", field=field, rule="invalid_project") from None


def key_from(label: str, taken: set[str], fallback: str) -> str:
    """A key for a prize or a criterion from its label: « Coup de cœur » → ``coup_de_coeur``."""
    base = slugify(label, max_length=36).replace("-", "_") or fallback
    if not base[0].isalpha():
        base = f"{fallback}_{base}"[:36]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


async def person_by_email(request: Request[Any, Any, Any], email: str, field: str, first: list[str]) -> tuple[str, str]:
    """The person with this address (their id and organisation), looked for in ``first`` then every organisation."""
    address = check_email(email, field)
    person_id = str(Person.id_for(address))
    everyone = [o.slug for o in await list_organisations(reader(request))]
    for organisation in dict.fromkeys([*first, *everyone]):
        found = await get_member(reader(request), organisation, person_id)
        if found is not None:
            if found.status == "deactivated":
                raise Conflict(f"Le compte de {found.name} ({address}) est désactivé.", field=field, rule="deactivated")
            return person_id, organisation
    raise Invalid(f"Aucun compte n'a l'adresse {address}.", field=field, rule="person_not_found")


def forum_organisations(f: ForumPage) -> list[str]:
    return [f.host, *(p.organisation for p in f.summary.participants)]


# -- the host's pages --------------------------------------------------------------------------------------------------


def edition_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "place": text(form, "place"),
        "starts_on": day(form, "starts_on"),
        "ends_on": optional_day(form, "ends_on"),
    }


def budget_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"budget_cents": cents(form, "budget", "budget_cents")}


def invitation_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"organisation": text(form, "organisation").strip(), "quota": optional_integer(form, "quota")}


def quota_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"quota": integer(form, "quota")}


def prize_of(form: Form, f: ForumPage) -> dict[str, Any]:
    """The prize the form defines (its key from its label when none is typed)."""
    label = text(form, "label")
    key = text(form, "key").strip() or key_from(label, {p.key for p in f.summary.prizes}, "prix")
    check_key(key, "key")
    prize = Prize(
        key=key,
        label=label,
        kind=text(form, "kind"),
        laureates=integer(form, "laureates", default=1),
        category=text(form, "category").strip() or None,
        amount_cents=cents(form, "amount", "amount_cents"),
        ranked=checked(form, "ranked"),
    )
    return {"prize": prize}


def nomination_of(form: Form, f: ForumPage) -> dict[str, Any]:
    """The project chosen, named ``<its store>/<its id>``."""
    store, _, project = text(form, "project_id").partition("/")
    if not project:
        raise Invalid("Choisissez un projet sélectionné par votre organisation.", field="project_id")
    return {"project_id": project_uuid(project), "project_organisation": store}


def new_forum_form() -> dict[str, Any]:
    return {
        "title": "",
        "key": "",
        "kind": ForumKind.FORUM.value,
        "starts_on": "",
        "ends_on": "",
        "place": "",
        "quota": "3",
        "categories": "",
        "budget": "",
    }


class ForumListPages(Controller):
    """Forums: the list and a new edition."""

    include_in_schema = False

    @get("/forums")
    async def list_forums(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        found = await views.list_forums(
            reader(request),
            organisation=actor.organisation,
            forum_ids={forum for forum, _ in actor.forum_roles},
            everything=actor.is_admin,
        )
        may_plan = not actor.is_admin and Role.ORGANISER in actor.roles
        return page(request, "list.html", forums=found, may_plan=may_plan)

    @get("/organisations/{slug:str}/forums/nouveau")
    async def new(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        require_role(actor_of(request), slug, Role.ORGANISER)
        return page(request, "new.html", organisation=slug, form=new_forum_form(), failed="new")

    @post("/organisations/{slug:str}/forums")
    async def plan(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template | Redirect:
        require_role(actor_of(request), slug, Role.ORGANISER)
        form = await form_of(request)

        def planned() -> PlanForum:
            title = text(form, "title")
            starts_on = day(form, "starts_on")
            return PlanForum(
                command_id=command_id_of(form),
                key=text(form, "key").strip() or slugify(f"{title} {starts_on.year}", max_length=60),
                title=title,
                kind=text(form, "kind"),
                starts_on=starts_on,
                ends_on=optional_day(form, "ends_on"),
                place=text(form, "place"),
                quota=integer(form, "quota"),
                categories=lines(text(form, "categories")),
                budget_cents=cents(form, "budget", "budget_cents"),
            )

        async def again(refused: dict[str, Any]) -> Template:
            return page(request, "new.html", organisation=slug, **refused)

        return await commands.submit(
            request,
            planned,
            slug,
            then=lambda state: f"/forums/{slug}/{state.id}",
            notice="forum-cree",
            again=again,
            failed="new",
            form=form,
            aliases=FIELD_ALIASES,
            projections=PROJECTIONS,
        )


class ForumSetupPages(Controller):
    """A forum's programme and its host's set-up pages; the invited organisations' answer and nominations."""

    include_in_schema = False
    path = FORUM

    @get("/")
    async def show(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum)
        return page(request, "show.html", f, **await self._programme(request, f))

    async def _programme(self, request: Request[Any, Any, Any], f: ForumPage) -> dict[str, Any]:
        """What the programme page shows the visitor: their organisation's invitation, their team's day."""
        db = reader(request)
        own = next((p for p in f.summary.participants if p.organisation == f.actor.organisation), None)
        order = await views.running_order(db, f.forum_id)
        coaching = await views.coaching_rota(db, f.forum_id)
        mine = await views.projects_of_person(db, f.forum_id, f.actor.person_id)
        nominated = {n.project_id: n for n in await views.nominations(db, f.forum_id, active_only=True)}
        teams = [
            {
                "project": nominated[p],
                "slot": next((s for s in order if s.project_id == p), None),
                "coaching": next((c for c in coaching if c.project_id == p), None),
            }
            for p in mine
            if p in nominated
        ]
        progress = None
        if f.holds(HOST, AUDITOR):
            progress = {
                "nominated": len(nominated),
                "jurors": len((await views.jury(db, f.forum_id)).jurors),
                "slots": len(order),
                "pitched": sum(1 for s in order if s.outcome != "pending"),
            }
        return {"own": own, "teams": teams, "progress": progress, "order": order}

    # -- the edition and its budget ---------------------------------------------------------------------------------

    @get("/edition")
    async def edition_form(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template:
        f = await open_forum(request, host, forum, HOST)
        return await self._edition(request, f)

    async def _edition(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        return page(request, "edition.html", f, **context)

    amend = sends(
        "/edition", AmendEdition, fields=edition_of, then="", notice="edition", again=_edition, failed="edition"
    )

    # -- participants --------------------------------------------------------------------------------------------------

    @get("/participants")
    async def participants(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR)
        return await self._participants(request, f)

    async def _participants(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        taken = {p.organisation for p in f.summary.participants if p.status != "declined"}
        organisations = [o for o in await list_organisations(reader(request)) if o.slug not in taken]
        status = context.pop("status", 200)
        return page(request, "participants.html", f, status=status, organisations=organisations, **context)

    invite = sends(
        "/participants",
        Invite,
        fields=invitation_of,
        then="/participants",
        notice="invitation",
        again=_participants,
        failed="invite",
    )

    quota = sends(
        "/participants/{organisation:str}/quota",
        SetOrganisationQuota,
        fields=quota_of,
        then="/participants",
        notice="quota",
        again=_participants,
        failed="quota-{organisation}",
    )

    # -- an invited organisation's answer ------------------------------------------------------------------------------

    async def _answer_refused(self, request: Request[Any, Any, Any], f: ForumPage, **refused: Any) -> Template:
        """The programme, with the refusal of the organisation's answer beside its form."""
        return page(request, "show.html", f, **await self._programme(request, f), **refused)

    accept = sends(
        "/invitation/{organisation:str}/acceptation",
        AcceptForumInvitation,
        then="/propositions",
        notice="acceptee",
        again=_answer_refused,
        failed="accept",
    )
    decline = sends(
        "/invitation/{organisation:str}/refus",
        DeclineForumInvitation,
        then="",
        notice="declinee",
        again=_answer_refused,
        failed="decline",
    )

    # -- prizes --------------------------------------------------------------------------------------------------------

    @get("/prix")
    async def prizes(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR)
        return await self._prizes(request, f)

    async def _prizes(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        editing = next((p for p in f.summary.prizes if p.key == request.query_params.get("cle")), None)
        designated = {d.prize_key for d in (await views.deliberation(reader(request), f.forum_id)).designations}
        status = context.pop("status", 200)
        return page(request, "prizes.html", f, status=status, editing=editing, designated=designated, **context)

    define_prize = sends("/prix", SetPrize, fields=prize_of, then="/prix", notice="prix", again=_prizes, failed="prize")
    budget = sends(
        "/budget", SetBudget, fields=budget_of, then="/prix", notice="budget", again=_prizes, failed="budget"
    )

    # -- nominations ---------------------------------------------------------------------------------------------------

    @get("/propositions")
    async def nominations(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR, PARTICIPANT, JUROR, COACH)
        return await self._nominations(request, f)

    async def _nominations(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        db = reader(request)
        everything = f.holds(HOST, AUDITOR, JUROR, COACH)
        listed = await views.nominations(db, f.forum_id, organisation=None if everything else f.actor.organisation)
        own = next((p for p in f.summary.participants if p.organisation == f.actor.organisation), None)
        selectable: list[call_views.Submission] = []
        if PARTICIPANT in f.held and own is not None and own.status == "accepted":
            active = {n.project_id for n in listed if n.withdrawn_at is None}
            for call in await call_views.list_calls(db, f.actor.organisation, now(request)):
                for s in await call_views.list_submissions(db, call.id, status="selected"):
                    if s.id not in active:
                        selectable.append(s)
        status = context.pop("status", 200)
        return page(
            request,
            "nominations.html",
            f,
            status=status,
            nominations=listed,
            own=own,
            selectable=selectable,
            open_for_nominations=f.summary.deliberation == "not_opened"
            and now(request).astimezone(PARIS).date() < f.summary.starts_on,
            **context,
        )

    nominate = sends(
        "/propositions",
        Nominate,
        fields=nomination_of,
        then="/propositions",
        notice="proposition",
        again=_nominations,
        failed="nominate",
        through=forums.nominate,
    )

    withdraw = sends(
        "/propositions/{project_id:uuid}/retrait",
        WithdrawNomination,
        then="/propositions",
        notice="retrait",
        again=_nominations,
        failed="withdraw-{project_id}",
        through=forums.withdraw,
    )

    # -- the palmarès: preview and publication -------------------------------------------------------------------------

    @get("/palmares")
    async def palmares(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR, JUROR)
        return await self._palmares(request, f)

    async def _palmares(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        votes = await views.votes(reader(request), f.forum_id)
        vote_prizes = [p for p in f.summary.prizes if p.kind == PrizeKind.VOTE.value]
        counted = {v.prize_key for v in votes if v.count is not None}
        missing = [p.label for p in vote_prizes if p.key not in counted]
        status = context.pop("status", 200)
        return page(request, "palmares.html", f, status=status, missing_votes=missing, **context)

    publish = sends(
        "/palmares/publication",
        PublishPalmares,
        then="/palmares",
        notice="publie",
        again=_palmares,
        failed="publish",
        through=forums.publish,
    )


ForumPages = Router("/", route_handlers=[ForumListPages, ForumSetupPages])  # the pages that run a forum
