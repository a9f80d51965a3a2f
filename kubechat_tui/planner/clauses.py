"""The clauses of a compound request: "describe pod x and delete namespace y",
"logs of web. delete it" (line breaks arrive as ". ", see text.clean_request).

A request splits at sentence ends, commas, "and", "then", "also". A fragment that asks
nothing by itself ("pod b", "staging") continues the clause before it; one that is only
verbs ("cordon" in "cordon and drain node x", "show" in "show and delete pod x") joins
the clause after it. What the rule planner does with the clauses is in rules.py.
"""

from __future__ import annotations

import re

from kubechat_tui.planner.intents import detect

_SPLIT = re.compile(r"(?<=[a-z0-9'\")\]])[.!?]+\s+|[;,]\s+"
                    r"|,?\s+(?:and\s+then|and\s+also|and|then|also|after\s+that|afterwards)\s+",
                    re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:and|then|also|after that|afterwards)\b[\s,]*)+", re.IGNORECASE)
# Words that name nothing: verbs, pronouns, filler. A fragment made only of these
# ("cordon", "show", "please delete it") has no target or scope of its own.
_NOTHING_WORDS = """
show list get display find see view check look at describe inspect scale restart rollout
roll back rollback undo revert set update change delete remove kill destroy nuke wipe purge
terminate evict erase drop clean up cordon uncordon drain evacuate patch apply create bounce
recycle redeploy reboot then also and please kindly now just a an the it them this that
these those me us can could would you i want to need go ahead first again too as well same
one ones so let's lets its their
"""
_NAMES_NOTHING = frozenset(_NOTHING_WORDS.split())
PRONOUNS = frozenset({"it", "them", "this", "that", "these", "those", "same", "its", "their"})


def split_clauses(text: str) -> list[str]:
    """The clauses of `text` (one item when it is a single request)."""
    fragments = [_LEADING.sub("", f.strip(" .")) for f in _SPLIT.split(text)]
    fragments = [f for f in fragments if f]
    if len(fragments) <= 1:
        return [text]
    intents = [detect(f.lower()) for f in fragments]
    clauses: list[str] = []
    carry = ""
    for i, (fragment, intent) in enumerate(zip(fragments, intents, strict=True)):
        fragment = f"{carry} and {fragment}" if carry else fragment
        carry = ""
        last = i == len(fragments) - 1
        bare = only_verbs(fragment)
        if bare and not last and (not intent.changes or intents[i + 1].changes):
            carry = fragment  # "cordon and drain node x": the verb joins the next clause
        elif clauses and (intent.empty or (bare and not intent.changes)):
            clauses[-1] = f"{clauses[-1]} and {fragment}"  # "pod b", "staging", "and check"
        else:
            clauses.append(fragment)
    return clauses or [text]


def only_verbs(fragment: str) -> bool:
    """True when the fragment names nothing: verbs, pronouns and filler only."""
    words = re.findall(r"[a-z0-9'][-a-z0-9.'/=]*", fragment.lower())
    return all(w in _NAMES_NOTHING for w in words)


def has_pronoun(fragment: str) -> bool:
    """True when the fragment refers back ("delete it", "restart them")."""
    return any(w in PRONOUNS for w in re.findall(r"[a-z']+", fragment.lower()))
