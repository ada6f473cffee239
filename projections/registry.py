"""Every read model the projector maintains."""

from __future__ import annotations

from projections.calls import Calls
from projections.directory import Directory
from projections.forums import Forums
from projections.notifications import Notifications
from projections.palmares import PalmaresProjection
from projections.people import People
from projections.portfolio import Portfolio
from projections.practices import Practices
from projections.projector import Projection


def all_projections() -> list[Projection]:
    return [Directory(), People(), Calls(), Notifications(), Forums(), PalmaresProjection(), Portfolio(), Practices()]
