"""The jury's JSON API: rules, jurors' sheets and scores, conflicts, the ranking and the deliberation.

Each command route is a path and one call: the body is the command of ``forum.jury`` (with what the URL names),
carried out by ``forum.pipeline``. Reads come from the read models, with the same standings as the commands.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from domain.errors import NotFound
from forum.forums import AUDITOR, HOST, JUROR, ForumRef, ForumState
from forum.jury import (
    AmendRules,
    BreakTie,
    CloseDeliberation,
    ComputeRanking,
    ConflictDeclared,
    DeclareConflict,
    Designate,
    DesignateLaureates,
    LaureatesDesignated,
    OpenDeliberation,
    RankingComputed,
    RecordScore,
    RulesSaved,
    Score,
    ScoreSaved,
    SetRules,
    TieBroken,
)
from projections import forums as views
from projections.forums import Deliberation, JurorSheet, RankingView, ScoringProgress
from web.api.forums import ON_FORUM_URL, ForumPath, HostPath, require
from web.commands import command, with_path
from web.context import reader


class JuryApi(Controller):
    """A forum's jury: its rules (host), the jurors' sheets and scores, the ranking and the deliberation."""

    path = "/api/v1/forums"
    tags = ["jury"]
    dependencies = ON_FORUM_URL

    @put(
        "/{host:str}/{forum:str}/jury/rules",
        summary="Declare criteria, weights, scale, quorum and ranking method; refused once scoring began (host)",
        sync_to_thread=True,
    )
    def set_rules(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[SetRules]) -> RulesSaved:
        return command(request, data, target)

    @post(
        "/{host:str}/{forum:str}/jury/rules/amendments",
        summary="Amend the rules after scoring began, with a reason (host): a new, visible version",
        sync_to_thread=True,
        status_code=201,
    )
    def amend_rules(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[AmendRules]) -> RulesSaved:
        return command(request, data, target)

    @get("/{host:str}/{forum:str}/progress", summary="Scores expected and recorded, per project and juror (host)")
    async def progress(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> ScoringProgress:
        forum_id, _, _ = await require(request, host, forum, HOST, AUDITOR)
        return await views.scoring_progress(reader(request), forum_id)

    @get(
        "/{host:str}/{forum:str}/my-scores",
        summary="The juror's sheet: projects to score (own organisation's recused) and the scores saved (a juror)",
    )
    async def my_scores(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> JurorSheet:
        forum_id, actor, _ = await require(request, host, forum, JUROR)
        sheet = await views.juror_sheet(reader(request), forum_id, actor.person_id)
        if sheet is None:
            raise NotFound("Vous n'êtes pas (encore) membre de ce jury.", rule="not_a_juror")
        return sheet

    @put(
        "/{host:str}/{forum:str}/scores/{project_id:uuid}",
        summary="Score (or revise) a project on every criterion (a juror); resend with the same command id",
        sync_to_thread=True,
    )
    def score(
        self, request: Request[Any, Any, Any], target: ForumRef, project_id: FromPath[UUID], data: JSONBody[Score]
    ) -> ScoreSaved:
        return command(request, with_path(data, RecordScore, project_id=project_id), target)

    @post(
        "/{host:str}/{forum:str}/conflicts",
        summary="Declare a conflict of interest on a project (a juror)",
        sync_to_thread=True,
        status_code=201,
    )
    def conflict(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[DeclareConflict]
    ) -> ConflictDeclared:
        return command(request, data, target)

    @get(
        "/{host:str}/{forum:str}/ranking",
        summary="The last ranking recorded, with its method and whether scores changed since (host, jury, auditors)",
    )
    async def ranking(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> RankingView:
        forum_id, _, _ = await require(request, host, forum, HOST, JUROR, AUDITOR)
        view = await views.ranking(reader(request), forum_id)
        if view is None:
            raise NotFound("Aucun classement n'est encore calculé.", rule="no_ranking")
        return view

    @post(
        "/{host:str}/{forum:str}/ranking",
        summary="Compute and record the ranking from the scores (host)",
        sync_to_thread=True,
        status_code=201,
    )
    def compute_ranking(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[ComputeRanking]
    ) -> RankingComputed:
        return command(request, data, target)

    @post(
        "/{host:str}/{forum:str}/ties",
        summary="Record the jury's order among tied projects (host)",
        sync_to_thread=True,
        status_code=201,
    )
    def break_tie(self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[BreakTie]) -> TieBroken:
        return command(request, data, target)

    @get("/{host:str}/{forum:str}/deliberation", summary="The deliberation: laureates designated per prize, ties")
    async def deliberation(self, request: Request[Any, Any, Any], host: HostPath, forum: ForumPath) -> Deliberation:
        forum_id, _, _ = await require(request, host, forum, HOST, JUROR, AUDITOR)
        return await views.deliberation(reader(request), forum_id)

    @post(
        "/{host:str}/{forum:str}/deliberation/open",
        summary="Open the deliberation (host)",
        sync_to_thread=True,
        status_code=200,
    )
    def open_deliberation(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[OpenDeliberation]
    ) -> ForumState:
        return command(request, data, target)

    @put(
        "/{host:str}/{forum:str}/deliberation/{prize_key:str}",
        summary="Designate a prize's laureates; departing from the ranking needs a rationale (host)",
        sync_to_thread=True,
    )
    def designate(
        self, request: Request[Any, Any, Any], target: ForumRef, prize_key: FromPath[str], data: JSONBody[Designate]
    ) -> LaureatesDesignated:
        return command(request, with_path(data, DesignateLaureates, prize_key=prize_key), target)

    @post(
        "/{host:str}/{forum:str}/deliberation/close",
        summary="Close the deliberation: scores are final (host)",
        sync_to_thread=True,
        status_code=200,
    )
    def close_deliberation(
        self, request: Request[Any, Any, Any], target: ForumRef, data: JSONBody[CloseDeliberation]
    ) -> ForumState:
        return command(request, data, target)
