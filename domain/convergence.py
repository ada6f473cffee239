"""Convergence: projects of different organisations that address similar problems, found by their French keywords.

Each project's title and problem are reduced to a set of keywords: lowercase,
accents stripped, stopwords and the generic words of project titles removed
(« améliorer », « service », « usager »…), crudely stemmed (plural s/x, common
suffixes), a few set phrases folded into one concept (« restauration scolaire »
→ cantine). Two projects of different organisations converge when the keywords
they share weigh enough: each keyword weighs more the fewer projects of the
corpus use it (« cantine » in 2 projects out of 15 weighs more than « collège »
in 4), so a shared setting does not make two unrelated projects look alike.
"""

import math
import re
import unicodedata
from collections.abc import Sequence

import msgspec

DEFAULT_MIN_SCORE = 1.4  # about two keywords that few other projects use


class ProjectText(msgspec.Struct, frozen=True):
    id: str
    organisation: str
    title: str
    problem: str = ""


class ConvergentPair(msgspec.Struct, frozen=True):
    first: str
    second: str
    keywords: tuple[str, ...]
    score: float


class Convergence(msgspec.Struct, frozen=True):
    """Projects to show side by side: ids in the order given, their organisations, and the keywords they share."""

    project_ids: tuple[str, ...]
    organisations: tuple[str, ...]
    keywords: tuple[str, ...]
    score: float


_STOPWORD_LIST = """
    a afin ainsi alors au aupres aussi autre autres aux avec avoir bien ce ceci cela celle celles celui ces cet cette
    chaque chez comme comment d dans de depuis des deux donc dont du elle elles en encore entre est et etre etc eux
    fait faire grace il ils j je jusqu l la le les leur leurs lors lorsque lui m ma mais me meme mes moins mon n ne ni
    nos notre nous on ont ou par parmi pas peu peut plus pour pourquoi qu quand que quel quelle quels qui quoi s sa
    sans se sein selon ses si soi soit son sont sous sur t ta te tel telle tes toi ton tous tout toute toutes tres
    trop tu un une unes uns vers via voire vos votre vous y
"""
_STOPWORDS = frozenset(_STOPWORD_LIST.split())
# verbs and nouns that most project titles use, whatever their subject
_GENERIC_WORDS = """
    ameliorer amelioration accompagner accompagnement aider creer creation developper developpement faciliter
    favoriser mettre mise offrir optimiser permettre permet proposer reduire renforcer simplifier simple trouver
    meilleur meilleure mieux nouveau nouvelle nouveaux nouvelles place projet outil outils dispositif demarche
    innovant innovante innovation service services usager usagers agent agents departement departemental
    departementale departementaux conseil premier premiere 1er 1ere ensemble
"""
_SUFFIX_LIST = """
    issement issements ations ation itions ition ements ement ments ment atrices atrice ateurs ateur euses euse
    eurs eur iques ique ismes isme istes iste ites ite aires aire ances ance ences ence ants ant er ir ees ee e
"""
_SUFFIXES = tuple(sorted(_SUFFIX_LIST.split(), key=len, reverse=True))  # the longest first
_MIN_STEM = 4
# set phrases, as sequences of stems, folded into one concept
_PHRASES: dict[tuple[str, ...], str] = {
    ("restaur", "scol"): "cantine",
    ("restaur", "collectiv"): "cantine",
    ("demi", "pension"): "cantine",
    ("aide", "social", "enfanc"): "aide sociale à l'enfance",
}
# stems that name the same concept
_SYNONYMS: dict[str, str] = {
    "cantin": "cantine",
    "refectoir": "cantine",
    "aliment": "alimentation",
    "culin": "alimentation",
    "repas": "alimentation",
    "nutrition": "alimentation",
    "ase": "aide sociale à l'enfance",
}


def plain(text: str) -> str:
    """Lowercase, without accents; « @ » read as « a » (« P@CE », « l'@ccessibilité »)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("@", "a"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A crude French stem: no plural s/x, no common suffix, never shorter than four letters."""
    if len(word) > _MIN_STEM and word[-1] in "sx":
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


_GENERIC = frozenset(stem(w) for w in _GENERIC_WORDS.split())
_WORD = re.compile(r"[^\W_]+")


def _terms(text: str) -> list[tuple[str, str]]:
    """(keyword, the word it came from) in order; a folded phrase or synonym gives its concept as both."""
    stems = [
        (stem(p), word)
        for word in _WORD.findall(text.lower().replace("@", "a"))
        if len(p := plain(word)) > 1 and p not in _STOPWORDS and not p.isdigit()
    ]
    terms: list[tuple[str, str]] = []
    i = 0
    while i < len(stems):
        for phrase, concept in _PHRASES.items():
            if tuple(s for s, _ in stems[i : i + len(phrase)]) == phrase:
                terms.append((concept, concept))
                i += len(phrase)
                break
        else:
            keyword, word = stems[i]
            if keyword not in _GENERIC:
                synonym = _SYNONYMS.get(keyword)
                terms.append((synonym, synonym) if synonym else (keyword, word))
            i += 1
    return terms


def keywords(text: str) -> frozenset[str]:
    """The keyword set of a text."""
    return frozenset(k for k, _ in _terms(text))


def _weights(keyword_sets: Sequence[frozenset[str]]) -> dict[str, float]:
    """Each keyword's weight, from 1 (one project uses it) down as more projects of the corpus use it."""
    frequency: dict[str, int] = {}
    for words in keyword_sets:
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    n = len(keyword_sets)
    return {word: math.log(1 + n / df) / math.log(1 + n) for word, df in frequency.items()}


def convergent_pairs(
    projects: Sequence[ProjectText], *, min_score: float = DEFAULT_MIN_SCORE
) -> tuple[ConvergentPair, ...]:
    """Pairs of projects of different organisations whose shared keywords weigh at least ``min_score``."""
    terms = [_terms(f"{p.title} {p.problem}") for p in projects]
    sets = [frozenset(k for k, _ in t) for t in terms]
    weights = _weights(sets)
    pairs = []
    for i, first in enumerate(projects):
        for j in range(i + 1, len(projects)):
            second = projects[j]
            if first.organisation == second.organisation:
                continue
            shared = sets[i] & sets[j]
            score = sum(weights[k] for k in shared)
            if score >= min_score:
                surface = dict(reversed(terms[i]))  # the first word each keyword came from
                ordered = sorted(shared, key=lambda k: (-weights[k], k))
                pairs.append(
                    ConvergentPair(
                        first=first.id,
                        second=second.id,
                        keywords=tuple(surface[k] for k in ordered),
                        score=round(score, 3),
                    )
                )
    return tuple(pairs)


def convergent_groups(
    projects: Sequence[ProjectText], *, min_score: float = DEFAULT_MIN_SCORE
) -> tuple[Convergence, ...]:
    """Projects linked by convergent pairs, grouped (a group spans at least two organisations)."""
    parent = {p.id: p.id for p in projects}
    if len(parent) != len(projects):
        raise ValueError("each project appears once, under its own id")
    pairs = convergent_pairs(projects, min_score=min_score)

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[root(pair.first)] = root(pair.second)
    groups: dict[str, list[ProjectText]] = {}
    for project in projects:
        groups.setdefault(root(project.id), []).append(project)
    result = []
    for members in groups.values():
        if len(members) < 2:
            continue
        ids = {m.id for m in members}
        inside = [p for p in pairs if p.first in ids]
        result.append(
            Convergence(
                project_ids=tuple(m.id for m in members),
                organisations=tuple(dict.fromkeys(m.organisation for m in members)),
                keywords=tuple(dict.fromkeys(k for p in inside for k in p.keywords)),
                score=max(p.score for p in inside),
            )
        )
    return tuple(sorted(result, key=lambda c: -c.score))
