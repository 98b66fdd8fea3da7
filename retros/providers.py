"""Other apps' records in the lessons search: a registry of search providers.

People look for what was learnt and decided in one place, the knowledge base, but some of it
lives in apps above retros in the layers (coordination's meetings, with their decisions and
actions): retros may not import them. Such an app registers a provider in its
`AppConfig.ready` (`providers.register("meetings", fn)`); the lessons search calls every
provider with the viewer and the query's term groups (glossary expansions included) and shows
their hits in the same result list as the lessons, ranked by the same score. A provider answers
only what the viewer may see (its own app's permissions) and a bounded number of hits, in a
bounded number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString

from retros.search import Group

MAX_HITS_PER_PROVIDER = 5


@dataclass
class SearchHit:
    """One record a provider found: what it is (a translated label), its title and snippet
    (highlighted, safe), a line about it (date, people), where it is, and its score on the
    scale of `search.python_score`."""

    kind: str
    title: SafeString
    snippet: SafeString
    meta: str
    url: str
    score: float


# (viewer, term groups, flat terms, limit) → hits, best first.
Provider = Callable[[object, list[Group], list[str], int], list[SearchHit]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace) the provider called `name`."""
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def registered() -> list[str]:
    return sorted(_providers)


def search(viewer, groups: list[Group], terms: list[str]) -> list[SearchHit]:
    """Every provider's hits for the query, best first (at most MAX_HITS_PER_PROVIDER each)."""
    hits: list[SearchHit] = []
    for name in sorted(_providers):
        hits.extend(_providers[name](viewer, groups, terms, MAX_HITS_PER_PROVIDER))
    hits.sort(key=lambda hit: -hit.score)
    return hits
