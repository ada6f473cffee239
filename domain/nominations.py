"""Participation and nominations: the invited organisations, the project as it stood when nominated, the refusals."""

from uuid import UUID

import msgspec

from domain.errors import AlreadyExists, Conflict, Invalid, NotFound
from domain.values import check_slug, check_text


class TeamMember(msgspec.Struct, frozen=True):
    person_id: str
    role: str = ""


class ProjectSnapshot(msgspec.Struct, frozen=True):
    """A project as it stood when its organisation nominated it (the forum keeps this copy)."""

    project_id: UUID
    organisation: str
    title: str
    summary: str = ""
    category: str | None = None
    team: tuple[TeamMember, ...] = ()


def check_snapshot(project: ProjectSnapshot) -> ProjectSnapshot:
    """The snapshot with its title and summary checked and trimmed; its organisation and team checked."""
    check_slug(project.organisation, field="organisation")
    for member in project.team:
        check_text(member.person_id, "team", max_length=100)
    return msgspec.structs.replace(
        project,
        title=check_text(project.title, "title", max_length=300),
        summary=check_text(project.summary, "summary", max_length=4000, required=False),
    )


class NotParticipant(Conflict, rule="not_participant"): ...


class NotInvited(Conflict, rule="not_invited"): ...


class InvitationAnswered(Conflict, rule="invitation_answered"): ...


class NotSelectedLocally(Conflict, rule="not_selected_locally"): ...


class QuotaExceeded(Conflict, rule="quota_exceeded"): ...


class AlreadyNominated(AlreadyExists, rule="already_nominated"): ...


class NominationsClosed(Conflict, rule="nominations_closed"): ...


class NotNominated(NotFound, rule="not_nominated"): ...


class WithdrawalTooLate(Conflict, rule="withdrawal_too_late"): ...


class UnknownCategory(Invalid, rule="unknown_category"): ...
