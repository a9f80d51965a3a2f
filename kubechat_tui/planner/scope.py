"""Scope resolution: which clusters and namespace a request is about.

"prod" -> the `prod` cluster set from config; cluster names, namespaces ("in payments",
"namespace payments", "-n payments", "the payments namespace") from the text; otherwise
the current scope (the banner's selection).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Scope
from kubechat_tui.kube.lookup import ClusterView, map_clusters
from kubechat_tui.planner.text import is_name

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
_ENVIRONMENT_WORDS = {"prod", "production", "staging", "stage", "canary", "dev", "qa", "test",
                      "preprod", "sandbox"}
_SYNONYMS = {"production": "prod", "stage": "staging", "stg": "staging", "development": "dev"}
_ALL_CLUSTERS = re.compile(r"\b(all|every|each) clusters?\b|\beverywhere\b|\b(whole|entire) fleet\b"
                           r"|\bacross (the )?fleet\b|\ball contexts\b")
_ALL_NAMESPACES = re.compile(r"\ball namespaces\b|\bevery namespace\b|\bacross namespaces\b"
                             r"|(^|\s)-A(\s|$)|\bcluster[- ]wide\b")
_NS_PATTERNS = (
    re.compile(r"(?:\bnamespace|\bns|(?:^|\s)-n|--namespace)[\s=]+['\"]?([a-z0-9][-a-z0-9]*)"),
    re.compile(r"\b(?:in|from|of|within) (?:the )?['\"]?([a-z0-9][-a-z0-9]*)['\"]? namespace\b"),
    re.compile(r"\b([a-z0-9][-a-z0-9]*) namespace\b"),
)
_IN_WORD = re.compile(r"\b(?:in|on|within|across) (?:the )?['\"]?([a-z0-9][-a-z0-9]*)")
_NS_ANY = re.compile(r"(?:\bnamespace|\bns|(?:^|\s)-n|--namespace)[\s=]+(\S+)")
_NOT_NAMESPACES = {"the", "a", "an", "on", "in", "at", "for", "of", "from", "to", "with",
                   "across", "within", "and", "or", "is", "are", "all", "every", "each", "my",
                   "this", "that", "it", "them",
                   "logs", "log", "cluster", "clusters", "namespace", "namespaces", "order",
                   "prod", "production", "fleet", "last", "past", "general", "detail",
                   "details", "yaml", "json", "wide", "place", "parallel", "total", "case",
                   "use", "progress", "trouble", "question", "there", "here",
                   "particular", "memory", "cpu", "state", "crashloop",
                   "crashloopbackoff", "pending", "error", "errors", "one", "two", "turn",
                   "front", "charge", "time", "sync", "line", "short", "addition"}
# Verbs are never namespaces: "delete namespace prod" names no namespace called "delete".
_VERBS = {"delete", "deleting", "remove", "removing", "kill", "destroy", "nuke", "wipe", "purge",
          "terminate", "evict", "erase", "drop", "clean", "describe", "show", "list", "get",
          "display", "find", "see", "view", "check", "inspect", "scale", "restart", "bounce",
          "recycle", "redeploy", "reboot", "rollout", "roll", "rollback", "undo", "revert",
          "set", "update", "change", "cordon", "uncordon", "drain", "evacuate", "patch",
          "edit", "modify", "apply", "create", "install", "deploy", "logs", "events", "top",
          "please", "then", "also", "and", "new", "whole", "entire", "same"}


class ScopeError(ValueError):
    """The text names a cluster set or cluster that does not exist."""


@dataclass
class ResolvedScope:
    """Clusters and namespace for a request, and which words were scope words."""

    clusters: tuple[str, ...]
    namespace: str | None
    cluster_set: str | None
    all_namespaces: bool
    scope_words: set[str] = field(default_factory=set)
    from_text: bool = False  # True when the text named clusters itself

    def as_scope(self) -> Scope:
        """The domain Scope."""
        return Scope(clusters=self.clusters, namespace=self.namespace,
                     cluster_set=self.cluster_set)


def resolve_scope(text: str, settings: Settings, current: Scope,
                  known_clusters: Sequence[str] = ()) -> ResolvedScope:
    """Resolve clusters and namespace from lower-cased `text` (see the module doc)."""
    low = text.lower()
    tokens = re.findall(r"[a-z0-9][-a-z0-9_.]*", low)
    known = list(dict.fromkeys([*known_clusters, *current.clusters] if known_clusters else
                               [*current.clusters,
                                *(c for cs in settings.cluster_sets.values() for c in cs)]))
    clusters: list[str] = []
    sets_used: list[str] = []
    scope_words: set[str] = set()
    for token in tokens:
        set_name = token if token in settings.cluster_sets else _SYNONYMS.get(token)
        if set_name in settings.cluster_sets:
            sets_used.append(set_name)
            clusters += _members(set_name, settings, known_clusters)
            scope_words.add(token)
        elif token in known:
            clusters.append(token)
            scope_words.add(token)
    if _ALL_CLUSTERS.search(low):
        clusters += known
    for word in _IN_WORD.findall(low):
        if (word in _ENVIRONMENT_WORDS and word not in scope_words
                and _SYNONYMS.get(word, word) not in settings.cluster_sets):
            raise ScopeError(_unknown_set(word, settings))
    for m in re.finditer(r"\bcluster[- ]set[\s=]+['\"]?([a-z0-9][-a-z0-9]*)|"
                         r"\b([a-z0-9][-a-z0-9]*)['\"]? cluster[- ]set\b", low):
        named = m.group(1) or m.group(2)
        if named not in settings.cluster_sets and named not in ("the", "a", "this"):
            raise ScopeError(_unknown_set(named, settings))
    namespace, all_ns = _namespace(low, scope_words, known)
    unique = tuple(dict.fromkeys(clusters))
    from_text = bool(unique)
    if not unique:
        unique = current.clusters
    if namespace is None and not all_ns:
        namespace = current.namespace
    if namespace:
        scope_words.add(namespace)
    cluster_set = sets_used[0] if len(set(sets_used)) == 1 and from_text else (
        None if from_text else current.cluster_set)
    return ResolvedScope(unique, namespace, cluster_set, all_ns, scope_words, from_text)


def _members(set_name: str, settings: Settings, session: Sequence[str]) -> list[str]:
    """A cluster set's clusters; ScopeError when the session (its clusters, when known)
    does not reach every one: a plan never quietly drops a cluster it was asked for, and
    never reaches one through a context the session was not started with."""
    members = list(settings.cluster_sets[set_name])
    outside = [c for c in members if session and c not in session]
    if outside:
        have = ", ".join(session[:8]) or "none"
        raise ScopeError(f"cluster set {set_name!r} includes {', '.join(outside)}, which this "
                         f"session does not reach (its clusters: {have}); start kubechat with "
                         "a --context for each, or name the clusters you mean")
    return members


def _unknown_set(name: str, settings: Settings) -> str:
    """One line naming the missing config key and the sets that exist."""
    known = ", ".join(sorted(settings.cluster_sets)) or "none"
    return (f"unknown cluster set {name!r}: cluster_sets.{name} is not configured (known "
            f"sets: {known}); add it to the config file or name clusters instead")


def _namespace(low: str, scope_words: set[str], known: list[str]) -> tuple[str | None, bool]:
    if _ALL_NAMESPACES.search(low):
        return None, True
    for raw in _NS_ANY.findall(low):
        token = raw.strip("'\"").rstrip(",.?!:;")
        if token and not is_name(token) and re.search(r"[/\\$`|&<>*]|\.\.", token):
            raise ScopeError(f"{token!r} is not a valid namespace name")
    for pattern in _NS_PATTERNS:
        for candidate in pattern.findall(low):
            if _plausible_namespace(candidate, scope_words, known):
                return candidate, False
    for ns in SYSTEM_NAMESPACES:
        if re.search(rf"(?<![-\w]){re.escape(ns)}(?![-\w])", low):
            return ns, False
    for candidate in _IN_WORD.findall(low):
        if _plausible_namespace(candidate, scope_words, known) and not candidate.isdigit():
            return candidate, False
    return None, False


def _plausible_namespace(word: str, scope_words: set[str], known: list[str]) -> bool:
    return (is_name(word) and len(word) <= 63 and word not in scope_words and word not in known
            and word not in _NOT_NAMESPACES and word not in _VERBS
            and word not in _ENVIRONMENT_WORDS
            and not word.startswith("node"))


def namespace_for(word: str, clusters: Sequence[str], view: ClusterView) -> str | None:
    """The one live namespace a qualifier names ("payment" -> `payments`), else None."""
    names: set[str] = set()
    for found in map_clusters(clusters, view.namespaces):
        names.update(found or [])
    forms = {word, f"{word}s", f"{word}es", word.removesuffix("s")}
    matches = sorted(n for n in names if n in forms)
    return matches[0] if len(matches) == 1 else None
