"""Every key binding of the console, each with an id so settings.keymap can rebind it."""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

from kubechat_tui.tui.widgets.plan_view import PLAN_BINDINGS

TABLE_BINDINGS: list[Binding] = [
    Binding("j,down", "cursor_down", "Down", id="table.down", show=False),
    Binding("k,up", "cursor_up", "Up", id="table.up", show=False),
    Binding("g,home", "cursor_top", "Top", id="table.top", show=False),
    Binding("G,end", "cursor_bottom", "Bottom", id="table.bottom", show=False),
    Binding("ctrl+d", "half_page_down", "Half page down", id="table.half_down", show=False),
    Binding("ctrl+u", "half_page_up", "Half page up", id="table.half_up", show=False),
    Binding("pagedown,ctrl+f", "page_down", "Page down", id="table.page_down", show=False),
    Binding("pageup,ctrl+b", "page_up", "Page up", id="table.page_up", show=False),
    Binding("s", "cycle_sort", "Sort", id="table.sort"),
    Binding("S", "reverse_sort", "Reverse sort", id="table.reverse", show=False),
]

# Keys that hand the keyboard to an input (`:`, `/`, `n`, `i`) are priority bindings: the app
# runs them before it routes the next key, so every key typed after them lands in that input
# however fast it comes (a paste, a macro); an input that has focus keeps them as text.
SCREEN_BINDINGS: list[Binding] = [
    Binding("colon", "command_mode", "Command", id="main.command", priority=True),
    Binding("slash", "filter_mode", "Filter", id="main.filter", priority=True),
    Binding("question_mark", "help", "Help", id="main.help"),
    Binding("right_square_bracket", "cycle_set(1)", "Next set", id="main.next_set"),
    Binding("left_square_bracket", "cycle_set(-1)", "Prev set", id="main.prev_set", show=False),
    Binding("n", "namespace", "Namespace", id="main.namespace", priority=True),
    Binding("y", "toggle_yaml", "YAML/describe", id="main.toggle_yaml"),
    Binding("i", "focus_chat", "Chat", id="main.chat", priority=True),
    Binding("z,f11", "zoom", "Zoom pane", id="main.zoom"),
    Binding("a", "approvals", "Approvals", id="main.approvals"),
    Binding("L", "audit", "Audit log", id="main.audit"),
    Binding("escape", "back", "Back", id="main.back", show=False),
    Binding("ctrl+r", "reload", "Reload", id="main.reload", show=False),
    Binding("q", "app.quit", "Quit", id="main.quit"),
    *[
        Binding(str(n), f"jump_set({n})", f"Cluster set {n}" if n else "All clusters",
                id=f"main.set_{n}", show=False)
        for n in range(10)
    ],
]

CHAT_BINDINGS: list[Binding] = [
    Binding("up", "history(-1)", "Previous message", id="chat.history_prev", show=False),
    Binding("down", "history(1)", "Next message", id="chat.history_next", show=False),
]

LINE_BINDINGS: list[Binding] = [
    Binding("escape", "cancel", "Cancel command / clear filter", id="line.cancel", show=False),
]

HELP_BINDINGS: list[Binding] = [
    Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
]

# Acts that change a cluster or a decision are ctrl chords used nowhere else, and each only
# opens a ConfirmScreen: no letter typed by accident starts one, no key confirms one.
PREVIEW_BINDINGS: list[Binding] = [
    Binding("ctrl+e", "confirm", "Execute…", id="preview.confirm"),
    Binding("p", "recheck", "Check again", id="preview.recheck"),
    Binding("ctrl+o", "rollback", "Rollback…", id="preview.rollback"),
    Binding("ctrl+g", "break_glass", "Break glass…", id="preview.break_glass"),
    Binding("ctrl+s", "archive", "Archive summary", id="preview.archive"),
    Binding("escape", "close", "Close", id="preview.close"),
]

APPROVALS_BINDINGS: list[Binding] = [
    Binding("ctrl+y", "decide('approve')", "Approve…", id="approvals.approve"),
    Binding("ctrl+x", "decide('reject')", "Reject…", id="approvals.reject"),
    Binding("c", "comment", "Comment", id="approvals.comment"),
    Binding("r", "refresh", "Refresh", id="approvals.refresh"),
    Binding("escape", "close", "Back", id="approvals.close"),
]

CONFIRM_BINDINGS: list[Binding] = [
    Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
]

AUDIT_BINDINGS: list[Binding] = [
    Binding("v", "verify", "Verify", id="audit.verify"),
    Binding("f", "filters", "Filters", id="audit.filters"),
    Binding("r", "reload", "Reload", id="audit.reload"),
    Binding("escape", "close", "Back", id="audit.close"),
]

POLICY_BINDINGS: list[Binding] = [
    Binding("r", "reload", "Reload", id="policy.reload"),
    Binding("escape", "close", "Back", id="policy.close"),
]

APP_BINDINGS: list[Binding] = [
    Binding("ctrl+p", "command_palette", "Palette", id="app.palette", show=False, priority=True),
    Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False, priority=True),
]

GROUPS: dict[str, list[Binding]] = {
    "Table": TABLE_BINDINGS,
    "Console": SCREEN_BINDINGS,
    "Command / filter line": LINE_BINDINGS,
    "Chat input": CHAT_BINDINGS,
    "Plan (in the chat)": PLAN_BINDINGS,
    "Plan preview": PREVIEW_BINDINGS,
    "Approvals screen": APPROVALS_BINDINGS,
    "Confirmation dialog": CONFIRM_BINDINGS,
    "Audit screen": AUDIT_BINDINGS,
    "Policy screen": POLICY_BINDINGS,
    "Help": HELP_BINDINGS,
    "Anywhere": APP_BINDINGS,
}
CHECKED_PREFIXES = ("table.", "main.", "line.", "chat.", "plan.", "preview.", "approvals.",
                    "confirm.", "audit.", "policy.", "help.", "app.")

KEY_LABELS = {
    "colon": ":", "slash": "/", "question_mark": "?",
    "right_square_bracket": "]", "left_square_bracket": "[",
}


def binding_ids() -> set[str]:
    """Every rebindable id."""
    return {b.id for group in GROUPS.values() for b in group if b.id}


def unknown_keymap_ids(keymap: Mapping[str, str]) -> list[str]:
    """Keymap entries in the console's id namespaces that name no binding (other screens
    check their own)."""
    known = binding_ids()
    return sorted(k for k in keymap if k.startswith(CHECKED_PREFIXES) and k not in known)


def effective_keys(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to after the keymap, as shown in the help screen."""
    keys = keymap.get(binding.id or "", binding.key)
    return ", ".join(KEY_LABELS.get(k.strip(), k.strip()) for k in keys.split(","))
