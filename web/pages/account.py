"""Pages of people and access: sign-in, invitation, password reset, my account, API tokens, members, administration."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.errors import Conflict, DomainError, Invalid, NotFound
from domain.organisation import KIND_LABELS
from domain.person import ROLE_LABELS, check_email, roles_for
from domain.values import Role, check_text
from forum.access import PLATFORM, Actor, require_admin
from forum.auth import PASSWORD_MIN, AccountDisabled, LinkInvalid, TooManyAttempts, WrongCredentials
from projections.directory import get_organisation, list_organisations
from projections.people import forum_roles_of, get_member, list_members
from web.auth import client_address, expired_session_cookie, safe_next, session_cookie, session_secret
from web.commands import command_id_of, form_of, settled
from web.context import actor_of, services_of
from web.pages import base

NOTICES = {
    "bienvenue": "Bienvenue ! Votre compte est prêt et vous êtes connecté(e).",
    "mot-de-passe": "Votre mot de passe a été changé.",
    "nom": "Votre nom a été enregistré.",
    "deconnecte": "Vous êtes déconnecté(e).",
    "debloque": "Le blocage des tentatives de connexion à votre compte est levé : vous pouvez vous connecter.",
    "partout": "Vous êtes déconnecté(e) de tous vos appareils.",
    "invite": "Invitation envoyée.",
    "reinvite": "Nouvelle invitation envoyée ; le lien précédent ne fonctionne plus.",
    "role": "Rôle changé.",
    "desactive": "Compte désactivé : ses sessions et ses jetons ne fonctionnent plus.",
    "reactive": "Compte réactivé : la personne peut de nouveau se connecter.",
    "revoque": "Jeton révoqué.",
    "organisation": "Organisation inscrite ; son premier organisateur a reçu une invitation.",
}
FIELD_REFUSALS = (Invalid, Conflict)  # shown beside the form; NotFound and Forbidden are error pages


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    return base.page(request, template, NOTICES, status=status, **{**context, "minimum": PASSWORD_MIN})


LABELS = {
    "name": "Nom",
    "email": "Adresse électronique",
    "role": "Rôle",
    "password": "Mot de passe",
    "confirm": "Confirmation",
    "current": "Mot de passe actuel",
    "slug": "Identifiant court",
    "kind": "Type",
    "organiser_name": "Nom de l'organisateur",
    "organiser_email": "Adresse électronique de l'organisateur",
}


def refused(error: DomainError) -> dict[str, Any]:
    """The context that shows a refusal beside the form: the message (naming fields as the form does), the field."""
    message = error.message
    if error.field:
        message = message.replace(f"« {error.field} »", f"« {LABELS.get(error.field, error.field)} »")
    return {
        "errors": {error.field: message} if error.field else {},
        "problem": message,
        "status": 400 if error.status == 401 else error.status,
    }


def role_options(organisation: str) -> list[tuple[str, str]]:
    return [(role, ROLE_LABELS[role]) for role in roles_for(organisation)]


async def organisation_name(request: Request[Any, Any, Any], slug: str) -> str:
    if slug == PLATFORM:
        return "Administrateurs de la plateforme"
    entry = await get_organisation(request.app.state.reader, slug)
    if entry is None:
        raise NotFound(f"Organisation « {slug} » introuvable.")
    return entry.name


def with_session(target: str, secret: str, request: Request[Any, Any, Any]) -> Redirect:
    return Redirect(target, status_code=303, cookies=[session_cookie(secret, services_of(request).settings)])


async def signed_in(target: str, actor: Actor, request: Request[Any, Any, Any]) -> Redirect:
    """To ``target``, with a session opened for ``actor`` (who just chose their password)."""
    secret = await sync_to_thread(
        services_of(request).auth.open_session,
        actor.person_id,
        actor.organisation,
        address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    return with_session(target, secret, request)


def check_confirmation(form: dict[str, str]) -> None:
    if form.get("password", "") != form.get("confirm", ""):
        raise Invalid("Les deux mots de passe saisis sont différents.", field="confirm", rule="confirmation")


class SignInPages(Controller):
    """Signing in and out, accepting an invitation, resetting a forgotten password."""

    include_in_schema = False

    @get("/connexion")
    async def sign_in_form(self, request: Request[Any, Any, Any], suite: FromQuery[str] = "") -> Template:
        return page(request, "signin.html", suite=safe_next(suite), email="")

    @post("/connexion")
    async def sign_in(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await form_of(request)
        auth = services_of(request).auth
        try:
            secret = await sync_to_thread(
                auth.sign_in,
                form.get("email", ""),
                form.get("password", ""),
                address=client_address(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except (WrongCredentials, AccountDisabled, TooManyAttempts) as error:
            context = refused(error)
            return page(
                request,
                "signin.html",
                status=context["status"],
                problem=context["problem"],
                suite=safe_next(form.get("suite")),
                email=form.get("email", ""),
            )
        return with_session(safe_next(form.get("suite")), secret, request)

    @post("/deconnexion")
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        secret = session_secret(request.scope)
        if secret:
            await sync_to_thread(services_of(request).auth.close_session, secret)
        return Redirect(
            "/connexion?ok=deconnecte", status_code=303, cookies=[expired_session_cookie(services_of(request).settings)]
        )

    @get("/deblocage/{secret:str}")
    async def unlock_form(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template:
        """The page an unlock link opens: a button (a mail scanner that follows the link spends nothing)."""
        try:
            await sync_to_thread(services_of(request).auth.check_link, "unlock", secret)
        except LinkInvalid as error:
            return page(request, "link_invalid.html", status=404, detail=error.message, purpose="unlock")
        return page(request, "unlock.html", secret=secret)

    @post("/deblocage/{secret:str}")
    async def unlock(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template | Redirect:
        try:
            await sync_to_thread(services_of(request).auth.unlock, secret)
        except LinkInvalid as error:
            return page(request, "link_invalid.html", status=404, detail=error.message, purpose="unlock")
        return Redirect("/connexion?ok=debloque", status_code=303)

    @get("/mot-de-passe-oublie")
    async def forgotten_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "password_forgotten.html", email="", link_days=services_of(request).settings.link_days)

    @post("/mot-de-passe-oublie")
    async def forgotten(self, request: Request[Any, Any, Any]) -> Template:
        form = await form_of(request)
        settings = services_of(request).settings
        try:
            await sync_to_thread(services_of(request).people.request_password_reset, form.get("email", ""))
        except Invalid as error:
            context = refused(error)
            return page(
                request,
                "password_forgotten.html",
                status=context["status"],
                errors=context["errors"],
                problem=context["problem"],
                email=form.get("email", ""),
                link_days=settings.link_days,
            )
        return page(
            request,
            "password_forgotten.html",
            email="",
            link_days=settings.link_days,
            notice="Si cette adresse correspond à un compte actif, un lien vient de lui être envoyé.",
        )

    async def _link_page(
        self, request: Request[Any, Any, Any], purpose: str, secret: str, *, status: int = 200, **context: Any
    ) -> Template:
        try:
            person = await sync_to_thread(services_of(request).people.describe_link, purpose, secret)
        except LinkInvalid as error:
            return page(request, "link_invalid.html", status=404, detail=error.message, purpose=purpose)
        invitation = purpose == "invitation"
        return page(
            request,
            "password_form.html",
            status=status,
            person=person,
            invitation=invitation,
            heading="Rejoindre Forum" if invitation else "Choisir un nouveau mot de passe",
            button="Accepter l'invitation" if invitation else "Enregistrer le mot de passe",
            action=f"/{'invitation' if invitation else 'reinitialisation'}/{secret}",
            organisation_name=await organisation_name(request, person.organisation),
            role_label=ROLE_LABELS.get(person.role, person.role),
            name=context.pop("name", person.name),
            **context,
        )

    @get("/invitation/{secret:str}")
    async def invitation_form(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template:
        return await self._link_page(request, "invitation", secret)

    @post("/invitation/{secret:str}")
    async def accept_invitation(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template | Redirect:
        form = await form_of(request)
        services = services_of(request)
        try:
            check_confirmation(form)
            actor: Actor = await sync_to_thread(
                services.people.accept_invitation, secret, password=form.get("password", ""), name=form.get("name")
            )
        except LinkInvalid as error:
            return page(request, "link_invalid.html", status=404, detail=error.message, purpose="invitation")
        except FIELD_REFUSALS as error:
            return await self._link_page(request, "invitation", secret, name=form.get("name", ""), **refused(error))
        await settled(request, ("people",))
        return await signed_in("/compte?ok=bienvenue", actor, request)

    @get("/reinitialisation/{secret:str}")
    async def reset_form(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template:
        return await self._link_page(request, "reset", secret)

    @post("/reinitialisation/{secret:str}")
    async def reset(self, request: Request[Any, Any, Any], secret: FromPath[str]) -> Template | Redirect:
        form = await form_of(request)
        services = services_of(request)
        try:
            check_confirmation(form)
            actor: Actor = await sync_to_thread(
                services.people.reset_password, secret, password=form.get("password", "")
            )
        except LinkInvalid as error:
            return page(request, "link_invalid.html", status=404, detail=error.message, purpose="reset")
        except FIELD_REFUSALS as error:
            return await self._link_page(request, "reset", secret, **refused(error))
        return await signed_in("/compte?ok=mot-de-passe", actor, request)


class AccountPages(Controller):
    """My account: who I am, my name and password, my sessions, my API tokens."""

    path = "/compte"
    include_in_schema = False

    async def _account(self, request: Request[Any, Any, Any], *, status: int = 200, **context: Any) -> Template:
        actor = actor_of(request)
        reader = request.app.state.reader
        services = services_of(request)
        me = await get_member(reader, actor.organisation, actor.person_id)
        members_link = None
        if actor.is_admin or actor.roles & {Role.ORGANISER, Role.AUDITOR}:
            members_link = f"/organisations/{actor.organisation}/membres"
        return page(
            request,
            "account.html",
            status=status,
            me=me,
            forum_roles=await forum_roles_of(reader, actor.person_id),
            organisation_name=await organisation_name(request, actor.organisation),
            role_label=ROLE_LABELS.get(actor.role, actor.role or "aucun"),
            members_link=members_link,
            sessions=await sync_to_thread(services.auth.sessions_of, actor.person_id),
            **context,
        )

    @get("/")
    async def account(self, request: Request[Any, Any, Any]) -> Template:
        return await self._account(request)

    @post("/nom")
    async def rename(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        actor = actor_of(request)
        form = await form_of(request)
        try:
            await sync_to_thread(
                services_of(request).people.rename, actor, command_id_of(form), name=form.get("name", "")
            )
        except FIELD_REFUSALS as error:
            return await self._account(request, **refused(error))
        await settled(request, ("people",))
        return Redirect("/compte?ok=nom", status_code=303)

    @post("/mot-de-passe")
    async def change_password(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        actor = actor_of(request)
        form = await form_of(request)
        try:
            check_confirmation(form)
            await sync_to_thread(
                services_of(request).people.change_password,
                actor,
                command_id_of(form),
                current=form.get("current", ""),
                password=form.get("password", ""),
                keep_session=session_secret(request.scope),
            )
        except FIELD_REFUSALS as error:
            return await self._account(request, **refused(error))
        await settled(request, ("people",))
        return Redirect("/compte?ok=mot-de-passe", status_code=303)

    @post("/deconnexion-partout")
    async def sign_out_everywhere(self, request: Request[Any, Any, Any]) -> Redirect:
        actor = actor_of(request)
        services = services_of(request)
        await sync_to_thread(services.auth.close_sessions, actor.person_id)
        return Redirect("/connexion?ok=partout", status_code=303, cookies=[expired_session_cookie(services.settings)])

    async def _tokens(self, request: Request[Any, Any, Any], *, status: int = 200, **context: Any) -> Template:
        actor = actor_of(request)
        tokens = await sync_to_thread(services_of(request).auth.tokens_of, actor.person_id)
        return page(request, "tokens.html", status=status, tokens=tokens, **context)

    @get("/jetons")
    async def tokens(self, request: Request[Any, Any, Any]) -> Template:
        return await self._tokens(request)

    @post("/jetons")
    async def issue_token(self, request: Request[Any, Any, Any]) -> Template:
        actor = actor_of(request)
        form = await form_of(request)
        try:
            issued = await sync_to_thread(services_of(request).auth.issue_token, actor, form.get("name", ""))
        except FIELD_REFUSALS as error:
            return await self._tokens(request, **refused(error))
        return await self._tokens(request, status=201, new_token=issued)

    @post("/jetons/{token_id:str}/revocation")
    async def revoke_token(self, request: Request[Any, Any, Any], token_id: FromPath[str]) -> Redirect:
        actor = actor_of(request)
        await sync_to_thread(services_of(request).auth.revoke_token, actor, token_id)
        return Redirect("/compte/jetons?ok=revoque", status_code=303)


class MembersPages(Controller):
    """An organisation's people: its organisers invite, change roles, deactivate; its auditors read."""

    path = "/organisations/{slug:str}/membres"
    include_in_schema = False

    async def _members(
        self,
        request: Request[Any, Any, Any],
        slug: str,
        *,
        status: int = 200,
        form: dict[str, str] | None = None,
        **context: Any,
    ) -> Template:
        actor = actor_of(request)
        people = services_of(request).people
        people.may_read_members(actor, slug)
        name = await organisation_name(request, slug)
        try:
            people.may_manage(actor, slug)
            may_manage = True
        except DomainError:
            may_manage = False
        roles = role_options(slug)
        return page(
            request,
            "members.html",
            status=status,
            organisation_name=name,
            members=await list_members(request.app.state.reader, slug),
            may_manage=may_manage,
            roles=roles,
            base=f"/organisations/{slug}/membres",
            link_days=services_of(request).settings.link_days,
            form=form or {"name": "", "email": "", "role": roles[-1][0] if slug == PLATFORM else "agent"},
            **context,
        )

    @get("/")
    async def members(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        return await self._members(request, slug)

    @post("/")
    async def invite(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template | Redirect:
        actor = actor_of(request)
        form = await form_of(request)
        try:
            await sync_to_thread(
                services_of(request).people.invite,
                actor,
                command_id_of(form),
                organisation=slug,
                email=form.get("email", ""),
                name=form.get("name", ""),
                role=form.get("role", ""),
            )
        except FIELD_REFUSALS as error:
            return await self._members(request, slug, form=form, **refused(error))
        await settled(request, ("people",))
        return Redirect(f"/organisations/{slug}/membres?ok=invite", status_code=303)

    async def _act(
        self, request: Request[Any, Any, Any], slug: str, person_id: str, command: str, notice: str
    ) -> Template | Redirect:
        actor = actor_of(request)
        form = await form_of(request)
        people = services_of(request).people
        arguments: dict[str, Any] = {"organisation": slug, "person_id": person_id}
        if command == "change_role":
            arguments["role"] = form.get("role", "")
        try:
            await sync_to_thread(getattr(people, command), actor, command_id_of(form), **arguments)
        except FIELD_REFUSALS as error:
            context = refused(error)
            return await self._members(request, slug, status=context["status"], problem=context["problem"])
        await settled(request, ("people",))
        return Redirect(f"/organisations/{slug}/membres?ok={notice}", status_code=303)

    @post("/{person_id:str}/role")
    async def change_role(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str]
    ) -> Template | Redirect:
        return await self._act(request, slug, person_id, "change_role", "role")

    @post("/{person_id:str}/desactivation")
    async def deactivate(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str]
    ) -> Template | Redirect:
        return await self._act(request, slug, person_id, "deactivate", "desactive")

    @post("/{person_id:str}/reactivation")
    async def reactivate(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str]
    ) -> Template | Redirect:
        return await self._act(request, slug, person_id, "reactivate", "reactive")

    @post("/{person_id:str}/invitation")
    async def renew_invitation(
        self, request: Request[Any, Any, Any], slug: FromPath[str], person_id: FromPath[str]
    ) -> Template | Redirect:
        return await self._act(request, slug, person_id, "renew_invitation", "reinvite")


class AdminPages(Controller):
    """Platform administration: register an organisation and invite its first organiser."""

    path = "/admin"
    include_in_schema = False

    async def _organisations(
        self, request: Request[Any, Any, Any], *, status: int = 200, form: dict[str, str] | None = None, **context: Any
    ) -> Template:
        require_admin(actor_of(request))
        return page(
            request,
            "admin_organisations.html",
            status=status,
            organisations=await list_organisations(request.app.state.reader),
            kinds=[(kind.value, label) for kind, label in KIND_LABELS.items()],
            form=form or {"name": "", "slug": "", "kind": "departement", "organiser_name": "", "organiser_email": ""},
            **context,
        )

    @get("/organisations")
    async def organisations(self, request: Request[Any, Any, Any]) -> Template:
        return await self._organisations(request)

    @post("/organisations")
    async def register(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        actor = actor_of(request)
        require_admin(actor)
        form = await form_of(request)
        services = services_of(request)
        command_id = command_id_of(form)

        def register_and_invite() -> None:
            # the first organiser is checked before the organisation is registered: no half-done registration
            email = check_email(form.get("organiser_email", ""), field="organiser_email")
            name = check_text(form.get("organiser_name", ""), "organiser_name", max_length=200)
            services.app.register_organisation(
                actor, command_id, slug=form.get("slug", ""), name=form.get("name", ""), kind=form.get("kind", "")
            )
            try:
                services.people.invite(
                    actor,
                    f"{command_id}.organiser",
                    organisation=form.get("slug", ""),
                    email=email,
                    name=name,
                    role=Role.ORGANISER,
                )
            except DomainError as error:
                if error.field in ("email", "name"):
                    error.field = f"organiser_{error.field}"
                raise

        try:
            await sync_to_thread(register_and_invite)
        except FIELD_REFUSALS as error:
            return await self._organisations(request, form=form, command_id=command_id, **refused(error))
        await settled(
            request,
            (
                "directory",
                "people",
            ),
        )
        return Redirect("/admin/organisations?ok=organisation", status_code=303)
