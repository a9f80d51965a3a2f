"""The one redaction module: secrets are masked in whatever leaves the machine (prompts to a
non-local model, webhook messages) or is kept (the store redacts every audit record,
timeline entry and approval request with it: `store.record_redaction`; exports, S3
pushes, webhooks and alerts carry what the store holds).

API::

    redactor = Redactor(settings.ai.redact_patterns)  # re.error for a bad configured regex
    redactor.redact(text) -> str
    redactor.redact_text(text) -> Redaction       # .text, .rules (ids of the rules that fired)
    redactor.redact_data(value) -> RedactedData   # JSON-like data: .value (a copy), .rules
    redact_text(text), redact_data(value)         # the built-in rules only
    redactor.redact_data(value, HashMarker(key))  # markers [REDACTED:rule:digest] instead
    is_secret_key("MYSQL_ROOT_PASSWORD") -> True  # the key-name test both forms use
    SessionRedactor(redactor, secret_names)       # a session's stream (exec transcripts):
                                                  # learns values, masks secret reads
    credential_like("q8Vx2LmT0pR7sK4nW9bZ3cY6")   # a high-entropy literal (env values)

Three kinds of rule, compared with detect-secrets' plugins and gitleaks' default rules:
token shapes that are secret wherever they appear (AWS key ids, GitHub, GitLab, Slack,
Stripe, npm, Google and OpenAI-style keys, JWTs and base64 JWTs such as service-account
tokens, kubeadm bootstrap tokens, private key blocks, Slack webhooks); values that are
secret because of what precedes them (the password of a URL or connection string,
Authorization headers, Azure account keys and SAS signatures, an AWS secret access key
after its name, and any `name=value`, `name: value` or `--name value` whose name is secret-ish);
and the user's patterns. Data is masked by key name (`is_secret_key`), as a Kubernetes
Secret (its `data` and `stringData`), as a literal env value that looks generated
(`credential_like`), and by value shape (every string is scanned; a JSON patch or a YAML
manifest held in a string is masked as data and written back). Markers already in a text
are never masked again, so redacting twice changes nothing.
Digests (`sha256:...`, image digests, git SHAs), UUIDs, resourceVersions and
pod-template hashes are no shape of secret and survive.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubechat_tui.domain.redaction_markers import MARKER, is_marker, mask, structured
from kubechat_tui.domain.redaction_markers import MASK as MASK  # re-exported: one home
from kubechat_tui.domain.redaction_markers import Marker as Marker
from kubechat_tui.domain.secret_masking import LAST_APPLIED, SECRET_FIELDS

MAX_NAME = 120  # longer key names are not recognised (keeps scanning linear)
KEY_NAME_RULE = "secret-key-name"
SECRET_OBJECT_RULE = "kubernetes-secret"
CREDENTIAL_VALUE_RULE = "credential-env-value"  # a high-entropy literal env value
ENTROPY_LIMIT = 4.0  # bits per character (random base64 of 20+ characters is above)
_HEX = re.compile(r"[0-9a-fA-F]+")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_-]+")  # base64 (plain or URL-safe) and the like
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
# Named groups holding the secret part of a match (the first that took part is masked);
# a rule without any masks its whole match.
SECRET_GROUPS = ("secret", "quoted", "single")

# Key names: words (camelCase, snake_case, kebab-case, dots) that make a value secret.
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "credential",
    "credentials", "apikey", "auth", "sak", "privatekey", "secretkey", "accesskey",
})
_EMBEDDED = ("password", "passwd", "passphrase", "secret", "apikey")  # "dbpassword"
_KEY_QUALIFIERS = frozenset({
    "api", "access", "private", "secret", "signing", "encryption", "master", "account",
    "session", "client", "auth", "shared", "app", "service", "storage", "db", "database",
    "license", "webhook", "priv",
})
# A last word that makes the name point at a secret rather than hold one (secretName,
# passwordFile, tokenTTL) or count them (max_tokens).
_NOT_SECRET_LAST = frozenset({
    "name", "names", "ref", "refs", "file", "files", "path", "paths", "dir", "env", "type",
    "kind", "length", "len", "count", "size", "ttl", "expiry", "expires", "expiration",
    "seconds", "minutes", "hours", "at", "url", "uri", "endpoint", "enabled", "required",
    "policy", "version", "secrets", "tokens", "passwords", "mode", "source", "selector",
})
_PLURALS = frozenset({"secrets", "tokens", "passwords"})
_PLACEHOLDERS = frozenset({"", "true", "false", "null", "none", "nil", "~", "****", "***",
                           "********", MASK.lower(), "redacted", "<redacted>"})


def is_secret_key(name: str) -> bool:
    """True for a key whose value is a secret: DB_PASSWORD, MYSQL_ROOT_PASSWORD, API_KEY,
    clientSecret, x-api-key, _authToken; not secretName, passwordFile or max_tokens."""
    words = [w.lower() for w in _WORDS.findall(name)]
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    for index, word in enumerate(words):
        if word in _PLURALS:
            continue  # a path or list naming secrets (prod/secrets/ns/name) holds none
        if word in _SECRET_WORDS or word.endswith("token") or any(e in word for e in _EMBEDDED):
            return True
        if word == "key" and index > 0 and words[index - 1] in _KEY_QUALIFIERS:
            return True
    return False


def _placeholder(value: str) -> bool:
    """Values that hold nothing secret: empty, booleans, masks and markers, templates,
    `<set to ...>`."""
    text = value.strip().strip("\"'").strip()
    return (text.lower() in _PLACEHOLDERS or is_marker(text)
            or text.startswith(("${", "{{", "$(", "<", "%(", MASK[:-1])))  # masked already


def _token_like(value: str) -> bool:
    """A bearer credential rather than prose: a digit or a token symbol, or long."""
    return len(value) >= 24 or any(c.isdigit() or c in "._~+/-=" for c in value)


def _basic_credential(value: str) -> bool:
    """Base64 of `user:password` (what `Authorization: Basic` carries)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded and decoded.isascii()


def _secret_group(match: re.Match[str]) -> str | None:
    """The group holding the secret part of a match; None: the whole match is secret."""
    return next((group for group in SECRET_GROUPS
                 if group in match.re.groupindex and match.group(group) is not None), None)


def _secret_named(match: re.Match[str]) -> bool:
    group = _secret_group(match)
    value = match.group(group) if group is not None else ""
    return is_secret_key(match.group("key")) and not _placeholder(value)


@dataclass(frozen=True)
class Rule:
    """A named pattern, tried only on text holding one of its `keywords` (lowercase; none:
    always), as gitleaks does; `check(match)` can turn a match down (prose, placeholders)."""

    id: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...] = ()
    check: Callable[[re.Match[str]], bool] | None = None
    by_name: bool = False  # matches start at a name with a secret-ish part (found fast)

    def applies(self, lowered: str) -> bool:
        """True when the (lowercased) text may hold a match."""
        return not self.keywords or any(word in lowered for word in self.keywords)

    def search(self, text: str, start: int) -> re.Match[str] | None:
        """The first match at or after `start`. A name rule jumps from one secret-ish part
        (`pass`, `token`, ...) to the next and tries the name it belongs to."""
        if not self.by_name:
            return self.pattern.search(text, start)
        tried = -1  # where the last tried name's secret-ish part ended
        for part in _SECRET_PART.finditer(text, start):
            same_name = tried >= 0 and _NAME_CHARS.fullmatch(text, tried, part.start())
            tried = part.end()
            if same_name:
                continue  # another part of the name just tried
            name, first = part.start(), max(start, part.start() - MAX_NAME)
            while name > first and (text[name - 1].isalnum() or text[name - 1] in "_.-"):
                name -= 1
            found = self.pattern.match(text, name)
            if found is not None:
                return found
        return None


def _rule(rule_id: str, pattern: str, *keywords: str, by_name: bool = False,
          check: Callable[[re.Match[str]], bool] | None = None, flags: int = 0) -> Rule:
    return Rule(rule_id, re.compile(pattern, flags), keywords, check, by_name)


def _group_check(test: Callable[[str], bool]) -> Callable[[re.Match[str]], bool]:
    return lambda match: test(match.group("secret"))


_B64 = r"[A-Za-z0-9+/]"
_SECRET_PARTS = ("pass", "pwd", "secret", "token", "key", "auth", "credential", "sak")
_SECRET_PART = re.compile("|".join(_SECRET_PARTS), re.IGNORECASE)
_NAME_CHARS = re.compile(r"[\w.-]*")
# a name (checked by `is_secret_key`); the lookahead skips names with no secret-ish part fast
_KEY = (rf"(?<![\w.-])(?=[\w.-]*?(?i:{'|'.join(_SECRET_PARTS)}))"
        rf"(?P<key>[A-Za-z_][\w.-]{{0,{MAX_NAME}}})[\"']?\s*")
_QUOTED = r"\"(?P<quoted>[^\"\n]*)\"|'(?P<single>[^'\n]*)'"
# `name=value`, `--name value`: the value ends at white space or a separator
_VALUE = rf"(?:{_QUOTED}|(?P<secret>[^\s\"'`,;&]+))"
# `name: value` (YAML, headers, logs): an unquoted value runs to the end of the line, a
# comment, or the `, ` / `}` / `]` that ends it in a flow mapping
_LINE_VALUE = (rf"(?:{_QUOTED}|(?P<secret>[^\s\"'#][^\n#]*?)"
               r"(?=[ \t]+#|[ \t]*(?:\r?\n|\Z)|,[ \t]|[}\]]))")
_GITLAB = ("glpat-", "gldt-", "glptt-", "glrt-", "glcbt-", "glffct-", "glft-", "glimt-",
           "gloas-", "glsoat-", "glagent-", "gr1348941")

# Order matters: blocks and URLs first, so later rules see their secrets already masked.
BUILTIN_RULES: tuple[Rule, ...] = (
    _rule("private-key", r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
          r"(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\Z)", "private key"),
    _rule("url-password", r"\b[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/@\"'<>]*:"
          r"(?P<secret>[^\s/\"'<>]+)@", "://"),
    _rule("slack-webhook", r"hooks\.slack\.com/(?:services|workflows|triggers)/"
          r"(?P<secret>[A-Za-z0-9_/+-]{16,})", "hooks.slack.com"),
    _rule("discord-webhook", r"discord(?:app)?\.com/api/webhooks/(?P<secret>\d+/[\w-]{20,})",
          "discord"),
    _rule("authorization-header", r"\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?"
          r"(?:(?:basic|bearer|token|digest|negotiate|apikey|sso-key)\s+)?"
          r"(?P<secret>[^\s\"',;]+)", "authorization", flags=re.IGNORECASE),
    _rule("bearer-token", r"\bbearer\s+(?P<secret>[A-Za-z0-9._~+/-]{12,}=*)", "bearer",
          check=_group_check(_token_like), flags=re.IGNORECASE),
    _rule("basic-auth", r"\bbasic\s+(?P<secret>[A-Za-z0-9+/]{8,}={0,2})", "basic",
          check=_group_check(_basic_credential), flags=re.IGNORECASE),
    _rule("azure-storage-key", r"\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)="
          r"(?P<secret>[^;\s\"'&]+)", "accountkey=", "sharedaccess", flags=re.IGNORECASE),
    _rule("azure-sas-signature", r"[?&]sig=(?P<secret>[A-Za-z0-9%+/=]{16,})", "sig="),
    _rule("aws-access-key-id", r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
          "a3t", "akia", "asia", "abia", "acca"),
    _rule("aws-secret-access-key", r"(?:aws|amazon)[\w.-]{0,30}?(?:secret|sak)[\w.-]{0,20}?"
          r"[\"']?\s*(?:[:=]|=>|\s)\s*[\"']?(?P<secret>" + _B64 + r"{40})(?![A-Za-z0-9+/=])",
          "aws", "amazon", flags=re.IGNORECASE),
    _rule("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})"
          r"\b", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    _rule("gitlab-token", r"\b(?:gl(?:pat|dt|ptt|rt|cbt|ffct|ft|imt|oas|soat|agent)-"
          r"[0-9A-Za-z_-]{20,300}(?:\.[0-9a-z]{9})?|GR1348941[\w-]{20})\b", *_GITLAB),
    _rule("slack-token", r"\b(?:xox[a-z](?:\.xox[a-z])?-|xapp-)[0-9A-Za-z-]{10,}",
          "xox", "xapp-"),
    _rule("stripe-key", r"\b(?:(?:sk|rk)_(?:live|test|prod)_[0-9A-Za-z]{10,247}|"
          r"whsec_[0-9A-Za-z]{24,})\b", "sk_", "rk_", "whsec_"),
    _rule("openai-style-key", r"\b(?:sk|rk)-[A-Za-z0-9_-]{16,}", "sk-", "rk-"),
    _rule("google-api-key", r"\b(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[0-9A-Za-z_-]{28}|"
          r"ya29\.[0-9A-Za-z_-]{20,})", "aiza", "gocspx-", "ya29."),
    _rule("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b", "npm_"),
    _rule("jwt", r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", "eyj"),
    _rule("jwt-base64", r"\bZXlK" + _B64 + r"{40,}={0,2}", "zxlk"),  # base64 "eyJ...": SA tokens
    _rule("kubernetes-bootstrap-token",
          r"\b[a-z0-9]{6}\.(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{16}\b", "token"),
    _rule("secret-flag", rf"(?<![\w-])--(?P<key>[A-Za-z][\w-]{{0,{MAX_NAME}}})(?:=|\s+)" + _VALUE,
          "--", check=_secret_named),
    _rule(KEY_NAME_RULE, _KEY + r"(?::=|=>|=)[ \t]*" + _VALUE, *_SECRET_PARTS, by_name=True,
          check=_secret_named),
    _rule(KEY_NAME_RULE, _KEY + r":[ \t]*" + _LINE_VALUE, *_SECRET_PARTS, by_name=True,
          check=_secret_named),
)


@dataclass(frozen=True)
class Redaction:
    """Redacted text and the ids of the rules that masked something in it."""

    text: str
    rules: frozenset[str]


@dataclass(frozen=True)
class RedactedData:
    """A masked copy of JSON-like data and the ids of the rules that fired."""

    value: Any
    rules: frozenset[str]


class Redactor:
    """The built-in rules plus the user's extra regexes (settings.ai.redact_patterns).

    Every method takes an optional `marker` (`redaction_markers`): what a secret becomes;
    the plain `[REDACTED]` by default, a `HashMarker` where a record must prove a change."""

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        extra = [_rule(f"redact_patterns[{index}]", pattern)  # re.error on a bad pattern
                 for index, pattern in enumerate(extra_patterns)]
        self.rules: tuple[Rule, ...] = (*BUILTIN_RULES, *extra)

    def redact(self, text: str, marker: Marker = mask) -> str:
        """The text with every secret replaced by [REDACTED] (or the marker's text)."""
        return self.redact_text(text, marker).text

    def redact_text(self, text: str, marker: Marker = mask) -> Redaction:
        """The redacted text and the rules that fired."""
        fired: set[str] = set()
        lowered = text.lower()  # masking only removes text: a keyword absent now stays absent
        for rule in self.rules:
            if rule.applies(lowered):
                text = _apply(rule, text, fired, marker)
        return Redaction(text, frozenset(fired))

    def redact_data(self, value: Any, marker: Marker = mask) -> RedactedData:
        """A copy of JSON-like data (mappings, lists, scalars) with secrets masked: values
        under secret-ish keys, a Kubernetes Secret's values, credential-looking env values,
        secret shapes in strings, and all of these in a JSON patch or YAML manifest held
        in a string (written back in the same form)."""
        fired: set[str] = set()
        return RedactedData(_Walk(self, marker, fired).value(value), frozenset(fired))


@dataclass
class _Walk:
    """One `redact_data` pass: the redactor, the marker and the rules fired so far."""

    redactor: Redactor
    marker: Marker
    fired: set[str]

    def value(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return self.mapping(value)
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, value: str) -> str:
        found = structured(value) if "\n" in value or value.lstrip().startswith("{") else None
        if found is not None:  # a patch or manifest: masked as data, written back alike
            inner = _Walk(self.redactor, self.marker, set())
            masked = inner.value(found.value)
            if inner.fired:
                self.fired |= inner.fired
                return found.dump(masked)
        result = self.redactor.redact_text(value, self.marker)
        self.fired |= result.rules
        return result.text

    def mapping(self, value: Mapping[Any, Any]) -> dict[Any, Any]:
        secret_object = value.get("kind") == "Secret"
        masked = {key: self.entry(key, item, secret_object) for key, item in value.items()}
        name, item = value.get("name"), value.get("value")
        # {"name": "DB_PASSWORD", "value": ...}: a container's env
        if isinstance(name, str) and isinstance(item, str) and not is_marker(item):
            if is_secret_key(name) and _secret_scalar(item):
                masked["value"] = self.mask(KEY_NAME_RULE, item)
            elif credential_like(item) and masked.get("value") == item:
                masked["value"] = self.mask(CREDENTIAL_VALUE_RULE, item)
        return masked

    def entry(self, key: Any, item: Any, secret_object: bool) -> Any:
        if secret_object and key in SECRET_FIELDS and isinstance(item, Mapping):
            return {name: self.mask(SECRET_OBJECT_RULE, value) for name, value in item.items()}
        if key == "metadata" and secret_object and isinstance(item, Mapping):
            annotations = item.get("annotations")
            if isinstance(annotations, Mapping) and isinstance(annotations.get(LAST_APPLIED),
                                                               str):
                item = {**item, "annotations": {
                    **annotations,
                    LAST_APPLIED: self.mask(SECRET_OBJECT_RULE, annotations[LAST_APPLIED])}}
        if isinstance(key, str) and is_secret_key(key) and _secret_scalar(item):
            return self.mask(KEY_NAME_RULE, item)
        return self.value(item)

    def mask(self, rule_id: str, secret: Any) -> Any:
        """The marker of one value (a marker already, or nothing: left as it is)."""
        if secret is None or (isinstance(secret, str) and (not secret or is_marker(secret))):
            return secret
        self.fired.add(rule_id)
        return self.marker(rule_id, secret if isinstance(secret, str) else str(secret))


def credential_like(value: str) -> bool:
    """A literal value shaped like a generated credential (detect-secrets' high-entropy
    strings): one base64-like token of 20+ characters mixing upper and lower case letters
    and digits, with the entropy of random base64; not a path, URL, image, digest or id."""
    text = value.strip()
    if (len(text) < 20 or len(text) > 512 or any(c.isspace() for c in text)
            or "://" in text or text.startswith(("/", "sha256:", "sha512:"))
            or _HEX.fullmatch(text) or _UUID.fullmatch(text)):
        return False
    if not (_TOKEN_CHARS.fullmatch(text) and any(c.isdigit() for c in text)
            and any(c.isupper() for c in text) and any(c.islower() for c in text)):
        return False
    return _entropy(text) >= ENTROPY_LIMIT


def _entropy(text: str) -> float:
    counts = [text.count(c) for c in set(text)]
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts)


def _secret_scalar(item: Any) -> bool:
    """A value worth masking under a secret key (not a container, flag or placeholder)."""
    if isinstance(item, bool) or item is None:
        return False
    if isinstance(item, str):
        return not _placeholder(item)
    return isinstance(item, int | float | bytes)


def _apply(rule: Rule, text: str, fired: set[str], marker: Marker) -> str:
    """`text` with the rule's matches masked. A match its check turns down is no match: the
    search goes on from its next character (`env: API_KEY=x` still finds API_KEY)."""
    parts: list[str] = []
    done = scan = 0
    spans = [m.span() for m in MARKER.finditer(text)] if "[REDACTED" in text else []
    starts = [start for start, _ in spans]
    while scan <= len(text) and (match := rule.search(text, scan)) is not None:
        # markers never overlap: only the last one starting before the match's end can
        last = bisect.bisect_left(starts, match.end()) - 1
        inside = last >= 0 and spans[last][1] > match.start()
        if inside or (rule.check is not None and not rule.check(match)):
            scan = match.start() + 1  # a marker is redacted already: never masked again
            continue
        parts += [text[done:match.start()], _mask(match, rule, fired, marker)]
        done = match.end()
        scan = max(done, match.start() + 1)
    return "".join([*parts, text[done:]])


def _mask(match: re.Match[str], rule: Rule, fired: set[str], marker: Marker) -> str:
    group = _secret_group(match)
    if group is None:
        if is_marker(match.group(0)):
            return match.group(0)
        fired.add(rule.id)
        return marker(rule.id, match.group(0))
    secret = match.group(group)
    if not secret or is_marker(secret):
        return match.group(0)
    fired.add(rule.id)
    start, end = match.span(group)
    whole = match.group(0)
    return whole[:start - match.start()] + marker(rule.id, secret) + whole[end - match.start():]


DEFAULT = Redactor()


def redact_text(text: str) -> Redaction:
    """`Redactor().redact_text` with the built-in rules."""
    return DEFAULT.redact_text(text)


def redact_data(value: Any) -> RedactedData:
    """`Redactor().redact_data` with the built-in rules."""
    return DEFAULT.redact_data(value)


_ASSIGNED = re.compile(r"^[ \t]*(?:export[ \t]+)?(?P<key>[A-Za-z_][\w.-]{0,120})[ \t]*(?:=|:[ \t])"
                       r"[ \t]*[\"']?(?P<value>[^\r\n\"']{4,})", re.MULTILINE)
_READS = re.compile(r"\$\{?(?P<var>[A-Za-z_]\w{0,120})|\b(?:printenv|getenv)[ \t]+"
                    r"(?P<arg>[A-Za-z_]\w{0,120})")
MIN_LEARNED = 6  # shorter values are not learned (they would mask ordinary words)
LEARNED_RULE = "session-learned-value"


class SessionRedactor:
    """Redaction of one session's stream of text (exec transcripts): `Redactor`'s rules,
    plus every value an earlier `NAME=value` / `NAME: value` line showed under a secret
    name (masked wherever it shows up again, say printed bare), plus the whole output of
    a command that reads a secret variable (`printenv DB_PASSWORD`, `echo $API_TOKEN`):
    its value comes out bare, with nothing around it to recognise.

        session = SessionRedactor(Redactor(patterns), secret_names={"DB_URL"})
        session.command("printenv DB_URL")   # -> ["DB_URL"]: mask output until the next
        session.redact_text(text)            # the text masked (and values learned)
    """

    def __init__(self, redactor: Redactor, secret_names: Iterable[str] = ()) -> None:
        self.redactor = redactor
        self.secret_names = frozenset(secret_names)  # secret whatever they are called
        self.known: set[str] = set()

    def is_secret_name(self, name: str) -> bool:
        """A variable that holds a secret: named so, or known to come from a Secret."""
        return name in self.secret_names or is_secret_key(name)

    def command(self, line: str) -> list[str]:
        """The secret variables a command line reads (empty: its output is redacted by
        the rules only)."""
        names = [m.group("var") or m.group("arg") for m in _READS.finditer(line)]
        return [n for n in dict.fromkeys(names) if self.is_secret_name(n)]

    def redact_text(self, text: str) -> Redaction:
        """The text with rule matches and learned values masked; learns new values."""
        for match in _ASSIGNED.finditer(text):
            if self.is_secret_name(match.group("key")):
                self.learn(match.group("value"))
        found = self.redactor.redact_text(text)
        masked, fired = found.text, set(found.rules)
        for value in sorted(self.known, key=len, reverse=True):
            if value in masked:
                masked = masked.replace(value, MASK)
                fired.add(LEARNED_RULE)
        return Redaction(masked, frozenset(fired))

    def learn(self, value: str) -> None:
        """Remember a value to mask from now on (the bare output of a secret read)."""
        value = value.strip()
        if len(value) >= MIN_LEARNED and not _placeholder(value) and MASK not in value:
            self.known.add(value)
