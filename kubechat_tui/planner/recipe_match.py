"""Which recipes fit a request: BM25 over each recipe's words, weighted by its feedback.

    ranked = rank_recipes("pods stuck in pending in payments", catalog, ratings)
    ranked[0].name   # "pending-pods"
    index = RecipeIndex(catalog); index.rank(text, ratings)   # built once, many requests

A recipe's document is its name, title, description, keywords, parameter names and step
verbs and resources. BM25 (k1 1.2, b 0.75; a catalog holds tens of recipes, so a few
lines of Python beat a numeric library) scores it against the request's words; the mean
rating (1-5) scales the score by 0.8 (1) to 1.2 (5), unrated recipes by 1. Only recipes
sharing a meaningful word with the request are returned.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from kubechat_tui.planner.recipes import Recipe

K1, B = 1.2, 0.75
MIN_SCORE = 0.5
WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for",
    "from", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please",
    "show", "the", "their", "them", "then", "there", "this", "to", "up", "what", "when", "where",
    "which", "who", "why", "will", "with", "you"})
SYNONYMS = {"crashloop": "crash", "crashlooping": "crash", "crashloopbackoff": "crash",
            "crashing": "crash",
            "crashes": "crash", "crashed": "crash", "looping": "loop",
            "imagepullbackoff": "pull", "errimagepull": "pull", "pulling": "pull",
            "notready": "ready", "unschedulable": "pending", "stuck": "pending",
            "bounce": "restart", "restarting": "restart", "revert": "rollback",
            "undo": "rollback", "replica": "replicas", "replicas": "replicas",
            "scaling": "scale", "rolled": "roll", "rolling": "roll", "nodes": "node",
            "pods": "pod", "deployments": "deployment", "deploy": "deployment"}


@dataclass(frozen=True)
class RecipeMatch:
    """One recipe and how well it fits."""

    name: str
    score: float


def words(text: str) -> list[str]:
    """Lowercase word stems without stop words (`crash-looping` -> crash, loop)."""
    found = []
    for word in WORD.findall(text.lower()):
        if word in STOP:
            continue
        word = SYNONYMS.get(word, word)
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


def document(recipe: Recipe) -> list[str]:
    """The words a recipe is found by."""
    parts = [recipe.name.replace("-", " "), recipe.title, recipe.description,
             " ".join(recipe.keywords), " ".join(recipe.parameters),
             " ".join(f"{s.verb} {s.resource}" for s in recipe.steps)]
    return words(" ".join(parts))


class RecipeIndex:
    """A catalog's documents and term statistics, built once; `rank` scores a request."""

    def __init__(self, catalog: Mapping[str, Recipe]) -> None:
        self.docs = {name: Counter(document(recipe)) for name, recipe in catalog.items()}
        self.lengths = {name: sum(d.values()) for name, d in self.docs.items()}
        self.average = sum(self.lengths.values()) / len(self.docs) if self.docs else 0.0
        self.df = Counter(term for d in self.docs.values() for term in d)

    def rank(self, text: str, ratings: Mapping[str, tuple[float, int]] | None = None,
             limit: int = 3) -> list[RecipeMatch]:
        """The best `limit` recipes for `text`, best first."""
        query = set(words(text)) & set(self.df)
        if not query:
            return []
        total = len(self.docs)
        idf = {t: math.log((total - self.df[t] + 0.5) / (self.df[t] + 0.5) + 1) for t in query}
        scored = []
        for name, counts in self.docs.items():
            norm = K1 * (1 - B + B * self.lengths[name] / self.average)
            score = sum(idf[t] * counts[t] * (K1 + 1) / (counts[t] + norm)
                        for t in query if t in counts)
            mean, count = (ratings or {}).get(name, (3.0, 0))
            score *= 1 + 0.1 * (mean - 3) if count else 1.0
            if score >= MIN_SCORE:
                scored.append(RecipeMatch(name, round(score, 3)))
        scored.sort(key=lambda m: (-m.score, m.name))
        return scored[:limit]


def rank_recipes(text: str, catalog: Mapping[str, Recipe],
                 ratings: Mapping[str, tuple[float, int]] | None = None,
                 limit: int = 3) -> list[RecipeMatch]:
    """The best `limit` recipes of `catalog` for `text` (one-off: `RecipeIndex` keeps the
    index for many requests)."""
    return RecipeIndex(catalog).rank(text, ratings, limit)
