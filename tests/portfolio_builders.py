"""The portfolio's commands (pre-incubation, practices) with the call shape the tests use:
``af.add_milestone(app, actor, command_id, organisation=…, project_id=…, **fields)`` answering builtins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forum.portfolio import OrganisationRef as _Organisation
from forum.portfolio import (
    PortfolioScope,
    may_read_pre_incubation,
    portfolio_scope,
    require_convergence_reader,
    require_funnel_reader,
    require_project_path_reader,
)
from forum.practices import (
    AbandonAdoption,
    AdoptionRef,
    AdoptPractice,
    AmendPractice,
    DeclareInterest,
    DraftPractice,
    PracticeRef,
    PublishNewPractice,
    PublishPractice,
    ReportAdoption,
    WithdrawPractice,
    sheet_of,
)
from forum.pre_incubation import (
    AddMilestone,
    ChangeCommitments,
    ChangeSponsor,
    ChangeStage,
    CompleteMilestone,
    ExtendDeadline,
    NotALaureate,
    NoteProgress,
    PreIncubationRef,
    RaiseVigilance,
    RecordOutcome,
    RescheduleMilestone,
    ResolveVigilance,
    StartPreIncubation,
)
from tests.builders import sends_to


def _pre(kind: Any) -> Callable[..., Any]:
    """A pre-incubation command, answering as the application did before its result was typed: ``number`` only
    where the command numbers something (a milestone, a point of vigilance)."""
    send = sends_to(kind, PreIncubationRef)

    def sent(*args: Any, **fields: Any) -> Any:
        result = send(*args, **fields)
        if result.get("number") is None:
            result.pop("number", None)
        return result

    return sent


_start = sends_to(StartPreIncubation, _Organisation)


def start_pre_incubation(*args: Any, **fields: Any) -> Any:
    result = _start(*args, **fields)
    result.pop("number", None)
    return result


add_milestone = _pre(AddMilestone)
complete_milestone = _pre(CompleteMilestone)
reschedule_milestone = _pre(RescheduleMilestone)
extend_deadline = _pre(ExtendDeadline)
change_sponsor = _pre(ChangeSponsor)
change_commitments = _pre(ChangeCommitments)
note_progress = _pre(NoteProgress)
raise_vigilance = _pre(RaiseVigilance)
resolve_vigilance = _pre(ResolveVigilance)
change_stage = _pre(ChangeStage)
record_outcome = _pre(RecordOutcome)
draft_practice = sends_to(DraftPractice, _Organisation)
share_practice = sends_to(PublishNewPractice, _Organisation)
publish_practice = sends_to(PublishPractice, PracticeRef)
amend_practice = sends_to(AmendPractice, PracticeRef)
withdraw_practice = sends_to(WithdrawPractice, PracticeRef)
declare_interest = sends_to(DeclareInterest, _Organisation)
adopt_practice = sends_to(AdoptPractice, AdoptionRef)
report_adoption = sends_to(ReportAdoption, AdoptionRef)
abandon_adoption = sends_to(AbandonAdoption, AdoptionRef)

__all__ = [
    "NotALaureate",
    "PortfolioScope",
    "may_read_pre_incubation",
    "portfolio_scope",
    "require_convergence_reader",
    "require_funnel_reader",
    "require_project_path_reader",
    "sheet_of",
]
