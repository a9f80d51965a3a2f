"""The verb allow-list: the kubectl verbs a plan may contain (`PLAN_VERBS`), and `exec`,
which only the engine's exec path (`engine.exec_guard`) builds: no planner, recipe or plan
file may hold it."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    """A kubectl verb, spelled as on the kubectl command line (`rollout restart`)."""

    GET = "get"
    DESCRIBE = "describe"
    EVENTS = "events"
    LOGS = "logs"
    TOP = "top"
    ROLLOUT_STATUS = "rollout status"
    ROLLOUT_HISTORY = "rollout history"
    SCALE = "scale"
    ROLLOUT_RESTART = "rollout restart"
    ROLLOUT_UNDO = "rollout undo"
    SET_IMAGE = "set image"
    CORDON = "cordon"
    UNCORDON = "uncordon"
    DRAIN = "drain"
    DELETE = "delete"
    PATCH = "patch"
    APPLY = "apply"
    EXEC = "exec"  # a session in a container: never a plan step (PLAN_VERBS)

    @property
    def mutating(self) -> bool:
        """True when the verb changes cluster state."""
        return self in MUTATING_VERBS


MUTATING_VERBS = frozenset(
    {
        Verb.SCALE,
        Verb.ROLLOUT_RESTART,
        Verb.ROLLOUT_UNDO,
        Verb.SET_IMAGE,
        Verb.CORDON,
        Verb.UNCORDON,
        Verb.DRAIN,
        Verb.DELETE,
        Verb.PATCH,
        Verb.APPLY,
        Verb.EXEC,
    }
)
# What planners, recipes and plan files may use: every verb but exec.
PLAN_VERBS = tuple(v for v in Verb if v is not Verb.EXEC)
