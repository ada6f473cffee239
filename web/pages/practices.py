"""The practices' pages: the public practices with their lineage picture, and the forms other organisations'
organisers use to take one up. Every form goes through ``web.commands.submit``."""

from __future__ import annotations

from html import escape
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from domain.errors import NotFound
from domain.practice import REPORT_OUTCOME_LABELS
from forum.portfolio import OrganisationRef
from forum.practices import AdoptionRef, AdoptPractice, DeclareInterest, ReportAdoption
from projections import practices as practice_views
from projections.practices import Lineage, PracticeDetail
from web.commands import form_of
from web.context import actor_of, maybe_actor, reader
from web.pages.base import At, Form, On
from web.pages.portfolio import PROJECTIONS, is_organiser, page, text

REPORT_OPTIONS = [(key.value, label) for key, label in REPORT_OUTCOME_LABELS.items()]


# -- the lineage picture -------------------------------------------------------------------------------------------

BOX_W, BOX_H, COL_W, ROW_H, PAD = 220, 46, 260, 62, 12


def _clip(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def lineage_svg(lineage: Lineage, title: str, *, ids: str = "lignee") -> str:
    """The lineage as a picture: the publisher at the left, each adopter one column right of whom it adopted from.

    ``role="img"`` with a title and a description naming every link; the page lists the same as text.
    """
    rows = {n.organisation: i for i, n in enumerate(lineage.nodes)}
    depth = max((n.depth for n in lineage.nodes), default=0)
    width = PAD * 2 + depth * COL_W + BOX_W
    height = PAD * 2 + max(len(lineage.nodes), 1) * ROW_H - (ROW_H - BOX_H)
    described = "; ".join(
        f"{n.organisation_name} "
        + ("publie la pratique" if n.parent is None else f"({n.status_label}) depuis {_name(lineage, n.parent)}")
        for n in lineage.nodes
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ids}-titre {ids}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="lineage-svg">',
        f'<title id="{ids}-titre">Lignée de la pratique « {escape(title)} »</title>',
        f'<desc id="{ids}-desc">{escape(described)}</desc>',
        '<defs><marker id="' + ids + '-fleche" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1b1b1f"/></marker></defs>',
    ]
    for node in lineage.nodes:
        if node.parent is None or node.parent not in rows:
            continue
        parent = lineage.nodes[rows[node.parent]]
        x1 = PAD + parent.depth * COL_W + BOX_W // 2
        y1 = PAD + rows[node.parent] * ROW_H + BOX_H
        x2 = PAD + node.depth * COL_W
        y2 = PAD + rows[node.organisation] * ROW_H + BOX_H // 2
        parts.append(
            f'<path d="M {x1} {y1} V {y2} H {x2}" fill="none" stroke="#1b1b1f" stroke-width="1.5" '
            f'marker-end="url(#{ids}-fleche)"/>'
        )
    for i, node in enumerate(lineage.nodes):
        x, y = PAD + node.depth * COL_W, PAD + i * ROW_H
        publisher = node.parent is None
        dashed = ' stroke-dasharray="6 4"' if node.status == "interested" else ""
        fill = "#1d4e89" if publisher else ("#f3f4f7" if node.status != "adopted" else "#ffffff")
        ink = "#ffffff" if publisher else "#1b1b1f"
        status = "publie la pratique" if publisher else node.status_label
        parts.append(
            f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#1d4e89" '
            f'stroke-width="2"{dashed}/>'
            f'<text x="{x + 10}" y="{y + 19}" fill="{ink}" font-size="14" font-weight="700">'
            f"{escape(_clip(node.organisation_name))}</text>"
            f'<text x="{x + 10}" y="{y + 37}" fill="{ink}" font-size="13">{escape(status)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _name(lineage: Lineage, organisation: str) -> str:
    return next((n.organisation_name for n in lineage.nodes if n.organisation == organisation), organisation)


# -- pages -------------------------------------------------------------------------------------------------------------


def adoption_here(request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> AdoptionRef:
    """The adoption a page's URL names: the signed-in organisation's, of this practice."""
    return AdoptionRef(actor_of(request).organisation, practice_id)


ON_ADOPTION = On(adoption_here, PROJECTIONS, base=lambda adoption: f"/pratiques/{adoption.practice_id}")


class PracticePages(Controller):
    """The public practices, and the forms other organisations' organisers use to take them up."""

    include_in_schema = False

    @get("/pratiques")
    async def practices(
        self,
        request: Request[Any, Any, Any],
        *,
        q: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        organisation: FromQuery[str] = "",
        stage: FromQuery[str] = "",
    ) -> Template:
        found = await practice_views.search_practices(
            reader(request), q=q, theme=theme, organisation=organisation, stage=stage
        )
        facets = await practice_views.facets(reader(request))
        filters = {"q": q, "theme": theme, "organisation": organisation, "stage": stage}
        return page(request, "practices.html", practices=found, facets=facets, filters=filters)

    async def _practice_page(
        self, request: Request[Any, Any, Any], practice_id: UUID, *, status: int = 200, **context: Any
    ) -> Template:
        actor = maybe_actor(request)
        viewer = actor.organisation if actor else None
        detail = await practice_views.get_practice(reader(request), practice_id, viewer_organisation=viewer)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        mine = None
        if actor is not None and actor.organisation != detail.organisation:
            mine = next((n for n in detail.lineage.nodes if n.organisation == actor.organisation), None)
        return page(
            request,
            "practice.html",
            status=status,
            practice=detail,
            svg=Markup(lineage_svg(detail.lineage, detail.title)),  # noqa: S704 — built from escaped parts
            tree=_tree(detail),
            mine=mine,
            may_adopt=is_organiser(actor, actor.organisation) if actor else False,
            sources=[n for n in detail.lineage.nodes if n.status == "adopted" or n.parent is None],
            report_options=REPORT_OPTIONS,
            **context,
        )

    @get("/pratiques/{practice_id:uuid}")
    async def practice(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Template:
        return await self._practice_page(request, practice_id)

    @get("/pratiques/{practice_id:uuid}/lignee.svg")
    async def lineage_picture(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Response[str]:
        detail = await practice_views.get_practice(reader(request), practice_id)
        if detail is None:
            raise NotFound("Pratique introuvable.")
        return Response(lineage_svg(detail.lineage, detail.title), media_type="image/svg+xml")

    async def _refused(self, request: Request[Any, Any, Any], on: At, **refused: Any) -> Template:
        """The practice's page again (the one the URL names), with the refusal beside its form."""
        return await self._practice_page(request, request.path_params["practice_id"], **refused)

    @post("/pratiques/{practice_id:uuid}/interet")
    async def declare(self, request: Request[Any, Any, Any], practice_id: FromPath[UUID]) -> Template | Redirect:
        publisher = await practice_views.practice_publisher(reader(request), practice_id)
        if publisher is None:
            raise NotFound("Pratique introuvable.")

        def interest(form: Form, on: At) -> dict[str, Any]:
            return {
                "practice_id": practice_id,
                "practice_organisation": str(publisher),
                "adopted_from": text(form, "adopted_from") or None,
                "note": text(form, "note"),
                "adopt": text(form, "adopt") == "oui",
            }

        declaring = ON_ADOPTION.sending(
            DeclareInterest,
            fields=interest,
            then="",
            notice=lambda form: "adoptee" if text(form, "adopt") == "oui" else "interet",
            again=PracticePages._refused,
        )
        adoption = adoption_here(request, practice_id)
        on = At(OrganisationRef(adoption.organisation), ON_ADOPTION.base(adoption))
        return await declaring.run(self, request, on, await form_of(request))

    adopt = ON_ADOPTION.sends(
        "/pratiques/{practice_id:uuid}/adoption",
        AdoptPractice,
        fields=lambda form, on: {"note": text(form, "note")},
        then="",
        notice="adoptee",
        again=_refused,
    )
    report = ON_ADOPTION.sends(
        "/pratiques/{practice_id:uuid}/compte-rendu",
        ReportAdoption,
        fields=lambda form, on: {"outcome": text(form, "outcome"), "text": text(form, "text")},
        then="",
        notice="compte-rendu",
        again=_refused,
    )


def _tree(detail: PracticeDetail) -> list[dict[str, Any]]:
    """The lineage as nested items, for the text alternative."""

    def children(organisation: str) -> list[dict[str, Any]]:
        return [{"node": n, "children": children(n.organisation)} for n in detail.lineage.children(organisation)]

    return [{"node": n, "children": children(n.organisation)} for n in detail.lineage.nodes if n.parent is None]
