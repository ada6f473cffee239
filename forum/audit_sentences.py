"""What happened, in plain French: one sentence template per event class of every aggregate in ``domain/``.

``sentence(event, names)`` reads « Le juré Jeanne Martin a noté le projet « Cantine zéro déchet » (usagers 4,
faisabilite 3). »: who acted in which role (from the event's ``meta``), then the class's template. ``names`` turns
the ids an event carries (people, projects, forums, calls, practices, organisations) into what people read; an id
it does not know is shown shortened, so a sentence never fails for want of a name.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

import domain
from domain.aggregate import Aggregate
from domain.formatting import day, moment, money, number, plural
from domain.jury import NORMALISATION_LABELS
from domain.organisation import KIND_LABELS
from domain.palmares import PRIZE_KIND_LABELS
from domain.person import ROLE_LABELS
from domain.practice import REPORT_OUTCOME_LABELS
from domain.pre_incubation import OUTCOME_LABELS, STAGE_LABELS

AGGREGATE_LABELS = {
    "Organisation": "Organisation",
    "Person": "Personne",
    "ForumRoles": "Rôles d'un forum",
    "IdeaCall": "Appel à idées",
    "Project": "Projet",
    "Forum": "Forum",
    "PreIncubation": "Pré-incubation",
    "Practice": "Pratique",
    "Adoption": "Adoption d'une pratique",
}
SUBJECTS = {  # how the acting person is introduced, by the role recorded in the event's meta
    "admin": "L'administrateur",
    "system": "Le système",
    "organiser": "L'organisateur",
    "agent": "L'agent",
    "auditor": "L'auditeur",
    "host": "L'hôte",
    "juror": "Le juré",
    "coach": "Le coach",
    "voter": "Le votant",
    "forum_auditor": "L'auditeur du forum",
    "participant": "L'organisateur",
}


# ---------------------------------------------------------------------------------------------------------------------
# Every event class of the domain


def _aggregates() -> list[type[Aggregate]]:
    found: list[type[Aggregate]] = []
    for module_info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{module_info.name}")
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Aggregate)
                and value is not Aggregate
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def event_classes() -> dict[str, type[DomainEvent]]:
    """``{"Forum.ScoreRecorded": class}`` for every event class an aggregate of ``domain/`` declares."""
    classes: dict[str, type[DomainEvent]] = {}
    for aggregate in _aggregates():
        for name, value in vars(aggregate).items():
            if inspect.isclass(value) and issubclass(value, DomainEvent) and name not in ("Event", "Created"):
                classes[f"{aggregate.__name__}.{name}"] = value
    return dict(sorted(classes.items()))


def event_name(topic: str) -> str:
    """``domain.forum:Forum.ScoreRecorded`` → ``Forum.ScoreRecorded``."""
    return topic.rpartition(":")[2]


# ---------------------------------------------------------------------------------------------------------------------
# Names


def short(identifier: object) -> str:
    return str(identifier)[:8]


@dataclass(frozen=True)
class Names:
    """What people read for the ids events carry: person names, titles (projects, forums, calls, practices),
    organisation names. Unknown ids read « n° 1a2b3c4d »."""

    people: Mapping[str, str] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    organisations: Mapping[str, str] = field(default_factory=dict)

    def person(self, person_id: object) -> str:
        key = str(person_id)
        if key == "system":
            return "le système"
        return self.people.get(key) or f"n° {short(key)}"

    def title(self, thing_id: object, kind: str = "") -> str:
        found = self.titles.get(str(thing_id))
        if found:
            return f"« {found} »"
        return f"{kind} n° {short(thing_id)}".strip()

    def project(self, project_id: object) -> str:
        return self.title(project_id, "")

    def projects(self, project_ids: Iterable[object]) -> str:
        return ", ".join(self.project(p) for p in project_ids) or "aucun"

    def organisation(self, slug: str | None) -> str:
        if not slug:
            return ""
        return self.organisations.get(slug, slug)


def ids_in(value: Any) -> set[str]:
    """Every UUID (or UUID-looking string) in a decoded payload: what ``Names`` should know."""
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, UUID):
            found.add(str(item))
        elif isinstance(item, str):
            if len(item) == 36 and item.count("-") == 4:
                with contextlib.suppress(ValueError):
                    found.add(str(UUID(item)))
        elif isinstance(item, Mapping):
            for k, v in item.items():
                walk(k)
                walk(v)
        elif isinstance(item, (list, tuple)):
            for v in item:
                walk(v)

    walk(value)
    return found


def slugs_in(value: Any) -> set[str]:
    """Organisation slugs named by a decoded payload's usual keys (and its meta)."""
    keys = {
        "organisation",
        "actor_organisation",
        "host",
        "call_organisation",
        "forum_organisation",
        "person_organisation",
        "practice_organisation",
        "derived_from_organisation",
        "slug",
    }
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, Mapping):
            for k, v in item.items():
                if k in keys and isinstance(v, str):
                    found.add(v)
                else:
                    walk(v)
        elif isinstance(item, (list, tuple)):
            for v in item:
                walk(v)

    walk(value)
    return found


# ---------------------------------------------------------------------------------------------------------------------
# Formatting helpers


def quoted(text: str | None, limit: int = 160) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"« {text} »" if text else ""


def because(text: str | None) -> str:
    return f" : {quoted(text)}" if (text or "").strip() else ""


def named(labels: Mapping[Any, str], code: str) -> str:
    """A code as people name it (``labels``: the table beside its enum), in lower case within a sentence."""
    label = labels.get(code)
    return code if label is None else label[0].lower() + label[1:]


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role).lower()


def scores_text(scores: Mapping[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in scores.items())


# ---------------------------------------------------------------------------------------------------------------------
# The templates: the predicate that follows « <role> <person> » for each event class

Template = Callable[[Any, Names], str]
N = Names


def _score(e: Any, n: N) -> str:
    text = f"a noté le projet {n.project(e.project_id)} ({scores_text(e.scores)})"
    if e.revision > 1:
        text += f", révision n° {e.revision}"
    if e.meta.actor != e.juror_id:
        text += f", pour le juré {n.person(e.juror_id)}"
    return text


def _conflict(e: Any, n: N) -> str:
    who = "" if e.meta.actor == e.juror_id else f" du juré {n.person(e.juror_id)}"
    return f"a déclaré un conflit d'intérêts{who} sur le projet {n.project(e.project_id)}{because(e.reason)}"


def _ranking(e: Any, n: N) -> str:
    ranked = [r for r in e.ranking.rows if r.rank is not None]
    first = [r.project_id for r in ranked if r.rank == 1]
    classed = plural(len(ranked), "projet classé", "projets classés")
    text = f"a calculé le classement (règles v{e.ranking.rules_version}, {classed}"
    if first:
        text += f" ; en tête : {n.projects(first)}"
    return text + ")"


def _designated(e: Any, n: N) -> str:
    text = f"a désigné les lauréats du prix « {e.prize_key} » : {n.projects(a.project_id for a in e.awards)}"
    if e.departs_from_ranking:
        text += f", en s'écartant du classement{because(e.rationale)}"
    return text


def _counted(e: Any, n: N) -> str:
    c = e.count
    return (
        f"a dépouillé le vote du prix « {e.prize_key} » ({plural(c.ballots, 'bulletin')} pour "
        f"{plural(c.electorate, 'votant')}) : {n.projects(c.laureates)}"
        + (f", ex æquo non départagés : {n.projects(c.unresolved)}" if c.unresolved else "")
    )


def _vote_organised(e: Any, n: N) -> str:
    return (
        f"a organisé le vote du prix « {e.prize_key} » ({plural(len(e.electorate), 'votant')}, "
        f"du {moment(e.opens_at)} au {moment(e.closes_at)})"
    )


def _running_order(e: Any, n: N) -> str:
    if not e.slots:
        return "a vidé l'ordre de passage"
    return f"a fixé l'ordre de passage ({plural(len(e.slots), 'équipe')}, à partir du {moment(e.slots[0].starts_at)})"


def _pitch(e: Any, n: N) -> str:
    minutes, seconds = divmod(int(e.duration_seconds), 60)
    return f"a consigné le pitch du projet {n.project(e.project_id)} ({minutes} min {seconds:02d} s)"


def _rules(e: Any, n: N) -> str:
    r = e.rules
    return (
        f"a fixé les règles du jury, version {e.version} ({plural(len(r.criteria), 'critère')}, "
        f"échelle {r.scale_min}–{r.scale_max}, quorum {r.quorum}, "
        f"normalisation {named(NORMALISATION_LABELS, r.normalisation)})"
    )


def _prize(e: Any, n: N) -> str:
    p = e.prize
    text = f"a défini le prix « {p.label} » ({named(PRIZE_KIND_LABELS, p.kind)}, {plural(p.laureates, 'lauréat')}"
    if p.amount_cents:
        text += f", {money(p.amount_cents)} chacun"
    return text + ")"


def _call_drafted(e: Any, n: N) -> str:
    return f"a rédigé l'appel à idées « {e.title} » (du {moment(e.opens_at)} au {moment(e.closes_at)})"


def _call_amended(e: Any, n: N) -> str:
    changed = ", ".join(e.changed) or "rien"
    return f"a modifié l'appel à idées {n.title(e.originator_id, 'appel')} ({changed}){because(e.reason)}"


def _person_invited(e: Any, n: N) -> str:
    return f"a invité {e.name} ({e.email}) comme {role_label(e.role)} de {n.organisation(e.organisation)}"


def _started(e: Any, n: N) -> str:
    text = f"a lancé la pré-incubation du projet {n.project(e.project_id)} (jusqu'au {day(e.deadline)}"
    if e.hours_per_week:
        text += f", {number(e.hours_per_week)} h par semaine"
    if e.budget_cents:
        text += f", {money(e.budget_cents)}"
    return text + ")"


def _commitments(e: Any, n: N) -> str:
    return (
        f"a changé les engagements de la pré-incubation ({number(e.hours_per_week)} h par semaine, "
        f"{money(e.budget_cents)}){because(e.reason)}"
    )


def _outcome(e: Any, n: N) -> str:
    text = f"a enregistré l'issue de la pré-incubation : {named(OUTCOME_LABELS, e.outcome)}"
    if e.owner:
        text += f" (porteur : {e.owner})"
    return text + because(e.reason)


def _interest(e: Any, n: N) -> str:
    return (
        f"a déclaré l'intérêt de {n.organisation(e.organisation)} pour la pratique "
        f"{n.title(e.practice_id, 'pratique')} de {n.organisation(e.practice_organisation)}"
    )


SENTENCES: dict[str, Template] = {
    # organisations and people
    "Organisation.Registered": lambda e, n: (
        f"a inscrit l'organisation « {e.name} » ({e.slug}, {named(KIND_LABELS, e.kind)})"
    ),
    "Organisation.Renamed": lambda e, n: f"a renommé l'organisation en « {e.name} »",
    "Person.Invited": _person_invited,
    "Person.InvitationRenewed": lambda e, n: f"a renouvelé l'invitation de {n.person(e.originator_id)}",
    "Person.Joined": lambda e, n: f"a rejoint son organisation sous le nom « {e.name} »",
    "Person.PasswordSet": lambda e, n: f"a défini le mot de passe de {n.person(e.originator_id)} ({e.how})",
    "Person.Renamed": lambda e, n: f"a renommé {n.person(e.originator_id)} en « {e.name} »",
    "Person.RoleChanged": lambda e, n: f"a donné à {n.person(e.originator_id)} le rôle {role_label(e.role)}",
    "Person.Deactivated": lambda e, n: f"a désactivé le compte de {n.person(e.originator_id)}",
    "Person.Reactivated": lambda e, n: f"a réactivé le compte de {n.person(e.originator_id)}",
    "ForumRoles.Opened": lambda e, n: f"a ouvert les rôles du forum {n.title(e.forum_id, 'forum')}",
    "ForumRoles.Granted": lambda e, n: (
        f"a donné à {n.person(e.person_id)} ({n.organisation(e.person_organisation)}) le rôle "
        f"{role_label(e.role)} dans le forum {n.title(e.forum_id, 'forum')}"
    ),
    "ForumRoles.Revoked": lambda e, n: (
        f"a retiré à {n.person(e.person_id)} le rôle {role_label(e.role)} dans le forum {n.title(e.forum_id, 'forum')}"
    ),
    # calls for ideas and projects
    "IdeaCall.Drafted": _call_drafted,
    "IdeaCall.Opened": lambda e, n: f"a ouvert l'appel à idées {n.title(e.originator_id, 'appel')}",
    "IdeaCall.Amended": _call_amended,
    "IdeaCall.Closed": lambda e, n: f"a clos l'appel à idées {n.title(e.originator_id, 'appel')}",
    "IdeaCall.SelectionRecorded": lambda e, n: (
        f"a arrêté la sélection de l'appel {n.title(e.originator_id, 'appel')} : "
        f"{plural(len(e.selected), 'projet retenu', 'projets retenus')}"
    ),
    "IdeaCall.Cancelled": lambda e, n: (
        f"a annulé l'appel à idées {n.title(e.originator_id, 'appel')}{because(e.reason)}"
    ),
    "IdeaCall.AnnouncementPublished": lambda e, n: f"a publié l'annonce de l'appel {n.title(e.originator_id, 'appel')}",
    "IdeaCall.AttachedToForum": lambda e, n: (
        f"a fait de l'appel {n.title(e.originator_id, 'appel')} la sélection locale du forum "
        f"{n.title(e.forum.forum_id, 'forum')} (quota {e.forum.quota})"
    ),
    "Project.Drafted": lambda e, n: f"a rédigé le projet « {e.content.title} »",
    "Project.Submitted": lambda e, n: f"a déposé le projet {n.project(e.originator_id)} (version {e.version})",
    "Project.Edited": lambda e, n: (
        f"a modifié le projet {n.project(e.originator_id)} ({', '.join(e.changed) or 'sans changement'}"
        + (f", version {e.version}" if e.version else "")
        + ")"
    ),
    "Project.Withdrawn": lambda e, n: f"a retiré le projet {n.project(e.originator_id)}{because(e.reason)}",
    "Project.CoAuthorInvited": lambda e, n: (
        f"a invité {n.person(e.person)} ({n.organisation(e.organisation)}) comme coauteur du projet "
        f"{n.project(e.originator_id)}"
    ),
    "Project.CoAuthorAccepted": lambda e, n: (
        f"a accepté de devenir coauteur du projet {n.project(e.originator_id)} ({n.person(e.person)})"
    ),
    "Project.CoAuthorDeclined": lambda e, n: (
        f"a décliné l'invitation à être coauteur du projet {n.project(e.originator_id)} ({n.person(e.person)})"
    ),
    "Project.InvitationWithdrawn": lambda e, n: (
        f"a retiré l'invitation de {n.person(e.person)} comme coauteur du projet {n.project(e.originator_id)}"
    ),
    "Project.Selected": lambda e, n: (
        f"a retenu le projet {n.project(e.originator_id)} en sélection locale{because(e.reason)}"
    ),
    "Project.NotSelected": lambda e, n: (
        f"n'a pas retenu le projet {n.project(e.originator_id)} en sélection locale{because(e.reason)}"
    ),
    "Project.Nominated": lambda e, n: (
        f"a inscrit dans l'histoire du projet {n.project(e.originator_id)} sa proposition au forum "
        f"{n.title(e.forum_id, 'forum')}"
    ),
    "Project.NominationWithdrawn": lambda e, n: (
        f"a inscrit dans l'histoire du projet {n.project(e.originator_id)} le retrait de sa proposition au forum "
        f"{n.title(e.forum_id, 'forum')}{because(e.reason)}"
    ),
    # the forum
    "Forum.Planned": lambda e, n: (
        f"a planifié {'le prix' if e.kind == 'prize' else 'le forum'} « {e.title} » du {day(e.starts_on)} "
        f"({e.place}, quota de {plural(e.quota, 'projet')} par organisation)"
    ),
    "Forum.EditionAmended": lambda e, n: (
        f"a modifié l'édition : « {e.title} », {e.place}, du {day(e.starts_on)} au {day(e.ends_on)}"
    ),
    "Forum.BudgetSet": lambda e, n: (
        f"a fixé le budget total à {money(e.budget_cents)}" if e.budget_cents is not None else "a retiré le budget"
    ),
    "Forum.OrganisationInvited": lambda e, n: (
        f"a invité {n.organisation(e.organisation)} au forum"
        + (f" (quota de {plural(e.quota, 'projet')})" if e.quota is not None else "")
    ),
    "Forum.InvitationAccepted": lambda e, n: f"a accepté l'invitation au forum pour {n.organisation(e.organisation)}",
    "Forum.InvitationDeclined": lambda e, n: (
        f"a décliné l'invitation au forum pour {n.organisation(e.organisation)}{because(e.reason)}"
    ),
    "Forum.QuotaSet": lambda e, n: f"a fixé le quota de {n.organisation(e.organisation)} à {plural(e.quota, 'projet')}",
    "Forum.PrizeDefined": _prize,
    "Forum.ProjectNominated": lambda e, n: (
        f"a proposé au forum le projet « {e.project.title} » de {n.organisation(e.project.organisation)}"
    ),
    "Forum.NominationWithdrawn": lambda e, n: (
        f"a retiré du forum le projet {n.project(e.project_id)}{because(e.reason)}"
    ),
    "Forum.CoachAppointed": lambda e, n: (
        f"a nommé {n.person(e.person_id)} ({n.organisation(e.organisation)}) coach du forum"
    ),
    "Forum.CoachingAssigned": lambda e, n: (
        f"a confié l'équipe du projet {n.project(e.project_id)} au coach {n.person(e.coach_id)}, "
        f"le {moment(e.starts_at)}"
    ),
    "Forum.CoachingSessionRecorded": lambda e, n: (
        f"a consigné la séance de coaching du projet {n.project(e.project_id)}"
        + (f" (problème reformulé : {quoted(e.problem_statement, 100)})" if e.problem_statement else "")
    ),
    "Forum.RunningOrderSet": _running_order,
    "Forum.PitchDelivered": _pitch,
    "Forum.TeamAbsent": lambda e, n: f"a noté l'absence de l'équipe du projet {n.project(e.project_id)}",
    "Forum.JurorAppointed": lambda e, n: (
        f"a nommé {n.person(e.person_id)} juré ({e.college}, {n.organisation(e.organisation)})"
    ),
    "Forum.RulesSet": _rules,
    "Forum.RulesAmended": lambda e, n: f"a amendé les règles du jury (version {e.version}){because(e.reason)}",
    "Forum.ConflictDeclared": _conflict,
    "Forum.ScoreRecorded": _score,
    "Forum.RankingComputed": _ranking,
    "Forum.TieBroken": lambda e, n: (
        f"a départagé des ex æquo dans cet ordre : {n.projects(e.project_ids)}{because(e.rationale)}"
    ),
    "Forum.DeliberationOpened": lambda e, n: "a ouvert la délibération du jury",
    "Forum.LaureatesDesignated": _designated,
    "Forum.DeliberationClosed": lambda e, n: "a clos la délibération du jury",
    "Forum.VoteOrganised": _vote_organised,
    "Forum.VoteCast": lambda e, n: (
        f"a voté pour le projet {n.project(e.project_id)} (prix « {e.prize_key} »)"
        + ("" if e.meta.actor == e.voter_id else f", pour le votant {n.person(e.voter_id)}")
    ),
    "Forum.VotesCounted": _counted,
    "Forum.PalmaresPublished": lambda e, n: f"a publié le palmarès « {e.palmares.title} »",
    # after the forum
    "PreIncubation.Started": _started,
    "PreIncubation.MilestoneAdded": lambda e, n: (
        f"a ajouté le jalon n° {e.number} « {e.title} » (échéance le {day(e.due)})"
    ),
    "PreIncubation.MilestoneCompleted": lambda e, n: (
        f"a marqué le jalon n° {e.number} atteint le {day(e.completed_on)}"
    ),
    "PreIncubation.MilestoneRescheduled": lambda e, n: (
        f"a reporté le jalon n° {e.number} au {day(e.due)}{because(e.reason)}"
    ),
    "PreIncubation.DeadlineExtended": lambda e, n: (
        f"a prolongé la pré-incubation jusqu'au {day(e.deadline)}{because(e.reason)}"
    ),
    "PreIncubation.SponsorChanged": lambda e, n: f"a changé le parrain de la pré-incubation : {quoted(e.sponsor)}",
    "PreIncubation.CommitmentsChanged": _commitments,
    "PreIncubation.ProgressNoted": lambda e, n: f"a noté un point d'avancement : {quoted(e.text)}",
    "PreIncubation.VigilanceRaised": lambda e, n: f"a signalé le point de vigilance n° {e.number} : {quoted(e.text)}",
    "PreIncubation.VigilanceResolved": lambda e, n: (
        f"a levé le point de vigilance n° {e.number}{because(e.resolution)}"
    ),
    "PreIncubation.StageChanged": lambda e, n: (
        f"a fait passer le projet du stade « {named(STAGE_LABELS, e.previous)} » "
        f"au stade « {named(STAGE_LABELS, e.stage)} »{because(e.reason)}"
    ),
    "PreIncubation.OutcomeRecorded": _outcome,
    "Practice.Drafted": lambda e, n: f"a rédigé la pratique « {e.title} » (issue du projet {n.project(e.project_id)})",
    "Practice.Published": lambda e, n: f"a publié la pratique « {e.sheet.title} »",
    "Practice.Amended": lambda e, n: f"a modifié la pratique « {e.sheet.title} »{because(e.note)}",
    "Practice.Withdrawn": lambda e, n: (
        f"a retiré la pratique {n.title(e.originator_id, 'pratique')}{because(e.reason)}"
    ),
    "Adoption.InterestDeclared": _interest,
    "Adoption.Adopted": lambda e, n: f"a adopté la pratique{because(e.note)}",
    "Adoption.ReportSubmitted": lambda e, n: (
        f"a rendu compte de l'adoption (« {named(REPORT_OUTCOME_LABELS, e.outcome)} »){because(e.text)}"
    ),
    "Adoption.Abandoned": lambda e, n: f"a abandonné l'adoption de la pratique{because(e.reason)}",
}


def subject(meta: Any, names: Names) -> str:
    """« Le juré Jeanne Martin », « L'hôte Paul Durand », « Le système »."""
    if meta is None:
        return "Quelqu'un"
    if meta.actor == "system" or meta.role == "system":
        return "Le système"
    lead = SUBJECTS.get(meta.role, f"{ROLE_LABELS.get(meta.role, meta.role)}")
    return f"{lead} {names.person(meta.actor)}"


def sentence(event: Any, names: Names | None = None) -> str:
    """The plain-French sentence for a decoded domain event."""
    names = names or Names()
    name = f"{type(event).__qualname__}"
    template = SENTENCES.get(name)
    if template is None:  # a class added without its sentence (a test forbids it): still say something
        return f"{subject(getattr(event, 'meta', None), names)} a enregistré « {name} »."
    return f"{subject(getattr(event, 'meta', None), names)} {template(event, names)}."
