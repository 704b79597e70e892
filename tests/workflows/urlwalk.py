"""Every URL the project serves, as a concrete path: for tests that must cover each endpoint, today's and new ones."""

from __future__ import annotations

import itertools

from django.urls import Resolver404, get_resolver, resolve

# Tried in order for each parameter of a pattern until the filled path resolves.
CANDIDATES = ("1", "abc", "organizations", "ABCDEFGHIJKLMNOP", "a/b", "00000000-0000-0000-0000-000000000001")


def _resolvers(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    yield prefix, resolver
    for namespace_prefix, sub in resolver.namespace_dict.values():
        yield from _resolvers(sub, prefix + namespace_prefix)


def patterns() -> list[tuple[str, list[str]]]:
    """Every pattern as (format string with a leading slash, parameter names), format suffixes included."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    for prefix, resolver in _resolvers():
        for key in resolver.reverse_dict:
            for possibilities, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(key):
                for format_string, params in possibilities:
                    found.add(("/" + prefix + format_string, tuple(params)))
    return [(format_string, list(params)) for format_string, params in sorted(found)]


def fillings(format_string: str, params: list[str], candidates) -> list[str]:
    """Every path the pattern gives with the candidate values that resolves."""
    paths = []
    for values in itertools.product(candidates, repeat=len(params)):
        path = format_string % dict(zip(params, values, strict=True))
        try:
            resolve(path)
        except Resolver404:
            continue
        paths.append(path)
    return paths


def all_paths() -> list[str]:
    """One concrete path per pattern (format suffixes such as `.json` included), sorted."""
    paths = {fills[0] for format_string, params in patterns() if (fills := fillings(format_string, params, CANDIDATES))}
    return sorted(paths)
