"""Publishing recipes into the store: validated against the active policy, versioned,
deprecated and restored, rated; every change audited.

API (for `kubechat recipes publish|deprecate|restore|feedback`)::

    shelf = RecipePublisher(RecipeStore(db), audit, policy)
    entry = shelf.publish(text, "scale.yaml", "first version", author)   # RecipeError
    shelf.deprecate(name, message, author) / shelf.restore(name, message, author)
    shelf.feedback(name, 4, "worked", author, execution_id=None)

A recipe may name the policy rules it runs under (`policy_rules`) and the approvals its
change needs (`approvals`): every rule id must exist in the active policy, and the
approvals must be at least what those rules ask for.
"""

from __future__ import annotations

import hashlib
from typing import Any

from kubechat_tui.engine.approvals import AuditSink
from kubechat_tui.engine.identity import Actor, identities_of
from kubechat_tui.guard.policy import Policy
from kubechat_tui.planner.recipes import Recipe, RecipeError, parse_recipe
from kubechat_tui.store.audit_model import AuditEvent, Operator
from kubechat_tui.store.recipe_store import Feedback, RecipeStore, RecipeVersion


def policy_problem(recipe: Recipe, policy: Policy) -> str | None:
    """Why `recipe`'s policy references do not hold under `policy` (None: they do)."""
    rules = {rule.id: rule for rule in policy.spec.rules}
    for rule_id in recipe.policy_rules:
        if rule_id not in rules:
            known = ", ".join(rules) or "none"
            return (f"policy_rules: unknown rule id {rule_id!r} in the active policy "
                    f"({policy.path}; rules: {known})")
    needed = max((rules[r].approvals for r in recipe.policy_rules
                  if rules[r].effect == "require_approval"), default=0)
    if recipe.approvals < needed:
        return (f"approvals: {recipe.approvals}, but the rules it names ask for {needed} "
                "(declare at least that many)")
    return None


class RecipePublisher:
    """The store's recipes, changed only here."""

    def __init__(self, store: RecipeStore, audit: AuditSink, policy: Policy) -> None:
        self.store = store
        self.audit = audit
        self.policy = policy

    def publish(self, text: str, label: str, message: str, author: Actor) -> RecipeVersion:
        """Validate and store a new version (RecipeError names the problem; nothing is
        stored then)."""
        recipe = parse_recipe(text, label)
        problem = policy_problem(recipe, self.policy)
        if problem is not None:
            raise RecipeError(f"{label}: {problem}")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        current = self.store.published().get(recipe.name)
        if current is not None and current.digest == digest and not current.deprecated:
            raise RecipeError(f"{label}: recipe {recipe.name} v{current.version} already has "
                              "this content")
        entry = self.store.publish(recipe.name, text, digest, author.os_user,
                                   identities_of(author), message)
        self._audit("recipe.published", author, entry, {
            "policy_rules": recipe.policy_rules, "approvals": recipe.approvals,
            "policy_hash": self.policy.hash, "content": text})
        return entry

    def deprecate(self, name: str, message: str, author: Actor) -> RecipeVersion:
        """Leave a published recipe out of planning and suggestions (StoreError: unknown)."""
        entry = self.store.set_state(name, "deprecate", author.os_user, identities_of(author),
                                     message)
        self._audit("recipe.deprecated", author, entry, {})
        return entry

    def restore(self, name: str, message: str, author: Actor) -> RecipeVersion:
        """Put a deprecated recipe back in use."""
        entry = self.store.set_state(name, "restore", author.os_user, identities_of(author),
                                     message)
        self._audit("recipe.restored", author, entry, {})
        return entry

    def feedback(self, name: str, rating: int, comment: str, author: Operator,
                 execution_id: str | None = None) -> Feedback:
        """Keep a rating (1-5) and a comment on a recipe run."""
        entry = self.store.add_feedback(name, author.os_user, rating, comment, execution_id)
        self.audit.append(AuditEvent(action="recipe.feedback", operator=author,
                                     outcome=str(rating), payload={
                                         "name": name, "rating": rating, "comment": comment,
                                         "execution_id": execution_id}))
        return entry

    def _audit(self, action: str, author: Actor, entry: RecipeVersion,
               extra: dict[str, Any]) -> None:
        self.audit.append(AuditEvent(action=action, operator=author, outcome=entry.action,
                                     payload={"name": entry.name, "version": entry.version,
                                              "digest": entry.digest, "message": entry.message,
                                              **extra}))
