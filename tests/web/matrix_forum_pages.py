"""The isolation matrix's entries for the pages that run a forum (``web/pages/forums.py``, ``jury.py``, ``stage.py``),
registered in ``tests/web/test_isolation_matrix.py`` by ``SPEC.update(forum_pages_cases())``.

Organisation A (``nord``) hosts the forums and takes part in them; a third organisation (``aisne``) takes part too,
with projects of its own, so that a juror of A has something to score. B (``oise``) is never invited: its people
have no standing and get 404 everywhere. A's organiser is the host (and A's participant); A's auditor reads the
host's pages without their forms; A's agent wrote A's projects (their team) and, in the shared forum, is a juror,
a coach and the voter — so the juror's, coach's and voter's pages have their positive cell. Commands that happen
once (publication, opening or closing the deliberation, a pitch, a count, an answer to an invitation…) get a fresh
forum per cell. Times are the application's clock (the real one): forums start in a month.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.forum import Prize
from domain.jury import Criterion, JuryRules
from forum.access import SYSTEM
from forum.coaching import AppointCoach, AssignCoaching, CoachingSlotIn
from forum.forums import AcceptForumInvitation, Invite, SetPrize
from forum.jury import AppointJuror, CloseDeliberation, ComputeRanking, DesignateLaureates, OpenDeliberation, SetRules
from forum.stage import SetRunningOrder
from forum.votes import OrganiseVote, VoterIn
from tests.accounts import PASSWORD, member
from tests.builders import nominates, plans, sends
from tests.web.matrix import LOGIN, A, Case, World, expect

THIRD = "aisne"  # a participating organisation other than A, for A's juror to score


def forum_pages_cases() -> dict[tuple[str, str], Any]:  # one entry per page: a long table
    anyone = expect(LOGIN, 200, 200, 200, 404, 404, 200)  # every person of the forum (A's agent: juror, coach…)
    readers = expect(LOGIN, 403, 200, 200, 404, 404, 200)  # the host and the auditors
    host_page = expect(LOGIN, 403, 200, 403, 404, 404, 200)
    host_does = expect(LOGIN, 403, 303, 403, 404, 404, 303)
    agent_does = expect(LOGIN, 303, 403, 403, 404, 404, 403)  # the juror's, coach's or voter's own act
    agent_reads = expect(LOGIN, 200, 403, 403, 404, 404, 403)
    rules = JuryRules(criteria=(Criterion("usagers", "Utilité pour les usagers", 2),), scale_min=1, scale_max=5)

    def app(w: World) -> Any:
        return w.services.app

    def host(w: World) -> Any:
        return w.members["organiser_a"].actor

    def agent_id(w: World) -> str:
        return str(w.members["agent_a"].person_id)

    def third(w: World) -> dict[str, Any]:
        """The third organisation's organiser and agent (made once)."""
        found: dict[str, Any] = w.ensure(
            "pages-third",
            lambda: {"organiser": member(w.services, THIRD, "organiser"), "agent": member(w.services, THIRD, "agent")},
        )
        return found

    def selected(w: World, organisation: str) -> str:
        """A project selected by ``organisation``'s call, A's or the third organisation's."""
        people = (w.members["organiser_a"], w.members["agent_a"]) if organisation == A else tuple(third(w).values())
        return w.selected_project(*people)

    def fresh_email(w: World, organisation: str = A) -> str:
        """The address of a new, active person of ``organisation`` (to appoint)."""
        email = f"p.{w.new_id()[:10]}@{organisation}.test"
        w.services.people.enrol(
            SYSTEM, w.new_id(), organisation=organisation, email=email, name="Nouvelle", role="agent", password=PASSWORD
        )
        w.settle()  # the page finds people by address in the people read model
        return email

    def new_forum(  # noqa: PLR0912  # what the forum should have reached, each a switch
        w: World,
        *,
        invited_only: bool = False,
        nominated: int = 0,
        with_third: int = 0,
        roles: bool = False,
        order: bool = False,
        deliberation: str = "",
        vote: str = "",
        coach: bool = False,
    ) -> dict[str, Any]:
        key = f"g-{w.new_id()[:12]}"
        planned = plans(
            app(w),
            host(w),
            w.new_id(),
            host=A,
            key=key,
            title=f"Forum {key}",
            kind="forum",
            starts_on=(app(w).clock() + timedelta(days=30)).date(),
            place="Lille",
            quota=50,
            budget_cents=1_000_000,
        )
        forum_id = UUID(planned["id"])

        def run(command: Any, **kwargs: Any) -> Any:
            return command(app(w), host(w), w.new_id(), host=A, forum_id=forum_id, **kwargs)

        run(sends(Invite), organisation=A)
        made: dict[str, Any] = {"host": A, "forum": str(forum_id), "projects": [], "third": []}
        if invited_only:
            return made
        run(sends(SetPrize), prize=Prize("laureats", "Lauréats", "main", laureates=1))
        run(sends(AcceptForumInvitation), organisation=A)
        made["projects"] = [selected(w, A) for _ in range(nominated)]
        for project_id in made["projects"]:
            run(nominates, project_id=UUID(project_id))
        if with_third:
            run(sends(Invite), organisation=THIRD)
            organiser = third(w)["organiser"].actor
            sends(AcceptForumInvitation)(app(w), organiser, w.new_id(), host=A, forum_id=forum_id, organisation=THIRD)
            made["third"] = [selected(w, THIRD) for _ in range(with_third)]
            for project_id in made["third"]:
                nominates(app(w), organiser, w.new_id(), host=A, forum_id=forum_id, project_id=UUID(project_id))
        everyone = [UUID(p) for p in made["projects"] + made["third"]]
        if roles:
            run(sends(SetRules), rules=rules)
            run(sends(AppointJuror), person_id=agent_id(w), organisation=A, college="Agent")
        if coach:
            run(sends(AppointCoach), person_id=agent_id(w), organisation=A)
            start = app(w).clock() + timedelta(days=29)
            run(
                sends(AssignCoaching),
                slots=[CoachingSlotIn(p, agent_id(w), start + timedelta(hours=i), 50) for i, p in enumerate(everyone)],
            )
        if order:
            start = app(w).clock() + timedelta(days=30)
            run(sends(SetRunningOrder), project_ids=everyone, starts_at=start, pitch_seconds=180, questions_seconds=300)
        now = app(w).clock()
        if vote:
            run(sends(SetPrize), prize=Prize("public", "Prix du public", "vote"))
        if vote in ("open", "closed"):
            opens, closes = (now - timedelta(hours=1), now + timedelta(days=1))
            if vote == "closed":
                opens, closes = now - timedelta(days=2), now - timedelta(days=1)
            run(
                sends(OrganiseVote),
                prize_key="public",
                electorate=[VoterIn(agent_id(w), A)],
                opens_at=opens,
                closes_at=closes,
                allow_own_organisation=True,
                draw_seed="graine",
            )
        if deliberation in ("open", "closed"):
            run(sends(OpenDeliberation))
            if everyone:
                run(sends(DesignateLaureates), prize_key="laureats", project_ids=[everyone[0]])
        if deliberation == "closed":
            run(sends(CloseDeliberation))
        return made

    def shared(w: World) -> dict[str, Any]:
        """One forum for the reads and the repeatable acts: A's agent is its juror, coach and voter."""
        found: dict[str, Any] = w.ensure(
            "pages-forum",
            lambda: new_forum(w, nominated=2, with_third=2, roles=True, coach=True, order=True, vote="open"),
        )
        if "ranked" not in found:
            sends(ComputeRanking)(app(w), host(w), w.new_id(), host=A, forum_id=UUID(found["forum"]))
            found["ranked"] = True
        return found

    def once(name: str, **switches: Any) -> Any:
        """A forum made once for all cells of one entry."""
        return lambda w: w.ensure(f"pages-{name}", lambda: new_forum(w, **switches))

    def fresh(**switches: Any) -> Any:
        """A new forum for every cell."""
        return lambda w: new_forum(w, **switches)

    def remembered(name: str, make: Any) -> Any:
        """The forum made for this cell's path, kept for its body (``params`` is called before ``body``)."""

        def made(w: World) -> dict[str, Any]:
            w.shared[f"pages-{name}"] = make(w)
            return w.shared[f"pages-{name}"]  # type: ignore[no-any-return]

        return made

    def on(make: Any, **extra: Any) -> Any:
        """Path parameters on the forum ``make`` gives, plus ``extra`` computed from it."""

        def params(w: World) -> dict[str, str]:
            forum = make(w)
            w.settle()
            return {"host": forum["host"], "forum": forum["forum"], **{k: pick(forum) for k, pick in extra.items()}}

        return params

    def first(forum: dict[str, Any]) -> str:
        return str(forum["projects"][0])

    def first_third(forum: dict[str, Any]) -> str:
        return str(forum["third"][0])

    def form(**fields: Any) -> Any:
        return lambda w: {"command_id": w.new_id(), **{k: (v(w) if callable(v) else v) for k, v in fields.items()}}

    def day(w: World, days: int = 29) -> str:
        return (app(w).clock() + timedelta(days=days)).date().isoformat()

    base = "/forums/{host}/{forum}"
    return {
        ("GET", "/forums"): Case(expect(LOGIN, 200, 200, 200, 200, 200, 200)),
        ("GET", "/organisations/{slug}/forums/nouveau"): Case(host_page, params=lambda w: {"slug": A}),
        ("POST", "/organisations/{slug}/forums"): Case(
            host_does,
            params=lambda w: {"slug": A},
            body=form(
                title="Forum de printemps",
                kind="forum",
                starts_on=lambda w: day(w, 60),
                place="Lille",
                quota="3",
                key=lambda w: f"n-{w.new_id()[:12]}",
            ),
        ),
        ("GET", base): Case(anyone, params=on(shared)),
        ("GET", f"{base}/edition"): Case(host_page, params=on(shared)),
        ("POST", f"{base}/edition"): Case(
            host_does, params=on(shared), body=form(title="Forum de printemps", place="Lille", starts_on=day)
        ),
        ("POST", f"{base}/budget"): Case(host_does, params=on(shared), body=form(budget="20 000")),
        ("GET", f"{base}/participants"): Case(readers, params=on(shared)),
        ("POST", f"{base}/participants"): Case(
            host_does, params=on(shared), body=form(organisation=lambda w: f"org-{w.new_id()[:10]}", quota="")
        ),
        ("POST", f"{base}/participants/{{organisation}}/quota"): Case(
            host_does, params=lambda w: {**on(shared)(w), "organisation": A}, body=form(quota="40")
        ),
        ("POST", f"{base}/invitation/{{organisation}}/acceptation"): Case(
            host_does, params=lambda w: {**on(fresh(invited_only=True))(w), "organisation": A}, body=form()
        ),
        ("POST", f"{base}/invitation/{{organisation}}/refus"): Case(
            host_does,
            params=lambda w: {**on(fresh(invited_only=True))(w), "organisation": A},
            body=form(reason="Pas cette année."),
        ),
        ("GET", f"{base}/prix"): Case(readers, params=on(shared)),
        ("POST", f"{base}/prix"): Case(
            host_does, params=on(shared), body=form(key="coup_de_coeur", label="Coup de cœur", kind="special")
        ),
        ("GET", f"{base}/propositions"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/propositions"): Case(
            host_does, params=on(shared), body=form(project_id=lambda w: f"{A}/{selected(w, A)}")
        ),
        ("POST", f"{base}/propositions/{{project_id}}/retrait"): Case(
            host_does, params=on(fresh(nominated=1), project_id=first), body=form(reason="Équipe indisponible.")
        ),
        ("GET", f"{base}/coaching"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/coaching/coachs"): Case(host_does, params=on(shared), body=form(email=fresh_email)),
        ("POST", f"{base}/coaching/creneaux"): Case(
            host_does,
            params=on(shared),
            body=lambda w: form(
                project_id=first(shared(w)),
                coach_id=agent_id(w),
                starts_date=lambda w: day(w, 28),
                starts_time="07:00",
                minutes="50",
            )(w),
        ),
        ("POST", f"{base}/coaching/rotation"): Case(
            host_does,
            params=on(fresh(nominated=1, coach=True)),
            body=lambda w: form(coach_ids=agent_id(w), rota_date=day, rota_time="08:00", rota_minutes="30")(w),
        ),
        ("GET", f"{base}/equipes/{{project_id}}"): Case(anyone, params=on(shared, project_id=first)),
        ("POST", f"{base}/equipes/{{project_id}}/seances"): Case(
            agent_does,
            params=on(shared, project_id=first),
            body=form(problem_statement="Comment mieux accueillir ?", pitch_points="Un chiffre", notes="Notes."),
        ),
        ("GET", f"{base}/ordre-de-passage"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/ordre-de-passage"): Case(
            host_does,
            params=on(shared),
            body=lambda w: form(
                **{f"place_{p}": str(i) for i, p in enumerate(shared(w)["projects"] + shared(w)["third"], 1)},
                starts_date=lambda w: day(w, 30),
                starts_time="14:00",
                pitch_seconds="180",
                questions_seconds="300",
            )(w),
        ),
        ("GET", f"{base}/scene"): Case(readers, params=on(shared)),
        ("POST", f"{base}/scene/{{project_id}}/pitch"): Case(
            host_does, params=on(fresh(nominated=1, order=True), project_id=first), body=form(duration_seconds="181")
        ),
        ("POST", f"{base}/scene/{{project_id}}/absence"): Case(
            host_does, params=on(fresh(nominated=1, order=True), project_id=first), body=form()
        ),
        ("GET", f"{base}/jury"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/jury/jures"): Case(
            host_does, params=on(shared), body=form(email=fresh_email, college="Élu·e")
        ),
        # once A's juror scored, a change is an amendment: the reason is always given, so either way is accepted
        ("POST", f"{base}/jury/regles"): Case(
            host_does,
            params=on(shared),
            body=form(
                c0_key="usagers",
                c0_label="Utilité pour les usagers",
                c0_weight="2",
                scale_min="1",
                scale_max="5",
                quorum="1",
                normalisation="none",
                reason="Précision.",
            ),
        ),
        ("GET", f"{base}/suivi"): Case(readers, params=on(shared)),
        ("GET", f"{base}/classement"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/classement"): Case(host_does, params=on(shared), body=form()),
        # the shared forum declares no jury vote among its tie-breaks: the host's cells are refused by that rule
        ("POST", f"{base}/classement/departage"): Case(
            expect(LOGIN, 403, 409, 403, 404, 404, 409),
            params=on(shared),
            body=lambda w: form(
                **{f"place_{p}": str(i) for i, p in enumerate(shared(w)["projects"], 1)},
                group="1",
                rationale="Vote du jury.",
            )(w),
        ),
        ("GET", f"{base}/deliberation"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/deliberation/ouverture"): Case(host_does, params=on(fresh(nominated=1)), body=form()),
        ("POST", f"{base}/deliberation/prix/{{prize_key}}"): Case(
            host_does,
            params=lambda w: {**on(once("deliberating", nominated=1, deliberation="open"))(w), "prize_key": "laureats"},
            body=lambda w: form(**{"laureates[]": first(w.shared["pages-deliberating"])})(w),
        ),
        ("POST", f"{base}/deliberation/cloture"): Case(
            host_does, params=on(fresh(nominated=1, deliberation="open")), body=form()
        ),
        ("GET", f"{base}/votes"): Case(readers, params=on(shared)),
        ("POST", f"{base}/votes/{{prize_key}}"): Case(
            host_does,
            params=lambda w: {**on(once("voting", nominated=1, vote="prize"))(w), "prize_key": "public"},
            body=lambda w: form(
                electorate=w.members["agent_a"].email,
                opens_date=lambda w: day(w, 1),
                opens_time="09:00",
                closes_date=lambda w: day(w, 2),
                closes_time="18:00",
                allow_own_organisation="oui",
                tie_break="draw",
                draw_seed="graine",
            )(w),
        ),
        ("POST", f"{base}/votes/{{prize_key}}/depouillement"): Case(
            host_does,
            params=lambda w: {**on(fresh(nominated=1, vote="closed"))(w), "prize_key": "public"},
            body=form(),
        ),
        ("GET", f"{base}/vote"): Case(agent_reads, params=on(shared)),
        ("POST", f"{base}/vote/{{prize_key}}"): Case(
            agent_does,
            params=lambda w: {**on(remembered("last-vote", fresh(nominated=1, vote="open")))(w), "prize_key": "public"},
            body=lambda w: form(project_id=first(w.shared["pages-last-vote"]))(w),
        ),
        ("GET", f"{base}/notation"): Case(agent_reads, params=on(shared)),
        ("POST", f"{base}/notation/{{project_id}}"): Case(
            agent_does,
            params=on(shared, project_id=first_third),
            body=form(score_usagers="4", comment="Clair."),
        ),
        ("POST", f"{base}/notation/{{project_id}}/conflit"): Case(
            agent_does,
            params=on(fresh(nominated=0, with_third=1, roles=True), project_id=first_third),
            body=form(reason="Ancien collègue de l'équipe."),
        ),
        ("GET", f"{base}/palmares"): Case(anyone, params=on(shared)),
        ("POST", f"{base}/palmares/publication"): Case(
            host_does, params=on(fresh(nominated=1, deliberation="closed")), body=form()
        ),
    }
