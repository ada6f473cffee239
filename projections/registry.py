"""Every read model the projector maintains."""

from __future__ import annotations

from projections.calls import Calls
from projections.directory import Directory
from projections.notifications import Notifications
from projections.people import People
from projections.projector import Projection


def all_projections() -> list[Projection]:
    return [Directory(), People(), Calls(), Notifications()]
