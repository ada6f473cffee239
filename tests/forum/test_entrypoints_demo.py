"""The demo is an entry point (forum/entrypoints/demo/): no import circle anywhere, and the 2019 programmes load
with the command ids, names, actors and targets a database loaded by an earlier demo already holds."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from domain.person import Person
from forum.database import Database
from forum.entrypoints import demo
from forum.entrypoints.bootstrap import bootstrap
from forum.entrypoints.demo.scenarios import FORUM_2019, demo_email, scenario
from forum.settings import Settings
from tests.conftest import ROOT

PACKAGES = ("domain", "forum", "projections", "web")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Each module of the packages → the modules of the packages it imports (anywhere in its body, a function's
    import included: that is how the old demo's circle hid)."""
    paths = {_module(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
                module = ".".join(p for p in (base, node.module or "") if p)
                # ``from package import module`` imports the module; ``from module import name`` the module
                targets.update(f"{module}.{a.name}" if f"{module}.{a.name}" in paths else module for a in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_modules_import_each_other_in_a_circle() -> None:
    graph = _import_graph()
    assert "forum.entrypoints.demo.scenarios" in graph["forum.entrypoints.demo.pre_incubation"]  # the graph is read
    assert _circles(graph) == []


def test_only_the_entry_points_import_the_demo() -> None:
    importers = {
        name
        for name, targets in _import_graph().items()
        if any(t.startswith("forum.entrypoints.demo") for t in targets) and not name.startswith("forum.entrypoints")
    }
    assert importers == set()


def _commands(db: Database) -> list[tuple[str, str, str, str, str | None]]:
    with db.connect(autocommit=True) as conn:
        rows = conn.execute(
            "SELECT organisation, actor, command_id, name, target FROM store.commands"
            " WHERE command_id LIKE 'demo.%' ORDER BY 1, 2, 3"
        ).fetchall()
    return [tuple(row) for row in rows]


def _event_count(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM store.forum_events").fetchone()
    assert row is not None
    return int(row[0])


# Rows a database loaded by the demo before it moved into forum/entrypoints/demo/ holds (its commands are kept:
# another load must find each id with the same name, actor and target, or it is refused as command_id_reused).
KEPT = [
    ("somme", "system", "demo.org.somme", "register_organisation", "aggregates:"),
    ("oise", "system", "demo.f2019.person.organisateur-oise", "enrol_person", "aggregates:"),
    ("somme", "04a13863-b45b-56bf-a633-27a4c37dc9bf", "demo.f2019.plan", "plan_forum", "str:'somme'"),
    (
        "somme",
        "04a13863-b45b-56bf-a633-27a4c37dc9bf",
        "demo.f2019.publish",
        "publish_palmares",
        'ForumRef:{"host":"somme","forum_id":"83e42526-484c-5558-9290-b81e2b769d13"}',
    ),
    (
        "men-centrale",
        "aee77070-af68-5a6f-a024-4ce7d2232647",
        "demo.i2019.count",
        "count_votes",
        'ForumRef:{"host":"men-centrale","forum_id":"7d888eb3-0b75-5b7f-addc-f2eade05c692"}',
    ),
    (
        "oise",
        "5000f245-39e4-5424-b94c-4c2b80a15c10",
        "demo.after.83e42526.practice",
        "share_practice",
        'OrganisationRef:{"organisation":"oise"}',
    ),
    (
        "nord",
        "4fdd648a-b59e-5208-8443-f468da7fab45",
        "demo.after.83e42526.report.nord",
        "report_adoption",
        'AdoptionRef:{"organisation":"nord","practice_id":"94308019-49d6-5c10-8457-27fd5563bf71"}',
    ),
]


def test_the_demo_loads_the_commands_an_earlier_demo_recorded_and_a_second_load_records_nothing(db: Database) -> None:
    services = bootstrap(Settings(environment="test"), db=db, apply_migrations=False)
    try:
        summary = demo.load(services.app, services.people)
        commands = _commands(db)
        assert [row for row in commands if row in KEPT] == sorted(KEPT)
        by_story = Counter(command_id.split(".")[1] for _, _, command_id, _, _ in commands)
        assert by_story == {"org": 25, "f2019": 410, "i2019": 240, "after": 59}
        # the forum's sequel is carried out by the organisers the forum's loader enrolled, never the system
        organisers = {
            str(Person.id_for(demo_email(f"organisateur-{org}", org)))
            for org in scenario(FORUM_2019)["forum"]["participants"]
        }
        enrolled = {actor for _, actor, command_id, _, _ in commands if command_id.startswith("demo.f2019.")}
        after = {actor for _, actor, command_id, _, _ in commands if command_id.startswith("demo.after.")}
        assert after <= organisers <= enrolled

        events = _event_count(db)
        assert demo.load(services.app, services.people) == summary
        assert _event_count(db) == events and _commands(db) == commands
    finally:
        services.app.close()
