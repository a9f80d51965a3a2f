"""What a request asks for: symptoms to diagnose, reads, and at most one change.

Pure regex tables over the lower-cased request; no guessing: a change is only detected
from an explicit imperative ("scale", "restart", "roll back", "delete", ...) in a part of
the request that is not a question: "why did traffic drop?" and "how often do pods
restart?" ask about something and change nothing ("can you restart web?" is a request).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Symptom(StrEnum):
    """Triage symptoms the rule planner knows how to diagnose."""

    CRASHLOOP = "crashloop"
    PENDING = "pending"
    OOM = "oom"
    IMAGE_PULL = "image pull"
    NOT_READY = "not ready"
    RESTARTS = "restarts"
    LOG_ERRORS = "errors in logs"
    GENERAL = "general triage"  # "what is wrong with X", "investigate X"


class Read(StrEnum):
    """Read-only requests."""

    LOGS = "logs"
    EVENTS = "events"
    DESCRIBE = "describe"
    IMAGES = "images in use"
    TOP = "top"
    HISTORY = "rollout history"
    STATUS = "rollout status"
    LIST = "list"


class Change(StrEnum):
    """Mutations; at most one per request."""

    SCALE = "scale"
    RESTART = "restart"
    UNDO = "roll back"
    SET_IMAGE = "set image"
    CORDON = "cordon"
    UNCORDON = "uncordon"
    DRAIN = "drain"
    DELETE = "delete"
    PATCH = "patch"
    APPLY = "apply"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


SYMPTOMS: tuple[tuple[Symptom, re.Pattern[str]], ...] = (
    (Symptom.CRASHLOOP, _rx(r"crash[- ]?loop|crashing|crashed|keeps? (crashing|restarting)"
                            r"|\bbackoff\b|back-off")),
    (Symptom.PENDING, _rx(r"\bpending\b|unschedulable|not (being )?scheduled|won'?t schedule"
                          r"|can'?t (be )?schedul|failedscheduling|stuck")),
    (Symptom.OOM, _rx(r"\boom|out of memory|memory kill|killed for memory|oomkill")),
    (Symptom.IMAGE_PULL, _rx(r"image ?pull|errimage|pull (errors?|fail\w*|backoff)"
                             r"|(can'?t|cannot|failing to|fail to) pull")),
    (Symptom.NOT_READY, _rx(r"not[- ]ready|notready|unready|readiness|unhealthy|probe"
                            r"|not running"
                            r"|health ?checks? fail")),
    (Symptom.RESTARTS, _rx(r"\brestarts\b|restart ?count|\brestarting\b|restarted"
                           r"|\bhow often\b[^.?]*\brestart")),
    (Symptom.LOG_ERRORS, _rx(r"errors? in (the |their |its )?logs?|logs? errors|exceptions?"
                             r"|stack ?traces?|\berrors?\b|\bfailures?\b|\bfailing\b|panic")),
    (Symptom.GENERAL, _rx(r"\bwrong\b|investigate|\bdebug|troubleshoot|diagnos|\bbroken\b"
                          r"|\b(is|are|went|goes|seems?) down\b"
                          r"|\bproblems?\b|\bissues?\b|\bslow\b|\bhappening\b|\bdegraded\b"
                          r"|\boutage\b|\bincident\b")),
)

READS: tuple[tuple[Read, re.Pattern[str]], ...] = (
    (Read.IMAGES, _rx(r"images? (in use|running|used|deployed)|(which|what) images?"
                      r"|image versions?|(list|show) (the )?images|images of")),
    (Read.LOGS, _rx(r"\blogs?\b|\btail\b|\bstdout\b")),
    (Read.EVENTS, _rx(r"\bevents?\b|what happened|\bwarnings\b")),
    (Read.DESCRIBE, _rx(r"\bdescribe\b|\bdetails?\b|\binspect\b|\bwhy\b|\bexplain\b")),
    (Read.TOP, _rx(r"\btop\b|\bcpu\b|memory usage|resource usage|utili[sz]ation|\bmetrics\b"
                   r"|\bload\b")),
    (Read.HISTORY, _rx(r"rollout history|\brevisions?\b|\bhistory\b|previous versions?")),
    (Read.STATUS, _rx(r"rollout status|rollout progress|is the rollout|status of (the )?rollout")),
    (Read.LIST, _rx(r"\b(show|list|get|display|find|see|view|check|what|which|how many|status"
                    r"|health|look at|any)\b")),
)

CHANGES: tuple[tuple[Change, re.Pattern[str]], ...] = (
    (Change.SCALE, _rx(r"\bscale\b|\b(bump|add|remove|give|set|increase|decrease|reduce)\b"
                       r"[^.]*\breplicas?\b|\b(set|change|increase|decrease|bump"
                       r"|reduce) (the )?replicas?\b|\breplicas? to\b")),
    (Change.RESTART, _rx(r"\b(rollout )?restart\b(?! ?counts?)|\bbounce\b|\brecycle\b|\bredeploy\b"
                         r"|\breboot\b")),
    (Change.UNDO, _rx(r"\broll ?back\b|\brollback\b|\bundo\b|\brevert\b"
                      r"|\broll \S+ back\b")),
    (Change.SET_IMAGE, _rx(r"\bset (the )?image\b|\b(update|change|bump|upgrade|switch) (the )?"
                           r"(container )?image\b|\bimage to\b|\bset image\b")),
    (Change.UNCORDON, _rx(r"\buncordon\b|\bmake (node )?schedulable\b")),
    (Change.CORDON, _rx(r"(?<!un)\bcordon\b|\bmark\b.*\bunschedulable\b")),
    (Change.DRAIN, _rx(r"\bdrain\b|\bevacuate\b")),
    (Change.DELETE, _rx(r"\b(delete|deleting|remove|removing|kill|destroy|nuke|wipe|purge"
                        r"|terminate|evict|erase|drop)\b|\brm\b|\bclean ?up\b")),
    (Change.PATCH, _rx(r"\bpatch\b|\bedit\b|\bmodify\b|\bset (env|resources|limits?|label"
                       r"|annotation)")),
    (Change.APPLY, _rx(r"\bapply\b|\bcreate\b|\binstall\b|\bdeploy (a|an|the|this|new|version)\b")),
)

SECRET_READ = _rx(r"\bsecrets?\b|passwords?|credentials?|\bapi[- _]?keys?\b|\btokens?\b"
                  r"|private keys?|\bkubeconfig\b|\bcerts? and keys?\b|connection strings?")
UNSUPPORTED = _rx(r"\bexec\b|\bshell\b|\bssh\b|port[- ]forward|\bkubectl cp\b|\bproxy\b"
                  r"|\bauth can-i\b|\battach\b")
# "in all clusters" is a scope (resolved by planner.scope), not "delete everything".
DESTRUCTIVE_ALL = _rx(r"\b(everything|all resources|all objects|the whole cluster|"
                      r"entire cluster)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# "can you ...", "could you please ...", "please ...": a request, even with a "?".
_POLITE = _rx(r"^(?:please\s+)?(?:(?:can|could|would|will)\s+(?:you|u|we)\s+)?(?:please\s+)?")
_QUESTION = _rx(r"^(?:why|how|what|when|where|which|who|whom|whose|is|are|was|were|am|does"
                r"|do|did|has|have|had|should|shall|may|might|must|(?:can|could|would|will)"
                r" (?:i|it|this|that|these|those|there|the|a|an|my|our)"
                r"|(?:tell me|explain|find out|figure out|check|see|show(?: me)?|let me know"
                r"|i wonder|wondering)\s+(?:why|how|whether|if|when|what|which|who))\b")


@dataclass
class Intent:
    """The detected symptoms, reads and changes of one request."""

    symptoms: list[Symptom] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    question: bool = False  # a part of the request is a question (its change words count not)
    hedged: list[Change] = field(default_factory=list)  # "restart web?": asked, not requested

    @property
    def empty(self) -> bool:
        """True when nothing was recognised."""
        return not (self.symptoms or self.reads or self.changes)


def detect(low: str) -> Intent:
    """Match the request (lower case) against the tables; changes only outside questions."""
    parts = statements(low)
    intent = Intent(
        symptoms=[s for s, rx in SYMPTOMS if rx.search(low)],
        reads=[r for r, rx in READS if rx.search(low)],
        changes=[c for c, rx in CHANGES if rx.search(parts.asking)],
        question=parts.question,
        hedged=[c for c, rx in CHANGES if parts.hedged and rx.search(parts.hedged)],
    )
    if Change.SCALE in intent.changes and Change.DELETE in intent.changes and "replica" in low:
        intent.changes.remove(Change.DELETE)  # "remove 2 replicas"
    if Change.DRAIN in intent.changes and Change.CORDON in intent.changes:
        intent.changes.remove(Change.CORDON)  # drain cordons first
    if Symptom.CRASHLOOP in intent.symptoms and Symptom.RESTARTS in intent.symptoms:
        intent.symptoms.remove(Symptom.RESTARTS)
    if Change.SET_IMAGE in intent.changes and Change.APPLY in intent.changes:
        intent.changes.remove(Change.APPLY)
    for weak in (Symptom.GENERAL, Symptom.LOG_ERRORS):
        if weak in intent.symptoms and len(intent.symptoms) > 1:
            intent.symptoms.remove(weak)
    return intent


@dataclass(frozen=True)
class Parts:
    """A request split by what its parts do (see `statements`)."""

    asking: str  # the parts that are not questions
    question: bool  # some part is a question
    hedged: str  # questions worded as a request ("restart web?"), joined


def statements(low: str) -> Parts:
    """The request's sentences sorted: a sentence is a question when it starts like one
    ("why ...", "how often ...", "should I ...", "check whether ...": all of it, "and ..."
    included), or ends in "?" and is not a polite request ("can you restart web?")."""
    sentences = _SENTENCE_END.split(low.strip())
    kept: list[str] = []
    hedged: list[str] = []
    for sentence in sentences:
        polite = _POLITE.match(sentence)
        prefix = polite.group(0) if polite else ""
        body = sentence[len(prefix):]
        if _QUESTION.match(body):
            continue
        if sentence.rstrip().endswith("?") and not prefix:
            hedged.append(body)
        else:
            kept.append(sentence)
    question = len(kept) < len(sentences)
    return Parts(" ".join(kept) if question else low, question, " ".join(hedged))
