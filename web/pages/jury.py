"""The jury's pages: the host appoints jurors and sets the rules, follows scoring, computes the ranking, breaks ties,
records the deliberation; a juror scores on a phone. The votes' pages are in ``web/pages/votes.py``.

The juror's scoring form posts like any form; ``web/static/scoring.js`` sends the same form with ``fetch`` (the
session cookie, the page's CSRF token, ``Accept: application/json``) and keeps what is unsent in ``localStorage``,
resending it with the same command id. The score handler answers such a request with JSON (the score saved, or a
problem+json naming the field), so the scoring page needs no bearer token and ``/api`` keeps its own rules.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.errors import NotFound
from domain.forum import PrizeKind
from domain.jury import NORMALISATION_LABELS, TIE_BREAK_LABELS, Criterion, JuryRules, Normalisation, TieBreak
from forum.forums import AUDITOR, HOST, JUROR
from forum.jury import (
    AmendRules,
    AppointJuror,
    BreakTie,
    CloseDeliberation,
    ComputeRanking,
    DeclareConflict,
    DesignateLaureates,
    OpenDeliberation,
    RecordScore,
    SetRules,
)
from projections import forums as views
from web.commands import FIELD_REFUSALS, command, command_id_of
from web.context import reader
from web.errors import wants_json
from web.pages.base import Form, Page
from web.pages.forums import (
    ForumPage,
    Sends,
    cents,
    done,
    forum_organisations,
    integer,
    key_from,
    open_for,
    open_forum,
    page,
    person_by_email,
    project_uuid,
    refusal,
    sends,
    settled,
    text,
)

NEW_CRITERIA_ROWS = 2
COLLEGES = ("Élu·e", "Direction générale", "Agent", "Personnalité extérieure")
SHEET_STATUS = {
    "to_score": "À noter",
    "scored": "Enregistré",
    "recused": "Récusé d'office",
    "conflict": "Conflit déclaré",
}


def rules_form(rules: dict[str, Any] | None) -> dict[str, Any]:
    """The rules form as it starts: the current rules, or a sensible first draft."""
    if rules is None:
        return {
            "criteria": [],
            "scale_min": 1,
            "scale_max": 5,
            "quorum": 1,
            "normalisation": Normalisation.NONE.value,
            "tie_break": [TieBreak.CRITERIA.value],
            "draw_seed": "",
            "precision": 6,
        }
    return {**rules, "draw_seed": rules.get("draw_seed") or ""}


def rules_of(form: dict[str, Any]) -> JuryRules:
    """The jury's rules from the form: criteria rows ``c{i}_label``/``c{i}_weight`` (``c{i}_key`` once they exist)."""
    indexes = sorted({int(k[1:].split("_", 1)[0]) for k in form if k.startswith("c") and k.endswith("_label")})
    criteria: list[Criterion] = []
    taken = {text(form, f"c{i}_key") for i in indexes if text(form, f"c{i}_key")}
    for i in indexes:
        label = text(form, f"c{i}_label").strip()
        if not label:
            continue
        key = text(form, f"c{i}_key") or key_from(label, taken, "critere")
        taken.add(key)
        criteria.append(Criterion(key, label, integer(form, f"c{i}_weight", "criteria", default=1)))
    tie_break = [rule for rule in (text(form, f"tie_break_{n}") for n in (1, 2, 3)) if rule]
    return JuryRules(
        criteria=tuple(criteria),
        scale_min=integer(form, "scale_min", "scale"),
        scale_max=integer(form, "scale_max", "scale"),
        quorum=integer(form, "quorum", default=1),
        normalisation=text(form, "normalisation") or Normalisation.NONE.value,
        tie_break=tuple(tie_break),
        draw_seed=text(form, "draw_seed").strip() or None,
        precision=integer(form, "precision", default=6),
    )


def submitted_rules(form: dict[str, Any]) -> dict[str, Any]:
    """The rules form as the host typed it, to show it again beside a refusal."""
    indexes = sorted({int(k[1:].split("_", 1)[0]) for k in form if k.startswith("c") and k.endswith("_label")})
    return {
        "criteria": [
            {"key": text(form, f"c{i}_key"), "label": text(form, f"c{i}_label"), "weight": text(form, f"c{i}_weight")}
            for i in indexes
            if text(form, f"c{i}_label").strip()
        ],
        **{n: text(form, n) for n in ("scale_min", "scale_max", "quorum", "normalisation", "draw_seed", "precision")},
        "tie_break": [text(form, f"tie_break_{n}") for n in (1, 2, 3)],
    }


def rules_fields(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"rules": rules_of(form)}


def amendment_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"rules": rules_of(form), "reason": text(form, "reason")}


def tie_break_of(form: Form, f: ForumPage) -> dict[str, Any]:
    return {"project_ids": ordered(form, "place_", "project_ids"), "rationale": text(form, "rationale")}


def titles_of(nominations: list[views.NominationView]) -> dict[str, views.NominationView]:
    return {str(n.project_id): n for n in nominations}


def ordered(form: dict[str, Any], prefix: str, field: str) -> list[UUID]:
    """Projects given a place (``{prefix}{project id}`` = 1, 2…), by place; those left empty are left out."""
    places: list[tuple[int, str, UUID]] = []
    for name in form:
        if name.startswith(prefix) and text(form, name).strip():
            project = project_uuid(name.removeprefix(prefix), field)
            places.append((integer(form, name, field), str(project), project))
    return [p for _, _, p in sorted(places)]


class JuryPages(Controller):
    """The jury's rules and jurors, scoring progress, ranking, deliberation; the jurors' pages."""

    include_in_schema = False
    path = "/forums/{host:str}/{forum:str}"

    # -- jurors and rules ----------------------------------------------------------------------------------------------

    @get("/jury")
    async def jury(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR, JUROR)
        return await self._jury(request, f)

    async def _jury(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        jury = await views.jury(reader(request), f.forum_id)
        names = {str(n.project_id): n.title for n in await views.nominations(reader(request), f.forum_id)}
        status = context.pop("status", 200)
        rules = context.pop("rules", None) or rules_form(jury.rules)
        return page(
            request,
            "jury.html",
            f,
            status=status,
            jury=jury,
            rules=rules,
            names=names,
            juror_names={j.person_id: j.name for j in jury.jurors},
            new_rows=NEW_CRITERIA_ROWS,
            colleges=COLLEGES,
            normalisations=NORMALISATION_LABELS,
            tie_breaks=TIE_BREAK_LABELS,
            **context,
        )

    @post("/jury/jures")
    async def appoint(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Page:
        f, form = await open_for(request, host, forum, AppointJuror)

        async def juror(form: Form, f: ForumPage) -> dict[str, Any]:
            # the juror by e-mail address, looked up in the read models (the forum's organisations first)
            person_id, organisation = await person_by_email(
                request, text(form, "email"), "email", forum_organisations(f)
            )
            return {"person_id": person_id, "organisation": organisation, "college": text(form, "college")}

        appointing = Sends(
            AppointJuror, then="/jury", notice="jure", again=JuryPages._jury, failed="juror", fields=juror
        )
        return await appointing.run(self, request, f, form)

    @post("/jury/regles")
    async def set_rules(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Page:
        """Declare the rules; once the first score is recorded, only as an amendment with its reason."""
        f, form = await open_for(request, host, forum, SetRules)
        locked = f.summary.rules_locked_at is not None

        async def again(
            controller: JuryPages, request: Request[Any, Any, Any], f: ForumPage, **refused: Any
        ) -> Template:
            return await controller._jury(request, f, rules=submitted_rules(form), **refused)

        if locked:
            amending = Sends(
                AmendRules, then="/jury", notice="amendement", again=again, failed="rules", fields=amendment_of
            )
            return await amending.run(self, request, f, form)
        setting = Sends(SetRules, then="/jury", notice="regles", again=again, failed="rules", fields=rules_fields)
        return await setting.run(self, request, f, form)

    # -- following the scoring -----------------------------------------------------------------------------------------

    @get("/suivi")
    async def progress(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR)
        progress = await views.scoring_progress(reader(request), f.forum_id)
        return page(request, "progress.html", f, progress=progress)

    # -- the ranking and its ties --------------------------------------------------------------------------------------

    @get("/classement")
    async def ranking(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR, JUROR)
        return await self._ranking(request, f)

    async def _ranking(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        view = await views.ranking(reader(request), f.forum_id)
        projects = titles_of(await views.nominations(reader(request), f.forum_id))
        ties: list[list[str]] = []
        if view is not None:
            groups: dict[int, list[str]] = {}
            for row in view.ranking["rows"]:
                if row["rank"] is not None and row["tied"]:
                    groups.setdefault(row["rank"], []).append(row["project_id"])
            ties = [groups[rank] for rank in sorted(groups)]
        rules = f.summary.rules or {}
        status = context.pop("status", 200)
        return page(
            request,
            "ranking.html",
            f,
            status=status,
            view=view,
            projects=projects,
            ties=ties,
            jury_vote=TieBreak.JURY_VOTE.value in rules.get("tie_break", []),
            normalisations=NORMALISATION_LABELS,
            tie_breaks=TIE_BREAK_LABELS,
            **context,
        )

    compute = sends(
        "/classement", ComputeRanking, then="/classement", notice="classement", again=_ranking, failed="compute"
    )

    break_tie = sends(
        "/classement/departage",
        BreakTie,
        fields=tie_break_of,
        then="/classement",
        notice="departage",
        again=_ranking,
        failed=lambda form: f"tie-{text(form, 'group')}",
    )

    # -- the deliberation ----------------------------------------------------------------------------------------------

    @get("/deliberation")
    async def deliberation(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]
    ) -> Template:
        f = await open_forum(request, host, forum, HOST, AUDITOR, JUROR)
        return await self._deliberation(request, f)

    async def _deliberation(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        db = reader(request)
        deliberation = await views.deliberation(db, f.forum_id)
        nominations = await views.nominations(db, f.forum_id, active_only=True)
        view = await views.ranking(db, f.forum_id)
        rank_of: dict[str, int] = {}
        if view is not None:
            rank_of = {r["project_id"]: r["rank"] for r in view.ranking["rows"] if r["rank"] is not None}
        designations = {d.prize_key: d for d in deliberation.designations}
        prizes = []
        for prize in f.summary.prizes:
            if prize.kind == PrizeKind.VOTE.value:
                continue
            candidates = [n for n in nominations if prize.category is None or n.category == prize.category]
            candidates.sort(key=lambda n: (rank_of.get(str(n.project_id), 10**6), n.sequence))
            designation = designations.get(prize.key)
            chosen: dict[str, dict[str, Any]] = {}
            if designation is not None:
                for place, award in enumerate(designation.awards, start=1):
                    chosen[award["project_id"]] = {"place": place, "amount_cents": award.get("amount_cents")}
            suggested = [str(n.project_id) for n in candidates if str(n.project_id) in rank_of][: prize.laureates]
            prizes.append(
                {
                    "prize": prize,
                    "candidates": candidates,
                    "designation": designation,
                    "chosen": chosen,
                    "suggested": suggested,
                }
            )
        status = context.pop("status", 200)
        return page(
            request,
            "deliberation.html",
            f,
            status=status,
            deliberation=deliberation,
            prizes=prizes,
            ranking=view,
            rank_of=rank_of,
            projects=titles_of(nominations),
            amounts=f.summary.budget_cents is not None,
            **context,
        )

    open_deliberation = sends(
        "/deliberation/ouverture",
        OpenDeliberation,
        then="/deliberation",
        notice="deliberation-ouverte",
        again=_deliberation,
        failed="open",
    )

    @post("/deliberation/prix/{prize_key:str}")
    async def designate(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], prize_key: FromPath[str]
    ) -> Page:
        f, form = await open_for(request, host, forum, DesignateLaureates)
        prize = next((p for p in f.summary.prizes if p.key == prize_key), None)

        def laureates(form: Form, f: ForumPage) -> dict[str, Any]:
            if prize is not None and prize.ranked:
                chosen = ordered(form, "place_", "project_ids")
            else:
                chosen = [project_uuid(v, "project_ids") for v in form.get("laureates[]", [])]
            amounts: dict[UUID, int] = {}
            for project in chosen:
                if text(form, f"amount_{project}").strip():
                    value = cents(form, f"amount_{project}", "amounts")
                    if value is not None:
                        amounts[project] = value
            return {"project_ids": chosen, "rationale": text(form, "rationale"), "amounts": amounts}

        designating = Sends(
            DesignateLaureates,
            then="/deliberation#prix-{prize_key}",
            notice="laureats",
            again=JuryPages._deliberation,
            failed="prize-{prize_key}",
            fields=laureates,
        )
        return await designating.run(self, request, f, form, prize_key=prize_key)

    close_deliberation = sends(
        "/deliberation/cloture",
        CloseDeliberation,
        then="/deliberation",
        notice="deliberation-close",
        again=_deliberation,
        failed="close",
    )

    # -- the juror's sheet ---------------------------------------------------------------------------------------------

    @get("/notation")
    async def sheet(self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str]) -> Template:
        f = await open_forum(request, host, forum, JUROR)
        return await self._sheet(request, f)

    async def _sheet(self, request: Request[Any, Any, Any], f: ForumPage, **context: Any) -> Template:
        sheet = await views.juror_sheet(reader(request), f.forum_id, f.actor.person_id)
        if sheet is None:
            raise NotFound("Vous n'êtes pas (encore) membre de ce jury.", rule="not_a_juror")
        status = context.pop("status", 200)
        return page(
            request,
            "sheet.html",
            f,
            status=status,
            sheet=sheet,
            status_labels=SHEET_STATUS,
            to_score=sum(1 for line in sheet.lines if line.status == "to_score"),
            **context,
        )

    @post("/notation/{project_id:uuid}")
    async def score(
        self, request: Request[Any, Any, Any], host: FromPath[str], forum: FromPath[str], project_id: FromPath[UUID]
    ) -> Template | Redirect | Response[Any]:
        """Record the juror's scores: a form post (then the sheet), or scoring.js's fetch (then JSON)."""
        f, form = await open_for(request, host, forum, RecordScore)
        criteria = [c["key"] for c in (f.summary.rules or {}).get("criteria", [])]
        as_json = wants_json(request)
        try:
            sent = RecordScore(
                command_id=command_id_of(form),
                project_id=project_id,
                scores={key: integer(form, f"score_{key}", f"scores.{key}") for key in criteria},
                comment=text(form, "comment"),
            )
            result = await sync_to_thread(command, request, sent, f.target)
        except FIELD_REFUSALS as error:
            if as_json:
                raise
            context = refusal(error, f"score-{project_id}", form)
            context["errors"] = {k.removeprefix("scores."): v for k, v in context["errors"].items()}
            return await self._sheet(request, f, **context)
        if as_json:
            await settled(request, patience=1.0)
            return Response({"saved": True, **msgspec.to_builtins(result)}, status_code=200, media_type=MediaType.JSON)
        return await done(request, f"{f.base}/notation#projet-{project_id}", "note")

    conflict = sends(
        "/notation/{project_id:uuid}/conflit",
        DeclareConflict,
        then="/notation#projet-{project_id}",
        notice="conflit",
        again=_sheet,
        failed="conflict-{project_id}",
    )
