"""Every read model the projector maintains."""

from __future__ import annotations

from projections.calls import Calls
from projections.coaching import Coaching
from projections.directory import Directory
from projections.forums import Forums
from projections.jury import JuryProjection
from projections.notifications import Notifications
from projections.palmares import PalmaresProjection
from projections.people import People
from projections.portfolio import Portfolio
from projections.practices import Practices
from projections.projector import Projection
from projections.stage import StageProjection
from projections.votes import Votes


def all_projections() -> list[Projection]:
    return [
        Directory(),
        People(),
        Calls(),
        Notifications(),
        Forums(),
        Coaching(),
        StageProjection(),
        JuryProjection(),
        Votes(),
        PalmaresProjection(),
        Portfolio(),
        Practices(),
    ]
