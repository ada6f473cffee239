"""The isolation matrix's entries for forums and the palmarès (issue 5), registered in
``tests/web/test_isolation_matrix.py`` by ``SPEC.update(forums_cases())``.

Organisation A (``nord``) hosts the forums and invites itself; B (``oise``) is not invited, so B's people have no
standing in them (404). A's organiser is the host; A's auditor is, by their role, an auditor of A's forums; A's
agent is a member of the host organisation (the programme only) and the author of the projects nominated (their
team: they read their coaching). Nobody among the visitors is a juror or a coach: those endpoints check that
everyone else is refused. The agent of A is the electorate of the votes, so the voter's endpoints have their
positive cell. Times are the application's clock (the real one): forums start in a month; commands that can
happen once (publishing, opening the deliberation, recording a pitch…) get a fresh forum per cell.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.forum import Prize
from domain.jury import Criterion, JuryRules
from forum.coaching import AppointCoach, AssignCoaching, CoachingSlotIn
from forum.forums import AcceptForumInvitation, Invite, SetPrize
from forum.jury import CloseDeliberation, ComputeRanking, DesignateLaureates, OpenDeliberation, SetRules
from forum.stage import SetRunningOrder
from forum.votes import OrganiseVote, VoterIn
from tests.builders import nominates, plans, publishes, sends
from tests.web.matrix import A, Case, World, api_members, api_readers, api_signed_in, command, expect, public


def forums_cases() -> dict[tuple[str, str], Any]:  # one entry per endpoint: a long table
    host_only = expect(401, 403, 200, 403, 404, 404, 200)
    host_creates = expect(401, 403, 201, 403, 404, 404, 201)
    nobody_but = expect(401, 403, 403, 403, 404, 404, 403)  # a juror's, coach's or voter's: none of the visitors
    draft_readers = expect(404, 404, 200, 200, 404, 404, 200)  # an unpublished palmarès: host, jury, auditors
    rules = JuryRules(criteria=(Criterion("usagers", "Utilité pour les usagers", 2),), scale_min=1, scale_max=5)

    def app(w: World) -> Any:
        return w.services.app

    def host(w: World) -> Any:
        return w.members["organiser_a"].actor

    def selected_project(w: World) -> str:
        """A project of A's agent, selected by A's organiser."""
        return w.selected_project(w.members["organiser_a"], w.members["agent_a"], batch=40)

    def new_forum(  # what the forum should have reached, each a switch
        w: World,
        *,
        nominated: int = 0,
        jury: bool = False,
        ranked: bool = False,
        deliberation: str = "",
        vote: str = "",
        coach: bool = False,
        order: bool = False,
        published: bool = False,
    ) -> dict[str, Any]:
        """A forum hosted by A, A invited and accepted; then as far as asked."""
        key = f"f-{w.new_id()[:12]}"
        starts_on = (app(w).clock() + timedelta(days=30)).date()
        planned = plans(
            app(w), host(w), w.new_id(), host=A, key=key, title=f"Forum {key}", kind="forum", starts_on=starts_on,
            place="Lille", quota=50, budget_cents=1_000_000,
        )  # fmt: skip
        forum_id = UUID(planned["id"])

        def run(command: Any, **kwargs: Any) -> Any:
            return command(app(w), host(w), w.new_id(), host=A, forum_id=forum_id, **kwargs)

        run(sends(SetPrize), prize=Prize("laureats", "Lauréats", "main", laureates=1))
        run(sends(Invite), organisation=A)
        run(sends(AcceptForumInvitation), organisation=A)
        projects = [selected_project(w) for _ in range(nominated)]
        for project_id in projects:
            nominates(app(w), host(w), w.new_id(), host=A, forum_id=forum_id, project_id=UUID(project_id))
        if jury:
            run(sends(SetRules), rules=rules)
        if coach:
            person = w.fresh_person(organisation=A)
            run(sends(AppointCoach), person_id=person, organisation=A)
            now = app(w).clock()
            slots = [(p, person, now + timedelta(days=29, hours=i)) for i, p in enumerate(projects)]
            run(sends(AssignCoaching), slots=[CoachingSlotIn(UUID(p), c, s, 50) for p, c, s in slots])
        if order:
            start = app(w).clock() + timedelta(days=30)
            ids = [UUID(p) for p in projects]
            run(sends(SetRunningOrder), project_ids=ids, starts_at=start, pitch_seconds=180, questions_seconds=300)
        if ranked:
            run(sends(ComputeRanking))
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
                electorate=[VoterIn(w.members["agent_a"].person_id, A)],
                opens_at=opens,
                closes_at=closes,
                allow_own_organisation=True,
                draw_seed="graine",
            )
        if deliberation in ("open", "closed", "published"):
            run(sends(OpenDeliberation))
            if projects:
                run(sends(DesignateLaureates), prize_key="laureats", project_ids=[UUID(projects[0])])
        if deliberation in ("closed", "published"):
            run(sends(CloseDeliberation))
        if published:
            run(publishes)
        return {"host": A, "forum": key, "forum_id": str(forum_id), "projects": projects}

    def shared(w: World) -> dict[str, Any]:
        """One forum for the reads and the repeatable commands."""
        found: dict[str, Any] = w.ensure(
            "forum", lambda: new_forum(w, nominated=2, jury=True, ranked=True, coach=True, order=True, vote="open")
        )
        return found

    def params_of(make: Any, **extra: Any) -> Any:
        def params(w: World) -> dict[str, str]:
            forum = make(w)
            w.settle()
            values = {"host": forum["host"], "forum": forum["forum"]}
            for name, pick in extra.items():
                values[name] = pick(forum)
            return values

        return params

    def first_project(forum: dict[str, Any]) -> str:
        return str(forum["projects"][0])

    on_shared = params_of(shared)
    on_shared_project = params_of(shared, project_id=first_project)

    def with_(**fields: Any) -> Any:
        def body(w: World) -> dict[str, Any]:
            return {"command_id": w.new_id(), **{k: (v(w) if callable(v) else v) for k, v in fields.items()}}

        return body

    rules_body = {"criteria": [{"key": "usagers", "label": "Utilité", "weight": 2}], "scale_min": 1, "scale_max": 5}

    def published(w: World) -> dict[str, Any]:
        found: dict[str, Any] = w.ensure(
            "published", lambda: new_forum(w, nominated=1, deliberation="closed", published=True)
        )
        return found

    def unpublished(w: World) -> dict[str, Any]:
        found: dict[str, Any] = w.ensure("unpublished", lambda: new_forum(w, nominated=1, deliberation="closed"))
        return found

    def ref_of(make: Any, field: str = "forum_id") -> Any:
        def params(w: World) -> dict[str, str]:
            forum = make(w)
            w.settle()
            return {"ref": str(forum[field])}

        return params

    def invited(w: World) -> dict[str, Any]:
        """A fresh forum where A is invited and has not answered yet."""
        key = f"i-{w.new_id()[:12]}"
        planned = plans(
            app(w), host(w), w.new_id(), host=A, key=key, title=f"Forum {key}", kind="forum",
            starts_on=(app(w).clock() + timedelta(days=30)).date(), place="Lille", quota=3,
        )  # fmt: skip
        sends(Invite)(app(w), host(w), w.new_id(), host=A, forum_id=UUID(planned["id"]), organisation=A)
        return {"host": A, "forum": key, "forum_id": planned["id"], "projects": []}

    def coach_of(w: World, forum: dict[str, Any]) -> str:
        with w.services.db.connect(autocommit=True) as conn:
            row = conn.execute(
                "SELECT person_id FROM read.forum_coaches WHERE forum_id = %s ORDER BY appointed_at LIMIT 1",
                (forum["forum_id"],),
            ).fetchone()
        assert row is not None
        return str(row[0])

    def deliberating(w: World) -> dict[str, Any]:
        """A forum whose deliberation is open (no scores: the jury designates freely)."""
        found: dict[str, Any] = w.ensure("deliberating", lambda: new_forum(w, nominated=1, deliberation="open"))
        return found

    def voting(w: World) -> dict[str, Any]:
        found: dict[str, Any] = w.ensure("voting", lambda: new_forum(w, nominated=1, vote="prize"))
        return found

    latest: dict[str, dict[str, Any]] = {}

    def remembered(make: Any) -> Any:
        """The forum made for this cell's path, kept for its body (``params`` is called before ``body``)."""

        def made(w: World) -> dict[str, Any]:
            latest["forum"] = make(w)
            return latest["forum"]

        return made

    def with_key(make: Any, **extra: Any) -> Any:
        on = params_of(make)
        return lambda w: {**on(w), **extra}

    base = "/api/v1/forums/{host}/{forum}"
    return {
        ("GET", "/api/v1/forums"): Case(api_signed_in()),
        ("POST", "/api/v1/forums/{host}"): Case(
            host_creates,
            params=lambda w: {"host": A},
            body=with_(
                key=lambda w: f"p-{w.new_id()[:12]}",
                title="Forum de printemps",
                kind="forum",
                starts_on=lambda w: (app(w).clock() + timedelta(days=60)).date().isoformat(),
                place="Lille",
                quota=3,
            ),
        ),
        ("GET", base): Case(api_members(), params=on_shared),
        ("PATCH", base): Case(
            host_only,
            params=on_shared,
            body=with_(
                title="Forum de printemps",
                place="Lille",
                starts_on=lambda w: (app(w).clock() + timedelta(days=30)).date().isoformat(),
            ),
        ),
        ("PUT", f"{base}/budget"): Case(host_only, params=on_shared, body=with_(budget_cents=2_000_000)),
        ("GET", f"{base}/overview"): Case(api_readers(), params=on_shared),
        ("POST", f"{base}/invitations"): Case(
            host_creates, params=on_shared, body=with_(organisation=lambda w: f"org-{w.new_id()[:10]}")
        ),
        ("POST", f"{base}/invitations/{{organisation}}/accept"): Case(
            expect(401, 403, 200, 403, 404, 404, 200),
            params=with_key(invited, organisation=A),
            body=command,
        ),
        ("POST", f"{base}/invitations/{{organisation}}/decline"): Case(
            expect(401, 403, 200, 403, 404, 404, 200),
            params=with_key(invited, organisation=A),
            body=with_(reason="Pas cette année."),
        ),
        ("PUT", f"{base}/quotas/{{organisation}}"): Case(
            host_only, params=lambda w: {**on_shared(w), "organisation": A}, body=with_(quota=10)
        ),
        ("PUT", f"{base}/prizes/{{key}}"): Case(
            host_only,
            params=with_key(shared, key="coup_de_coeur"),
            body=with_(label="Coup de cœur", kind="special"),
        ),
        ("GET", f"{base}/nominations"): Case(api_readers(), params=on_shared),
        ("POST", f"{base}/nominations"): Case(
            expect(401, 403, 201, 403, 404, 404, 201),
            params=on_shared,
            body=with_(project_id=selected_project, project_organisation=A),
        ),
        ("POST", f"{base}/nominations/{{project_id}}/withdraw"): Case(
            expect(401, 403, 200, 403, 404, 404, 200),
            params=params_of(lambda w: new_forum(w, nominated=1), project_id=first_project),
            body=with_(reason="Équipe indisponible."),
        ),
        ("POST", f"{base}/coaches"): Case(
            host_creates,
            params=on_shared,
            body=with_(person_id=lambda w: w.fresh_person(organisation=A), organisation=A),
        ),
        ("GET", f"{base}/coaching"): Case(api_readers(), params=on_shared),
        ("PUT", f"{base}/coaching"): Case(
            host_only,
            params=on_shared,
            body=lambda w: {
                "command_id": w.new_id(),
                "project_ids": [first_project(shared(w))],
                "coach_ids": [coach_of(w, shared(w))],
                "starts_at": (app(w).clock() + timedelta(days=29)).isoformat(),
            },
        ),
        # the team (A's agent wrote the projects), the host and auditors read a team's coaching
        ("GET", f"{base}/coaching/{{project_id}}"): Case(api_members(), params=on_shared_project),
        ("POST", f"{base}/coaching/{{project_id}}/sessions"): Case(
            nobody_but, params=on_shared_project, body=with_(notes="Notes.", problem_statement="Comment ?")
        ),
        ("GET", f"{base}/running-order"): Case(api_members(), params=on_shared),
        ("PUT", f"{base}/running-order"): Case(
            host_only,
            params=on_shared,
            body=lambda w: {
                "command_id": w.new_id(),
                "project_ids": shared(w)["projects"],
                "starts_at": (app(w).clock() + timedelta(days=30)).isoformat(),
            },
        ),
        ("GET", f"{base}/stage"): Case(api_readers(), params=on_shared),
        ("POST", f"{base}/pitches/{{project_id}}"): Case(
            host_creates,
            params=params_of(lambda w: new_forum(w, nominated=1, order=True), project_id=first_project),
            body=with_(duration_seconds=181),
        ),
        ("POST", f"{base}/pitches/{{project_id}}/absence"): Case(
            host_creates,
            params=params_of(lambda w: new_forum(w, nominated=1, order=True), project_id=first_project),
            body=command,
        ),
        ("GET", f"{base}/jury"): Case(api_readers(), params=on_shared),
        ("POST", f"{base}/jurors"): Case(
            host_creates,
            params=on_shared,
            body=with_(person_id=lambda w: w.fresh_person(organisation=A), organisation=A, college="élu"),
        ),
        ("PUT", f"{base}/jury/rules"): Case(host_only, params=on_shared, body=with_(rules=rules_body)),
        ("POST", f"{base}/jury/rules/amendments"): Case(
            host_creates, params=on_shared, body=with_(rules=rules_body, reason="Précision de l'échelle.")
        ),
        ("GET", f"{base}/progress"): Case(api_readers(), params=on_shared),
        ("GET", f"{base}/my-scores"): Case(nobody_but, params=on_shared),
        ("PUT", f"{base}/scores/{{project_id}}"): Case(
            nobody_but, params=on_shared_project, body=with_(scores={"usagers": 3})
        ),
        ("POST", f"{base}/conflicts"): Case(
            nobody_but,
            params=on_shared,
            body=lambda w: {"command_id": w.new_id(), "project_id": first_project(shared(w)), "reason": "Collègue."},
        ),
        ("GET", f"{base}/ranking"): Case(api_readers(), params=on_shared),
        ("POST", f"{base}/ranking"): Case(host_creates, params=on_shared, body=command),
        # the shared forum declares no jury vote among its tie-breaks: the host's cells are refused by that rule
        ("POST", f"{base}/ties"): Case(
            expect(401, 403, 409, 403, 404, 404, 409),
            params=on_shared,
            body=lambda w: {"command_id": w.new_id(), "project_ids": shared(w)["projects"], "rationale": "Vote."},
        ),
        ("GET", f"{base}/deliberation"): Case(api_readers(), params=on_shared),
        ("POST", f"{base}/deliberation/open"): Case(
            host_only, params=params_of(lambda w: new_forum(w, nominated=1)), body=command
        ),
        ("PUT", f"{base}/deliberation/{{prize_key}}"): Case(
            host_only,
            params=with_key(deliberating, prize_key="laureats"),
            body=lambda w: {"command_id": w.new_id(), "project_ids": [first_project(deliberating(w))]},
        ),
        ("POST", f"{base}/deliberation/close"): Case(
            host_only, params=params_of(lambda w: new_forum(w, nominated=1, deliberation="open")), body=command
        ),
        ("GET", f"{base}/votes"): Case(api_readers(), params=on_shared),
        ("PUT", f"{base}/votes/{{prize_key}}"): Case(
            host_only,
            params=with_key(voting, prize_key="public"),
            body=lambda w: {
                "command_id": w.new_id(),
                "electorate": [{"person_id": w.members["agent_a"].person_id, "organisation": A}],
                "opens_at": (app(w).clock() + timedelta(days=1)).isoformat(),
                "closes_at": (app(w).clock() + timedelta(days=2)).isoformat(),
                "allow_own_organisation": True,
                "draw_seed": "graine",
            },
        ),
        # A's agent is the electorate: theirs are the voter's cells
        ("GET", f"{base}/my-ballots"): Case(expect(401, 200, 403, 403, 404, 404, 403), params=on_shared),
        ("POST", f"{base}/votes/{{prize_key}}/ballots"): Case(
            expect(401, 201, 403, 403, 404, 404, 403),
            params=with_key(remembered(lambda w: new_forum(w, nominated=1, vote="open")), prize_key="public"),
            body=lambda w: {"command_id": w.new_id(), "project_id": first_project(latest["forum"])},
        ),
        ("POST", f"{base}/votes/{{prize_key}}/count"): Case(
            host_only,
            params=with_key(lambda w: new_forum(w, nominated=1, vote="closed"), prize_key="public"),
            body=command,
        ),
        ("GET", f"{base}/palmares"): Case(expect(401, 403, 200, 200, 404, 404, 200), params=params_of(unpublished)),
        ("POST", f"{base}/palmares/publish"): Case(
            host_only, params=params_of(lambda w: new_forum(w, nominated=1, deliberation="closed")), body=command
        ),
        # the public palmarès: an unpublished one is a 404 to all but its host and auditors (and jury)
        ("GET", "/api/v1/public/palmares"): Case(public()),
        ("GET", "/api/v1/public/palmares/{ref}"): Case(draft_readers, params=ref_of(unpublished)),
        ("GET", "/api/v1/public/palmares/{ref}/laureates.json"): Case(public(), params=ref_of(published)),
        ("GET", "/api/v1/public/palmares/{ref}/laureates.csv"): Case(public(), params=ref_of(published)),
        ("GET", "/api/v1/public/open-data/palmares.json"): Case(public()),
        ("GET", "/api/v1/public/open-data/palmares.csv"): Case(public()),
        ("GET", "/palmares"): Case(public()),
        ("GET", "/palmares/feed.atom"): Case(public()),
        ("GET", "/palmares/{ref}"): Case(draft_readers, params=ref_of(unpublished)),
    }
