"""The ``forum`` command: serve, demo, organisations, projections, database, audit, mail, administrators, people."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from domain.errors import DomainError
from domain.organisation import Kind
from forum.access import SYSTEM
from forum.auth import install_log_context
from forum.entrypoints.bootstrap import MIGRATIONS, bootstrap, projector, reader_pool, resources
from forum.services import Services
from forum.settings import Settings, SettingsError

Handler = Callable[[argparse.Namespace, Services], int]


def _fail(message: str, code: int = 1) -> int:
    print(f"forum: {message}", file=sys.stderr)
    return code


def cmd_serve(args: argparse.Namespace, services: Services) -> int:
    import uvicorn

    from web.app import create_app

    host = args.host or services.settings.host
    port = args.port or services.settings.port
    app = create_app(services, resources(services.db), run_projector=not args.no_projector)
    _announce_admin(services)
    print(f"Forum est prêt : http://{host}:{port}/  (API : http://{host}:{port}/api/schema)", flush=True)
    _exit_cleanly_on_sigterm()
    # X-Forwarded-For is read by web.auth.client_address from FORUM_TRUSTED_PROXIES only, never by uvicorn
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False)
    return 0


def _announce_admin(services: Services) -> None:
    """Development: print the administrator account a newcomer signs in with (created on first start)."""
    if services.settings.environment == "production":
        return
    account = services.people.ensure_admin(data_dir=services.settings.data_dir)
    if account.password:
        note = " (compte créé à l'instant)" if account.created else ""
        print(f"Administrateur : {account.email}  mot de passe : {account.password}{note}", flush=True)
    else:
        print(
            f"Administrateur : {account.email}  (mot de passe choisi plus tôt ; "
            "FORUM_ADMIN_PASSWORD=… forum serve pour en imposer un)",
            flush=True,
        )


def cmd_mail_deliver(args: argparse.Namespace, services: Services) -> int:
    if not services.settings.smtp_url:
        return _fail("SMTP_URL n'est pas défini : les courriels restent dans la boîte d'envoi (forum mail outbox)")
    print(f"{services.mail.deliver_pending(limit=args.limit)} courriel(s) en attente envoyé(s) ou retenté(s)")
    return 0


def cmd_mail_outbox(args: argparse.Namespace, services: Services) -> int:
    mails = services.mail.outbox(limit=args.limit, recipient=args.to)
    for mail in reversed(mails):
        state = "envoyé" if mail.sent_at else ("échec : " + mail.error if mail.error else "non envoyé (pas de SMTP)")
        print(f"--- n° {mail.id} · {mail.created_at:%Y-%m-%d %H:%M} · {mail.organisation} · {state}")
        print(f"À : {mail.recipient}\nObjet : {mail.subject}\n\n{mail.body}")
    if not mails:
        print("(aucun courriel)")
    return 0


def cmd_admin_create(args: argparse.Namespace, services: Services) -> int:
    import secrets

    password = args.password or secrets.token_urlsafe(12)
    person_id = services.people.create_admin(args.email, password=password, name=args.name)
    print(f"Administrateur créé : {args.email} ({person_id})")
    if not args.password:
        print(f"Mot de passe (affiché une seule fois) : {password}")
    return 0


def cmd_people_invite(args: argparse.Namespace, services: Services) -> int:
    result = services.people.invite(
        SYSTEM,
        args.command_id or uuid.uuid4().hex,
        organisation=args.organisation,
        email=args.email,
        name=args.name,
        role=args.role,
    )
    print(f"Invitation envoyée à {result['email']} ({result['person_id']}) : voir `forum mail outbox`")
    return 0


def _exit_cleanly_on_sigterm() -> None:
    """Uvicorn re-raises SIGTERM after its graceful shutdown; make that an ordinary exit, so the embedded
    database is stopped by its exit handler instead of being left running."""
    import signal

    def leave(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)


async def _catch_up(services: Services) -> None:
    p = await projector(services.db)
    try:
        await p.catch_up()
    finally:
        await p.pool.close()


def cmd_orgs_add(args: argparse.Namespace, services: Services) -> int:
    result = services.app.register_organisation(
        SYSTEM, args.command_id or uuid.uuid4().hex, slug=args.slug, name=args.name, kind=args.kind
    )
    print(f"Organisation enregistrée : {result['slug']} ({args.name})")
    return 0


def cmd_orgs_rename(args: argparse.Namespace, services: Services) -> int:
    services.app.rename_organisation(SYSTEM, args.command_id or uuid.uuid4().hex, slug=args.slug, name=args.name)
    print(f"Organisation renommée : {args.slug} → {args.name}")
    return 0


def cmd_orgs_list(args: argparse.Namespace, services: Services) -> int:
    from projections.directory import list_organisations

    async def run() -> list[Any]:
        await _catch_up(services)
        pool = await reader_pool(services.db, max_size=1)
        try:
            return list(await list_organisations(pool))
        finally:
            await pool.close()

    entries = asyncio.run(run())
    if args.json:
        print(json.dumps([{"slug": e.slug, "name": e.name, "kind": e.kind} for e in entries], ensure_ascii=False))
    else:
        for e in entries:
            print(f"{e.slug:<24} {e.kind_label:<12} {e.name}")
        print(f"({len(entries)} organisation{'s' if len(entries) != 1 else ''})")
    return 0


def cmd_projections_status(args: argparse.Namespace, services: Services) -> int:
    async def run() -> list[Any]:
        p = await projector(services.db)
        try:
            return list(await p.status())
        finally:
            await p.pool.close()

    statuses = asyncio.run(run())
    print(f"{'projection':<20} {'position':>10} {'head':>10} {'behind':>8} {'seconds':>9}  état")
    for s in statuses:
        state = "ok"
        if s.faulted:
            state = f"ARRÊTÉE à l'événement {s.failed_position} ({s.attempts} essai(s)) : {s.error}"
        elif s.rebuild_position is not None:
            state = f"reconstruction en cours ({s.rebuild_position}/{s.head})"
        print(
            f"{s.projection:<20} {s.position:>10} {s.head:>10} {s.behind_events:>8} {s.behind_seconds:>9.1f}  {state}"
        )
    return 1 if any(s.faulted for s in statuses) else 0


def cmd_projections_rebuild(args: argparse.Namespace, services: Services) -> int:
    from projections.projector import ProgressBar

    async def run() -> int:
        p = await projector(services.db, batch_size=args.batch_size)
        try:
            p.projection(args.name)
            bar = ProgressBar(f"{args.name}" + (f" ({args.organisation})" if args.organisation else ""))
            count: int = await p.rebuild(args.name, args.organisation, progress=None if args.quiet else bar)
            if not args.quiet:
                bar.close()
            return count
        finally:
            await p.pool.close()

    from projections.projector import RebuildFailed

    try:
        count = asyncio.run(run())
    except LookupError as error:
        return _fail(str(error.args[0]), 2)
    except RebuildFailed as error:
        print(file=sys.stderr)
        return _fail(f"reconstruction abandonnée, les tables en service sont intactes — {error}")
    print(f"{args.name} reconstruite : {count} événements rejoués")
    return 0


def cmd_projections_catchup(args: argparse.Namespace, services: Services) -> int:
    async def run() -> tuple[int, list[Any]]:
        p = await projector(services.db, batch_size=args.batch_size)
        try:
            count: int = await p.catch_up()
            stopped = [s for s in await p.status() if s.faulted]
            return count, stopped
        finally:
            await p.pool.close()

    count, stopped = asyncio.run(run())
    print(f"{count} événements projetés")
    for s in stopped:
        _fail(f"projection {s.projection} arrêtée à l'événement {s.failed_position} : {s.error}")
    return 1 if stopped else 0


def cmd_projections_run(args: argparse.Namespace, services: Services) -> int:
    async def run() -> None:
        p = await projector(services.db)
        stop = asyncio.Event()
        try:
            await p.run(stop)
        finally:
            await p.pool.close()

    print("projecteur démarré (Ctrl-C pour arrêter)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


def cmd_demo(args: argparse.Namespace, services: Services) -> int:
    from forum.entrypoints import demo
    from forum.entrypoints.demo import DEMO_PASSWORD, FORUM_2019_AUDITOR

    print("Chargement des programmes 2019 (idempotent : une seconde fois ne change rien)…", flush=True)
    for name, loaded in demo.load(services.app, services.people).items():
        print(f"  {name} : " + ", ".join(f"{k} {v}" for k, v in loaded.items()))
    print(f"  comptes de démonstration : <rôle>@<organisation>.demo.forum.local, mot de passe « {DEMO_PASSWORD} »")
    print(f"  auditrice du forum 2019 : {FORUM_2019_AUDITOR}, mot de passe « {DEMO_PASSWORD} » (pages /audit)")
    asyncio.run(_catch_up(services))
    _announce_admin(services)
    return 0


def cmd_db_info(args: argparse.Namespace, services: Services) -> int:
    from forum.database import info

    for key, value in info(services.db, MIGRATIONS).items():
        print(f"{key:<28} {value}")
    return 0


def cmd_db_migrate(args: argparse.Namespace, services: Services) -> int:
    print("migrations à jour")
    return 0


def _audit_signing_key(services: Services) -> Any:
    from forum.audit_trail import signing_key

    return signing_key(services.settings)


def cmd_audit_verify(args: argparse.Namespace, services: Services) -> int:
    from forum import audit

    reports = audit.verify(services.db, args.organisation)
    for r in reports:
        head = f"tête {r.head_position} {r.head.hex()[:16]}…" if r.head else "aucun événement"
        state = "intact" if r.ok else "ROMPU"
        print(f"{r.organisation:<24} {r.events:>9} événements  {head}  {r.anchors_checked} ancrages  {state}")
        for found in r.breaks:
            print(f"    position {found.position} : {found.reason}")
    broken = [r.organisation for r in reports if not r.ok]
    if broken:
        print(f"historique ROMPU : {', '.join(broken)}")
        return 1
    print(
        f"{len(reports)} historique{'s' if len(reports) != 1 else ''} vérifié{'s' if len(reports) != 1 else ''}"
        " : chaînes et ancrages concordent"
    )
    return 0


def cmd_audit_export(args: argparse.Namespace, services: Services) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from forum import audit

    output = Path(args.output or f"audit-{args.organisation}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.jsonl")
    try:
        summary = audit.export(services.db, args.organisation, output, _audit_signing_key(services))
    except audit.ChainBroken as broken:
        return _fail(f"export refusé : {broken}")
    print(
        f"export signé : {summary.path} ({summary.events} événements jusqu'à la position {summary.head_position},"
        f" {summary.anchors} ancrages, tête {summary.head})"
    )
    return 0


def cmd_audit_verify_export(args: argparse.Namespace, services: Services) -> int:
    from pathlib import Path

    from forum import audit, audit_trail

    if audit_trail.is_trail_export(Path(args.file)):  # a forum's or an aggregate's trail, exported from the web
        return audit_trail.print_export_report(Path(args.file), args.public_key)
    return audit.print_export_report(Path(args.file), args.public_key)


def cmd_audit_anchor(args: argparse.Namespace, services: Services) -> int:
    from forum import audit

    anchors = audit.anchor(services.db, args.reason, organisation=args.organisation)
    for a in anchors:
        print(f"{a.organisation:<24} position {a.position:>9}  {a.head}  ({a.reason})")
    print(f"{len(anchors)} tête{'s' if len(anchors) != 1 else ''} ancrée{'s' if len(anchors) != 1 else ''}")
    return 0


def cmd_audit_public_key(args: argparse.Namespace, services: Services) -> int:
    from forum import audit

    key = _audit_signing_key(services)
    print(audit.public_key_pem(key) if args.pem else audit.public_key_text(key))
    return 0


def _add_audit_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="intégrité de l'historique : chaîne, ancrages, exports signés").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    verify = audit.add_parser("verify", help="recalculer les chaînes et les confronter aux ancrages")
    verify.add_argument("--organisation", help="seulement cette organisation")
    verify.set_defaults(handler=cmd_audit_verify)
    export = audit.add_parser("export", help="exporter l'historique d'une organisation, signé")
    export.add_argument("--organisation", required=True)
    export.add_argument("--output", help="fichier écrit (par défaut audit-SLUG-DATE.jsonl)")
    export.set_defaults(handler=cmd_audit_export)
    verify_export = audit.add_parser("verify-export", help="vérifier un export signé, hors ligne")
    verify_export.add_argument("file")
    verify_export.add_argument("--public-key", required=True, help="clé publique : base64, PEM, ou fichier")
    verify_export.set_defaults(handler=cmd_audit_verify_export)
    anchor = audit.add_parser("anchor", help="ancrer les têtes de chaîne (à lancer périodiquement)")
    anchor.add_argument(
        "--reason", default="périodique", help="motif (les ancrages périodiques sautent les têtes déjà ancrées)"
    )
    anchor.add_argument("--organisation", help="seulement cette organisation")
    anchor.set_defaults(handler=cmd_audit_anchor)
    public_key = audit.add_parser("public-key", help="la clé publique qui vérifie les exports")
    public_key.add_argument("--pem", action="store_true", help="au format PEM plutôt qu'en base64")
    public_key.set_defaults(handler=cmd_audit_public_key)


def _add_people_commands(sub: Any) -> None:
    """``forum mail outbox``, ``forum admin create``, ``forum people invite``."""
    mail = sub.add_parser("mail", help="courriels").add_subparsers(dest="action", required=True, metavar="ACTION")
    outbox = mail.add_parser("outbox", help="les derniers courriels écrits (invitations, réinitialisations)")
    outbox.add_argument("--limit", type=int, default=20)
    outbox.add_argument("--to", help="seulement ceux adressés à cette adresse")
    outbox.set_defaults(handler=cmd_mail_outbox)
    deliver = mail.add_parser("deliver", help="envoyer par SMTP les courriels en attente (à lancer par cron)")
    deliver.add_argument("--limit", type=int, default=100)
    deliver.set_defaults(handler=cmd_mail_deliver)

    admin = sub.add_parser("admin", help="administrateurs de la plateforme").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = admin.add_parser("create", help="créer un administrateur (mot de passe généré si absent)")
    create.add_argument("email")
    create.add_argument("--name", default="Administrateur")
    create.add_argument("--password")
    create.set_defaults(handler=cmd_admin_create)

    people = sub.add_parser("people", help="personnes").add_subparsers(dest="action", required=True, metavar="ACTION")
    invite = people.add_parser("invite", help="inviter une personne dans une organisation (lien par courriel)")
    invite.add_argument("organisation")
    invite.add_argument("email")
    invite.add_argument("--name", required=True)
    invite.add_argument("--role", required=True, choices=["organiser", "agent", "auditor", "admin"])
    invite.add_argument("--command-id")
    invite.set_defaults(handler=cmd_people_invite)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="forum", description="Forum des innovations publiques")
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    serve = sub.add_parser("serve", help="démarre le service web (et le projecteur)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-projector", action="store_true", help="le projecteur tourne ailleurs")
    serve.set_defaults(handler=cmd_serve)

    orgs = sub.add_parser("orgs", help="organisations").add_subparsers(dest="action", required=True, metavar="ACTION")
    add = orgs.add_parser("add", help="inscrire une organisation")
    add.add_argument("slug", help="identifiant court : minuscules, chiffres, tirets (2 à 63)")
    add.add_argument("name", help="nom complet")
    add.add_argument("--kind", required=True, choices=[k.value for k in Kind])
    add.add_argument("--command-id")
    add.set_defaults(handler=cmd_orgs_add)
    rename = orgs.add_parser("rename", help="renommer une organisation")
    rename.add_argument("slug")
    rename.add_argument("name")
    rename.add_argument("--command-id")
    rename.set_defaults(handler=cmd_orgs_rename)
    lst = orgs.add_parser("list", help="lister les organisations")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_orgs_list)

    proj = sub.add_parser("projections", help="modèles de lecture").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    proj.add_parser("status", help="position et retard de chaque projection").set_defaults(
        handler=cmd_projections_status
    )
    rebuild = proj.add_parser("rebuild", help="reconstruire une projection")
    rebuild.add_argument("name")
    rebuild.add_argument("--organisation", help="seulement la part de cette organisation")
    rebuild.add_argument("--batch-size", type=int, default=1000)
    rebuild.add_argument("--quiet", action="store_true")
    rebuild.set_defaults(handler=cmd_projections_rebuild)
    catchup = proj.add_parser("catchup", help="projeter les événements en attente puis s'arrêter")
    catchup.add_argument("--batch-size", type=int, default=1000)
    catchup.set_defaults(handler=cmd_projections_catchup)
    proj.add_parser("run", help="suivre le journal en continu").set_defaults(handler=cmd_projections_run)

    sub.add_parser("demo", help="charge les programmes 2019 (idempotent)").set_defaults(handler=cmd_demo)

    _add_people_commands(sub)

    db = sub.add_parser("db", help="base de données").add_subparsers(dest="action", required=True, metavar="ACTION")
    db.add_parser("info", help="serveur, migrations, volume").set_defaults(handler=cmd_db_info)
    db.add_parser("migrate", help="appliquer les migrations").set_defaults(handler=cmd_db_migrate)
    _add_audit_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("platformdirs").setLevel(logging.ERROR)
    install_log_context()
    try:
        settings = Settings.from_env()
    except SettingsError as wrong:  # one line naming the variable, never a traceback
        return _fail(f"réglage invalide : {wrong}", code=2)
    if settings.environment != "production":
        logging.getLogger("forum.mail").setLevel(logging.INFO)  # development: mails are shown in the logs
    services = bootstrap(settings)
    try:
        handler: Handler = args.handler
        return handler(args, services)
    except DomainError as refused:
        where = f" [{refused.field}]" if refused.field else ""
        return _fail(f"refusé ({refused.rule}){where} : {refused.message}")
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
