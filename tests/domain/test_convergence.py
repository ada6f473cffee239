"""Convergence: projects of different organisations addressing similar problems, found in the 2019 programmes."""

import json
from pathlib import Path

import pytest

from domain.convergence import ProjectText, convergent_groups, convergent_pairs, keywords, plain, stem

DEMO = Path(__file__).parents[2] / "forum" / "demo_data"


def forum_2019() -> list[ProjectText]:
    data = json.loads((DEMO / "forum-interdepartemental-2019.json").read_text(encoding="utf-8"))
    return [
        ProjectText(id=f"p{p['number']}", organisation=p["organisation"], title=p["title"]) for p in data["projects"]
    ]


def impulsions_2019() -> list[ProjectText]:
    data = json.loads((DEMO / "impulsions-2019.json").read_text(encoding="utf-8"))
    return [
        ProjectText(id=f"f{i}", organisation=f["organisation"], title=f["title"])
        for i, f in enumerate(data["finalists"])
    ]


def test_the_oise_and_somme_school_canteen_projects_converge_and_nothing_else_does() -> None:
    # given the fifteen projects of the 2019 interdepartmental forum
    projects = forum_2019()
    # when convergent projects are grouped
    groups = convergent_groups(projects)
    # then only Oise's canteen communication (4) and Somme's school restaurants (12) come out, side by side
    assert [g.project_ids for g in groups] == [("p4", "p12")]
    [canteens] = groups
    assert canteens.organisations == ("oise", "somme")
    assert "cantine" in canteens.keywords
    # and projects that only share their setting (collèges, élèves) do not: Oise's canteens and Val d'Oise's toilets
    assert not any({p.first, p.second} == {"p4", "p13"} for p in convergent_pairs(projects))


def test_in_the_impulsions_finalists_the_allophone_pupils_and_special_needs_projects_converge() -> None:
    groups = convergent_groups(impulsions_2019())
    assert sorted(g.organisations for g in groups) == [
        ("ac-guadeloupe", "ac-reims"),  # suivi des élèves allophones: EANA and SEANA
        ("ac-la-reunion", "ac-nancy-metz"),  # élèves à besoins éducatifs particuliers
    ]


def test_both_programmes_together_give_the_same_three_groups() -> None:
    groups = convergent_groups(forum_2019() + impulsions_2019())
    assert {g.organisations for g in groups} == {
        ("oise", "somme"),
        ("ac-guadeloupe", "ac-reims"),
        ("ac-la-reunion", "ac-nancy-metz"),
    }


def test_projects_of_the_same_organisation_never_converge_with_each_other() -> None:
    # given two canteen projects of Somme only
    projects = [
        ProjectText(id="a", organisation="somme", title="Cantines scolaires : réduire le gaspillage alimentaire"),
        ProjectText(
            id="b", organisation="somme", title="Restauration scolaire : lutter contre le gaspillage alimentaire"
        ),
        ProjectText(id="c", organisation="nord", title="Partager les salles de réunion"),
    ]
    assert convergent_groups(projects) == ()


def test_a_third_organisation_on_the_same_problem_joins_the_group_through_its_problem_text() -> None:
    # given the 2019 forum and a Nord project on school catering described in its problem statement
    nord = ProjectText(
        id="n1",
        organisation="nord",
        title="Des repas appréciés dans nos collèges",
        problem="Trop de restes dans la restauration scolaire : le gaspillage alimentaire coûte cher.",
    )
    groups = convergent_groups([*forum_2019(), nord])
    [group] = groups
    assert set(group.project_ids) == {"p4", "p12", "n1"}
    assert set(group.organisations) == {"oise", "somme", "nord"}


def test_keywords_are_lowercase_unaccented_without_stopwords_and_crudely_stemmed() -> None:
    assert plain("Élèves à l'@ccueil") == "eleves a l'accueil"
    assert stem("cantines") == stem("cantine") == "cantin"
    assert stem("collèges".replace("è", "e")) == stem("college")
    assert stem("partager") == stem("partage")
    assert keywords("Les cantines des collèges") == keywords("la cantine du collège")
    # « restauration scolaire » is a canteen; generic title words carry no meaning
    assert "cantine" in keywords("Améliorer la restauration scolaire")
    assert keywords("Améliorer et simplifier le service aux usagers") == frozenset()


def test_each_project_appears_once() -> None:
    twice = [ProjectText(id="a", organisation="nord", title="x"), ProjectText(id="a", organisation="oise", title="y")]
    with pytest.raises(ValueError, match="once"):
        convergent_groups(twice)
