"""Entities canonical across the corpus: the mention keys of every article grouped into Entity records.

The unit is a *name*: a (label, key) pair, where the key is the within-article canonical form that
:mod:`.entities` gave each mention. Names are joined by these rules, in this order, each recorded as a
:class:`~storyline.analysis.Merge` with its reason:

1. same name: one key normalised (case, dots, accents, a leading "the") in any article is one entity;
2. alias table: a short built-in table of well-known places and organisations ("US", "U.S.",
   "the United States" -> United States; UK/Britain; UN; EU; NATO). Conservative on purpose: "America",
   "Moscow" for the Kremlin, "Beijing" for China's government are *not* merged;
3. type conflict: a one-word name with several labels is a PERSON when a full PERSON name of the corpus
   begins or ends with it ("Lavrov" tagged ORG), else it takes the label most of its mentions carry
   (a tie keeps them apart);
4. transliteration: full PERSON names with the same surname whose first names differ by a small edit
   distance ("Sergey"/"Sergei Lavrov", "Aleksandr"/"Alexander");
5. surname: a one-word PERSON name matching the surname (last word, or first word for names written
   surname first: "Xi" -> "Xi Jinping") of exactly one full PERSON entity of the corpus;
6. acronym: an all-capitals ORG name matching the initials of exactly one ORG of the corpus ("SCO" ->
   "Shanghai Cooperation Organization").

Every rule looks names up in an index (by normalised key, surname, initials), so the work grows with the
number of distinct names, not its square. The canonical name of an entity is its most frequent longest
name; its id is ``f"{label.lower()}:{slug}"``.

User decisions (:class:`storyline.store.base.EntityOverride`, or anything with ``kind``, ``alias`` and
``entity_id``) are applied last and always win: ``merge`` puts every name whose
key is ``alias`` into ``entity_id``; ``split`` takes the names keyed ``alias`` out of ``entity_id`` into an
entity of their own. Both work on mention keys (what the map returned here is keyed by): a bare surname
merged *within* one article ("Wang" -> "Wang Yi") shares its key with the full name there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from ..analysis import Entity, Mention, Merge

RESOLVE_VERSION = "1"

# Normalised name -> (canonical name, label).
_ALIAS_TABLE: dict[str, tuple[str, str]] = {}
for _canonical, _label, _aliases in (
    ("United States", "GPE", ["us", "usa", "united states", "united states of america"]),
    ("United Kingdom", "GPE", ["uk", "britain", "great britain", "united kingdom"]),
    ("United Nations", "ORG", ["un", "united nations"]),
    ("European Union", "ORG", ["eu", "european union"]),
    ("NATO", "ORG", ["nato", "north atlantic treaty organization", "north atlantic treaty organisation"]),
    ("United Arab Emirates", "GPE", ["uae", "united arab emirates"]),
    ("Soviet Union", "GPE", ["ussr", "soviet union"]),
):
    for _alias in _aliases:
        _ALIAS_TABLE[_alias] = (_canonical, _label)

_INITIALS_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "de", "&"})
_MAX_FIRST_NAME_EDITS = 1


class OverrideLike(Protocol):
    """What a user's decision needs to say (:class:`storyline.store.base.EntityOverride` is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def alias(self) -> str: ...
    @property
    def entity_id(self) -> str: ...


@lru_cache(maxsize=1 << 16)
def normalise_name(text: str) -> str:
    """A name for comparison: accents, case, dots, apostrophes and a leading "the" gone. Cached: the
    corpus stage asks for the same few thousand names tens of thousands of times."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("’", "'").replace(".", "").replace("-", " ")
    text = re.sub(r"'s$", "", text)
    text = re.sub(r"[^\w&' -]", " ", text)
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-") or "unnamed"


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, cut off at ``limit`` (names are short; the cut-off keeps it cheap)."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)


# Spellings that transliterations of one name alternate between (Sergey/Sergei, Aleksandr/Alexander).
_TRANSLIT = (("ks", "x"), ("ey", "ei"), ("y", "i"), ("kh", "h"), ("ph", "f"), ("ou", "u"), ("j", "i"))


def _fold_transliteration(name: str) -> str:
    for old, new in _TRANSLIT:
        name = name.replace(old, new)
    return name


def same_person_by_spelling(a: str, b: str) -> bool:
    """Two full names that differ only by the transliteration of the first name(s)."""
    ta, tb = normalise_name(a).split(), normalise_name(b).split()
    if len(ta) < 2 or len(ta) != len(tb) or ta[-1] != tb[-1]:
        return False
    first_a, first_b = " ".join(ta[:-1]), " ".join(tb[:-1])
    if first_a == first_b:
        return True
    # Short first names ("Yi"/"Li") are different people, not spellings.
    first_a, first_b = _fold_transliteration(first_a), _fold_transliteration(first_b)
    if min(len(first_a), len(first_b)) < 4:
        return first_a == first_b
    return edit_distance(first_a, first_b) <= _MAX_FIRST_NAME_EDITS


@dataclass(slots=True)
class _Name:
    label: str
    key: str
    mentions: int = 0
    surfaces: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)
    # Why this name joined its entity (empty for the name that founded it).
    reason: str = ""
    source: str = "auto"


class _Clusters:
    """Union-find over names; the reason for each join is kept on the joined name."""

    def __init__(self, names: Sequence[_Name]) -> None:
        self.names = names
        self.parent = list(range(len(names)))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, alias: int, target: int, reason: str, source: str = "auto") -> None:
        ra, rt = self.find(alias), self.find(target)
        if ra == rt:
            return
        self.parent[ra] = rt
        if not self.names[alias].reason:
            self.names[alias].reason, self.names[alias].source = reason, source

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.names)):
            out[self.find(i)].append(i)
        return out


def _collect(per_article: Iterable[tuple[str, list[Mention]]]) -> list[_Name]:
    index: dict[tuple[str, str], _Name] = {}
    for article_id, mentions in per_article:
        for m in mentions:
            name = index.get((m.label, m.key))
            if name is None:
                name = index[(m.label, m.key)] = _Name(m.label, m.key)
            name.mentions += 1
            name.surfaces[m.text] += 1
            if m.role:
                name.roles[m.role] += 1
            name.articles.add(article_id)
    return list(index.values())


def _auto_merges(names: list[_Name], clusters: _Clusters) -> None:
    # 1. Same normalised key and label.
    by_norm: dict[tuple[str, str], int] = {}
    for i, name in enumerate(names):
        first = by_norm.setdefault((name.label, normalise_name(name.key)), i)
        if first != i:
            clusters.join(i, first, f"same name as {names[first].key!r}")
    # 2. Alias table: the canonical name may itself be absent, so the first member founds the group.
    by_alias: dict[str, int] = {}
    for i, name in enumerate(names):
        entry = _ALIAS_TABLE.get(normalise_name(name.key))
        if entry and name.label in {"GPE", "ORG", "LOC", "NORP"}:
            first = by_alias.setdefault(entry[0], i)
            if first != i:
                clusters.join(i, first, f"alias table: {name.key!r} is {entry[0]}")
    # 3. Type conflicts of one-word names: PERSON when a full PERSON name of the corpus has that word
    # (spaCy often tags a bare "Lavrov" ORG), otherwise the label most of its mentions carry.
    name_words: set[str] = set()  # first and last words of full PERSON names ("Xi Jinping" surname first)
    for n in names:
        tokens = normalise_name(n.key).split()
        if n.label == "PERSON" and len(tokens) > 1:
            name_words.update((tokens[0], tokens[-1]))
    by_word: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        norm = normalise_name(name.key)
        if " " not in norm and norm not in _ALIAS_TABLE:
            by_word[norm].append(i)
    for norm, group in by_word.items():
        if len({names[i].label for i in group}) < 2:
            continue
        ranked = sorted(group, key=lambda i: -names[i].mentions)
        persons = [i for i in ranked if names[i].label == "PERSON"]
        if persons and norm in name_words:
            winner, why = persons[0], "a full PERSON name of the corpus has this word"
        elif names[ranked[0]].mentions > names[ranked[1]].mentions:
            winner, why = ranked[0], f"most of its mentions are {names[ranked[0]].label}"
        else:
            continue  # a tie: better two entities than a wrong one
        for i in group:
            if i != winner:
                clusters.join(
                    i, winner, f"type conflict: {names[i].key!r} tagged {names[i].label}, but {why}"
                )
    # 4. Transliterations, blocked by surname.
    by_surname: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        tokens = normalise_name(name.key).split()
        if name.label == "PERSON" and len(tokens) > 1:
            by_surname[tokens[-1]].append(i)
    for block in by_surname.values():
        block.sort(key=lambda i: -names[i].mentions)
        for position, i in enumerate(block):
            for j in block[:position]:
                if same_person_by_spelling(names[i].key, names[j].key):
                    clusters.join(i, j, f"transliteration of {names[j].key!r}")
                    break
    # 5. Surname only: exactly one full PERSON entity ends (or, surname first, begins) with it.
    by_first: dict[str, set[int]] = defaultdict(set)
    by_last: dict[str, set[int]] = defaultdict(set)
    for i, name in enumerate(names):
        tokens = normalise_name(name.key).split()
        if name.label == "PERSON" and len(tokens) > 1:
            by_last[tokens[-1]].add(clusters.find(i))
            by_first[tokens[0]].add(clusters.find(i))
    for i, name in enumerate(names):
        norm = normalise_name(name.key)
        if clusters.find(i) != i or " " in norm or name.label not in ("PERSON", "ORG"):
            continue
        if name.label == "PERSON":
            candidates = by_last.get(norm) or by_first.get(norm) or set()
            why = "surname of {!r}, the only such full name"
        else:
            # spaCy's small model often tags a bare surname ORG ("Varga said"); when exactly one full
            # PERSON name of the corpus ends with it, that person is far likelier than a namesake
            # organisation. The merge says so, and a user can split it.
            candidates = by_last.get(norm, set())
            why = "tagged ORG, but the surname of {!r}, the only such full name"
        if len(candidates) == 1:
            target = next(iter(candidates))
            clusters.join(i, target, why.format(names[target].key))
    # 6. Acronyms of organisations.
    by_initials: dict[str, set[int]] = defaultdict(set)
    for i, name in enumerate(names):
        words = [w for w in name.key.replace("-", " ").split() if w.lower() not in _INITIALS_SKIP]
        if name.label == "ORG" and len(words) > 1 and all(w[:1].isupper() for w in words):
            by_initials["".join(w[0] for w in words)].add(clusters.find(i))
    for i, name in enumerate(names):
        acronym = name.key.replace(".", "")
        if name.label == "ORG" and acronym.isupper() and acronym.isalpha() and 2 <= len(acronym) <= 6:
            candidates = {clusters.find(c) for c in by_initials.get(acronym, set())}
            if len(candidates) == 1 and clusters.find(i) not in candidates:
                target = next(iter(candidates))
                clusters.join(i, target, f"acronym of {names[target].key!r}")


def _best_key(names: Sequence[_Name], members: Iterable[int]) -> str:
    """The most frequent of the longest names (a name in capitals, "NEW DELHI" of a dateline, last)."""

    def order(name: _Name) -> tuple[int, bool, int, str]:
        shouting = name.key.isupper() and " " in name.key
        return (-len(name.key.split()), shouting, -name.mentions, name.key)

    return min((names[i] for i in members), key=order).key


def _build(names: list[_Name], members: list[int], ids: set[str]) -> Entity:
    labels: Counter[str] = Counter()
    for i in members:
        labels[names[i].label] += names[i].mentions
    table = {entry for i in members if (entry := _ALIAS_TABLE.get(normalise_name(names[i].key)))}
    if len(table) == 1:
        name, label = next(iter(table))
    else:
        name = _best_key(names, members)
        full_person = any(names[i].label == "PERSON" and " " in names[i].key for i in members)
        label = "PERSON" if full_person else labels.most_common(1)[0][0]
    base = f"{label.lower()}:{slug(name)}"
    entity_id, n = base, 2
    while entity_id in ids:
        entity_id, n = f"{base}-{n}", n + 1
    ids.add(entity_id)
    entity = Entity(id=entity_id, name=name, label=label)
    articles: set[str] = set()
    for i in sorted(members, key=lambda i: (-names[i].mentions, names[i].key)):
        n_ = names[i]
        for surface, count in n_.surfaces.items():
            entity.aliases[surface] = entity.aliases.get(surface, 0) + count
        for role, count in n_.roles.items():
            entity.roles[role] = entity.roles.get(role, 0) + count
        articles |= n_.articles
        if n_.reason:
            entity.merges.append(Merge(n_.key, n_.reason, n_.source))
        for surface in n_.surfaces:
            if surface != n_.key:
                entity.merges.append(Merge(surface, f"named {n_.key!r} in full in the same article"))
    entity.aliases = dict(sorted(entity.aliases.items(), key=lambda kv: (-kv[1], kv[0])))
    entity.roles = dict(sorted(entity.roles.items(), key=lambda kv: (-kv[1], kv[0])))
    entity.merges = list(dict.fromkeys(entity.merges))
    entity.articles = len(articles)
    return entity


def _ordered(names: list[_Name], groups: list[list[int]]) -> list[tuple[Entity, list[int]]]:
    """Entities built from groups, biggest first (ids made unique in that order)."""
    groups = sorted(groups, key=lambda g: (-sum(names[i].mentions for i in g), _best_key(names, g)))
    ids: set[str] = set()
    return [(_build(names, g, ids), g) for g in groups]


def resolve_entities(
    per_article: Iterable[tuple[str, list[Mention]]],
    overrides: Sequence[OverrideLike] | None = None,
) -> tuple[list[Entity], dict[tuple[str, str], str]]:
    """Canonical entities of a corpus, and the entity id of every (article id, mention key).

    ``overrides`` are a user's decisions, applied in order after every automatic rule.
    """
    names = _collect(per_article)
    clusters = _Clusters(names)
    _auto_merges(names, clusters)
    groups = _apply_overrides(names, list(clusters.groups().values()), overrides or [])
    built = _ordered(names, groups)
    mapping: dict[tuple[str, str], str] = {}
    for entity, group in built:  # biggest entity first: it names a key two labels share in one article
        for i in group:
            for article_id in names[i].articles:
                mapping.setdefault((article_id, names[i].key), entity.id)
    return [entity for entity, _ in built], mapping


def _apply_overrides(
    names: list[_Name], groups: list[list[int]], overrides: Sequence[OverrideLike]
) -> list[list[int]]:
    for override in overrides:
        # Ids are recomputed after each decision: the user named entities as they saw them then.
        current = {entity.id: group for entity, group in _ordered(names, groups)}
        target = current.get(override.entity_id)
        if target is None:
            continue  # an entity that no longer exists: the decision has nothing left to act on
        alias = normalise_name(override.alias)
        matches = {i for i, name in enumerate(names) if normalise_name(name.key) == alias}
        if override.kind == "split":
            out = [i for i in target if i in matches]
            if not out or len(out) == len(target):
                continue
            for i in out:
                names[i].reason, names[i].source = f"split out of {override.entity_id} by a user", "user"
            groups = [[i for i in g if i not in matches] if g is target else g for g in groups] + [out]
        elif override.kind == "merge":
            moving = [i for i in matches if i not in target]
            for i in moving:
                names[i].reason, names[i].source = f"merged into {override.entity_id} by a user", "user"
            groups = [g + moving if g is target else [i for i in g if i not in matches] for g in groups]
        groups = [g for g in groups if g]
    return groups
