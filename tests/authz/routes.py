"""The URL patterns of config/urls.py and the table key each one has."""

from __future__ import annotations

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver, resolve


def route_key(path: str) -> str:
    """The table key of the URL pattern a path resolves to: its view name, made unique with
    the route where two patterns share a name (the API's and the directory's person-detail)."""
    match = resolve(path.split("?", 1)[0])
    return table_key(match.view_name, match.route)


_DUPLICATES: set[str] | None = None


def duplicate_names() -> set[str]:
    global _DUPLICATES
    if _DUPLICATES is None:
        counts = Counter(key for key, _route, _cb in walk_patterns())
        _DUPLICATES = {name for name, n in counts.items() if n > 1}
    return _DUPLICATES


def walk_patterns():
    """(view name, route, callback) of every URL pattern in config/urls.py."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
                yield name, prefix + str(p.pattern), p.callback

    yield from walk(get_resolver().url_patterns, "", None)


def table_key(name: str, route: str) -> str:
    if name not in duplicate_names():
        return name
    return f"{name} (api)" if route.lstrip("^").startswith("api/") else f"{name} (page)"
