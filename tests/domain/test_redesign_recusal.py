"""Recusal is stated once (``domain.jury.recusal``): the aggregate refuses scores by it, each reason with its rule.

Givens are past events (``tests.domain.past``): a forum where Nord and Oise take part, each with a project, a juror of
each organisation and the jury's rules; then only the command under test runs.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

import pytest

from domain.forum import ConflictOfInterest, Forum, OwnOrganisationRecusal, ProjectSnapshot
from domain.jury import DECLARED_CONFLICT, OWN_ORGANISATION, Criterion, JuryRules, recusal
from domain.values import PARIS, Meta
from tests.domain.past import fact, given

NS = UUID("3c1d9a52-0000-4000-8000-000000000000")
FORUM_ID = uuid5(NS, "forum")
NORD = ProjectSnapshot(uuid5(NS, "nord"), "nord", "Projet du Nord")
OISE = ProjectSnapshot(uuid5(NS, "oise"), "oise", "Projet de l'Oise")
RULES = JuryRules(criteria=(Criterion("usagers", "Utilité pour les usagers"),), scale_min=1, scale_max=5)
JURORS = {"juror-nord": "nord", "juror-oise": "oise"}


def meta(day: int, organisation: str = "somme") -> Meta:
    return Meta(
        actor="host",
        role="host",
        organisation="somme",
        actor_organisation=organisation,
        at=datetime(2019, 11, day, 10, tzinfo=PARIS),
        command_id="c",
        correlation_id="c",
    )


def given_jury(*more: tuple[type[Any], dict[str, Any]]) -> Forum:
    """Given a forum hosted by Somme: Nord and Oise accepted and nominated a project each; a juror of each; rules."""
    return given(
        Forum,
        FORUM_ID,
        fact(
            Forum.Planned,
            host="somme",
            title="Forum interdépartemental",
            kind="forum",
            starts_on=date(2019, 11, 28),
            ends_on=date(2019, 11, 28),
            place="Amiens",
            quota=3,
            categories=(),
            budget_cents=None,
            meta=meta(1),
        ),
        *(fact(Forum.OrganisationInvited, organisation=o, quota=None, meta=meta(2)) for o in ("nord", "oise")),
        *(fact(Forum.InvitationAccepted, organisation=o, meta=meta(3, o)) for o in ("nord", "oise")),
        *(fact(Forum.ProjectNominated, project=p, meta=meta(4, p.organisation)) for p in (NORD, OISE)),
        *(
            fact(Forum.JurorAppointed, person_id=j, organisation=o, college="élu", meta=meta(18))
            for j, o in JURORS.items()
        ),
        fact(Forum.RulesSet, rules=RULES, version=1, meta=meta(18)),
        *more,
    )


def score(forum: Forum, juror: str, project: ProjectSnapshot) -> None:
    forum.record_score(juror_id=juror, project_id=project.project_id, scores={"usagers": 4}, meta=meta(28))


def test_a_juror_scoring_a_project_of_their_own_organisation_is_refused_with_its_own_rule() -> None:
    forum = given_jury()
    with pytest.raises(OwnOrganisationRecusal) as raised:
        score(forum, "juror-nord", NORD)
    assert (raised.value.rule, raised.value.field, raised.value.status) == ("own_organisation", "project_id", 409)
    assert "nord" in raised.value.message
    assert forum.collect_events() == []


def test_a_juror_who_declared_a_conflict_is_refused_under_the_conflict_rule() -> None:
    forum = given_jury(
        fact(Forum.ConflictDeclared, juror_id="juror-nord", project_id=OISE.project_id, reason="Lien", meta=meta(20))
    )
    with pytest.raises(ConflictOfInterest) as raised:
        score(forum, "juror-nord", OISE)
    assert not isinstance(raised.value, OwnOrganisationRecusal)
    assert (raised.value.rule, raised.value.field) == ("conflict_of_interest", "project_id")
    assert "Lien" in raised.value.message
    assert forum.collect_events() == []


def test_declaring_a_conflict_on_ones_own_organisation_says_the_juror_is_already_recused() -> None:
    forum = given_jury()
    with pytest.raises(ConflictOfInterest) as raised:
        forum.declare_conflict(juror_id="juror-oise", project_id=OISE.project_id, reason="x", meta=meta(20))
    assert raised.value.rule == "already_recused"
    assert forum.collect_events() == []


@pytest.mark.parametrize("declared", [False, True])
@pytest.mark.parametrize("juror", sorted(JURORS))
@pytest.mark.parametrize("project", [NORD, OISE], ids=["nord", "oise"])
def test_the_aggregate_refuses_exactly_what_the_domain_rule_says(
    juror: str, project: ProjectSnapshot, declared: bool
) -> None:
    own = JURORS[juror] == project.organisation
    conflict = fact(Forum.ConflictDeclared, juror_id=juror, project_id=project.project_id, reason="r", meta=meta(20))
    forum = given_jury(*([conflict] if declared and not own else []))
    why = recusal(JURORS[juror], project.organisation, conflict_declared=declared and not own)
    expected = {None: None, OWN_ORGANISATION: "own_organisation", DECLARED_CONFLICT: "conflict_of_interest"}[why]
    try:
        score(forum, juror, project)
    except ConflictOfInterest as refused:
        assert refused.rule == expected
    else:
        assert expected is None
        [recorded] = forum.collect_events()
        assert isinstance(recorded, Forum.ScoreRecorded)
