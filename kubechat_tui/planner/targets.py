"""Which objects a request names: `deployment 'web-app'`, `deploy/web-app`, `node ip-10-0-3-7`,
`calc-app-pod`, `-l app=web` / "with label app=web", and the qualifier in "payment pods".

Names are never read from inside a label selector ("-l app=payments-api" names no object),
and `Target.kind_stated` says whether the user wrote the object's kind or it was inferred
(a bare name, a pod-like name): changes that delete need a stated kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubechat_tui.domain import resolve_resource
from kubechat_tui.planner.text import is_image, is_name, is_selector, quoted

# Words that are never object names even when they look like one.
_STOP_WORDS = """
a an the all any every each some my our their its it them this that these those me us
show list get display find see view check what which how many status health look at
in on from within across to for of by with and or but not no please now then also just
pod pods deployment deployments deploy node nodes service services svc namespace namespaces
ns cluster clusters fleet container containers replica replicas replicaset replicasets
logs log events event describe details top cpu memory usage image images version versions
scale restart rollout roll back rollback undo revert set update change delete remove kill
cordon uncordon drain evict patch apply create up down half double percent times zero one
crashloop crashlooping crashing pending oom oomkilled ready not unready restarts restarting
errors error failing failed failures why is are was were be been do does did running
stuck broken bad last previous tail lines recent latest first top new old current
prod production staging canary dev qa test everywhere whole entire again named called
"""
STOP = frozenset(_STOP_WORDS.split())
POD_NAME = re.compile(r"-[a-z0-9]{6,10}-[a-z0-9]{5}$|-pod$|-[0-9]+$")
_SELECTOR = re.compile(r"(?:-l|--selector|selector|labels?|labell?ed|matching)[\s=]+"
                       r"['\"]?([A-Za-z0-9_.\-/]+(?:!=|==|=)[A-Za-z0-9_.\-]*"
                       r"(?:,[A-Za-z0-9_.\-/]+(?:!=|==|=)[A-Za-z0-9_.\-]*)*)")
_BARE_SELECTOR = re.compile(r"(?<![\w=])([a-z0-9_.\-/]+(?:!=|==|=)[a-z0-9_.\-]+)(?![:/@\w.\-])",
                            re.IGNORECASE)
_SELECTOR_WORD = re.compile(r"(?:^|\s)(?:-l|--selector)(?=[\s=]|$)|\blabels?\b|\blabell?ed\b"
                            r"|\bselector\b")
_NOT_LABELS = ("container=", "image=", "replicas=", "tail=", "revision=", "output=")
_TYPED = re.compile(r"(?=\b([a-z]+)(?:/| (?:named |called )?)['\"]?"
                    r"([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?))")
# "payments-api deployment" names a deployment; "payments-api pods" are the pods *of* it.
_NAME_THEN_TYPE = re.compile(r"\b([a-z0-9][-a-z0-9.]*[a-z0-9])\s+(deployment|deploy|pod|node"
                             r"|service|statefulset|daemonset|namespace)\b")


@dataclass
class Target:
    """The object(s) a request is about; any part may be missing."""

    resource: str | None = None
    name: str | None = None
    selector: str | None = None
    qualifier: str | None = None  # "payment" in "payment pods": a name filter, not a name
    noun: str | None = None  # the resource the user mentioned, for listing
    kind_stated: bool = False  # the user wrote the kind of `name` ("pod x", "deploy/x")
    selector_unread: bool = False  # "-l"/"label" is there but no key=value could be read


def find_target(text: str, low: str, ignore: set[str]) -> Target:
    """Extract the target from the request; `ignore` holds scope words (clusters, ns)."""
    target = Target()
    masked, target.selector = _selector(text)
    names = masked.lower()
    target.selector_unread = target.selector is None and bool(_SELECTOR_WORD.search(low))
    for word, name in _TYPED.findall(names):
        info = resolve_resource(word)
        plural_noun = info is not None and word == info.plural
        if plural_noun and not any(ch.isdigit() or ch == "-" for ch in name):
            continue  # "pods sorted by ...": a plural noun is rarely followed by a name
        if info and _usable(name, ignore) and word not in ("namespace", "ns"):
            target.resource, target.name, target.kind_stated = info.plural, name, True
            break
    if target.name is None:
        for name, word in _NAME_THEN_TYPE.findall(names):
            info = resolve_resource(word)
            if info and _usable(name, ignore) and "-" in name and word != "namespace":
                target.resource, target.name, target.kind_stated = info.plural, name, True
                break
    if target.name is None:
        for name in quoted(masked):
            if _usable(name.lower(), ignore):
                target.name = name.lower()
                break
    if target.name is None:
        target.name = _bare_name(names, ignore)
    if target.name and target.resource is None and POD_NAME.search(target.name):
        target.resource = "pods"
    target.noun = noun_in(names)
    target.qualifier = _qualifier(names, target, ignore)
    return target


def named_objects(text: str, ignore: set[str]) -> list[str]:
    """Every object name written with its kind ("pod a and pod b" -> [a, b]), in order."""
    names = _selector(text)[0].lower()
    found = [name for word, name in _TYPED.findall(names)
             if resolve_resource(word) and word not in ("namespace", "ns")
             and _usable(name, ignore)]
    return list(dict.fromkeys(found))


def _selector(text: str) -> tuple[str, str | None]:
    """(the text with the label selector blanked out, the selector or None)."""
    m = _SELECTOR.search(text)
    span = m.span() if m else None
    sel = m.group(1) if m else None
    if m is None:
        bare = _BARE_SELECTOR.search(text)
        if bare:
            span, sel = bare.span(), bare.group(1).lower()
    if span is None or sel is None:
        return text, None
    sel = sel.rstrip(".-_")  # label values end with a letter or digit
    if not is_selector(sel) or sel.startswith(_NOT_LABELS):
        return text, None
    start, end = span
    if end < len(text) and text[end] in "'\"":
        end += 1
    return text[:start] + " " * (end - start) + text[end:], sel


def _usable(name: str, ignore: set[str]) -> bool:
    return is_name(name) and name not in STOP and name not in ignore and not name.isdigit()


def _bare_name(low: str, ignore: set[str]) -> str | None:
    for token in re.findall(r"[a-z0-9][-a-z0-9.]*[a-z0-9]", low):
        if ("-" in token or any(ch.isdigit() for ch in token)) and _usable(token, ignore) \
                and not re.fullmatch(r"\d+%?|v?\d+(\.\d+)*|\d+[a-z]{1,2}", token) \
                and not is_image_like(token, low):
            return token
    return None


def is_image_like(token: str, low: str) -> bool:
    """True when the token is the image part of the request ("to nginx:1.27")."""
    return bool(re.search(rf"{re.escape(token)}[:@]", low)) and is_image(token)


def noun_in(low: str) -> str | None:
    """The first resource the text mentions ("pods"); Secrets never count."""
    for word in re.findall(r"[a-z]+", low):
        info = resolve_resource(word)
        if info and word not in ("secret", "secrets"):
            return info.plural
    return None


def _qualifier(low: str, target: Target, ignore: set[str]) -> str | None:
    if target.name or target.noun is None:
        return None
    m = re.search(r"\b([a-z][a-z0-9-]*)\s+(?:pods?|deployments?|services?)\b", low)
    if m and m.group(1) not in STOP and m.group(1) not in ignore and is_name(m.group(1)):
        return m.group(1)
    return None


def find_image(text: str) -> tuple[str | None, str | None]:
    """(container, image) from "set image web=nginx:1.27" or "image to nginx:1.27"."""
    m = re.search(r"\b([a-z0-9][-a-z0-9]*)=([A-Za-z0-9][A-Za-z0-9._\-/:@]+)", text)
    if m and is_image(m.group(2)) and (":" in m.group(2) or "/" in m.group(2)):
        return m.group(1), m.group(2)
    m = re.search(r"\b(?:to|=|image)\s+['\"]?([A-Za-z0-9][A-Za-z0-9._\-/]*[:@][A-Za-z0-9._\-:]+)",
                  text)
    image = m.group(1) if m else None
    c = re.search(r"\bcontainer\s+['\"]?([a-z0-9][-a-z0-9]*)", text.lower())
    return (c.group(1) if c else None), (image if image and is_image(image) else None)
