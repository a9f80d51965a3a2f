"""Every key binding of the console, each with an id so settings.keymap can rebind it."""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

from kubechat_tui.tui.widgets.insight_block import INSIGHT_BINDINGS
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
    Binding("T", "timeline", "Timeline", id="main.timeline", show=False),
    Binding("escape", "back", "Back", id="main.back", show=False),
    Binding("ctrl+r", "reload", "Reload", id="main.reload", show=False),
    Binding("q", "app.quit", "Quit", id="main.quit"),
    *[
        Binding(str(n), f"jump_set({n})", f"Cluster set {n}" if n else "All clusters",
                id=f"main.set_{n}", show=False)
        for n in range(10)
    ],
]

# Actions on the table's selected row (k9s keys); each works only while the table has focus.
ROW_BINDINGS: list[Binding] = [
    Binding("enter", "drill", "Drill down", id="row.drill"),
    Binding("d", "describe", "Describe", id="row.describe"),
    Binding("l", "logs", "Logs", id="row.logs"),
    Binding("p", "previous_logs", "Previous logs", id="row.previous_logs", show=False),
    Binding("e", "events", "Events", id="row.events", show=False),
    Binding("A", "ask_about", "Ask about this", id="row.ask"),
    Binding("c", "copy_name", "Copy name", id="row.copy", show=False),
]

# A result block or the fleet health card in the chat (tab moves focus to them).
RESULT_BINDINGS: list[Binding] = [
    Binding("p", "promote", "Promote to a plan", id="result.promote"),
]
HEALTH_BINDINGS: list[Binding] = [
    Binding("down,j", "move(1)", "Next group", id="health.down", show=False),
    Binding("up,k", "move(-1)", "Previous group", id="health.up", show=False),
    Binding("enter", "jump", "Show the group in the table", id="health.jump"),
    Binding("r", "refresh", "Check again", id="health.refresh"),
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
    Binding("j,down", "scroll(1)", "Scroll down", id="help.down", show=False),
    Binding("k,up", "scroll(-1)", "Scroll up", id="help.up", show=False),
    Binding("ctrl+d,pagedown,space", "scroll_page(1)", "Page down", id="help.page_down",
            show=False),
    Binding("ctrl+u,pageup", "scroll_page(-1)", "Page up", id="help.page_up", show=False),
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
    Binding("t", "transcript", "Transcript", id="audit.transcript"),
    Binding("f", "filters", "Filters", id="audit.filters"),
    Binding("r", "reload", "Reload", id="audit.reload"),
    Binding("escape", "close", "Back", id="audit.close"),
]

EXEC_BINDINGS: list[Binding] = [
    Binding("ctrl+d", "end_session", "End session", id="exec.end", priority=True),
    Binding("escape", "close", "End and close", id="exec.close"),
]

TRANSCRIPT_BINDINGS: list[Binding] = [
    Binding("escape,q", "close", "Back", id="transcript.close"),
]

TIMELINE_BINDINGS: list[Binding] = [
    Binding("a", "annotate", "Annotate", id="timeline.annotate"),
    Binding("n", "notes", "Notes", id="timeline.notes"),
    Binding("f", "filters", "Filters", id="timeline.filters"),
    Binding("m", "import_now", "Import", id="timeline.import"),
    Binding("r", "reload", "Reload", id="timeline.reload"),
    Binding("escape", "close", "Back", id="timeline.close"),
]

ANNOTATE_BINDINGS: list[Binding] = [
    Binding("escape", "cancel", "Cancel", id="timeline.annotate_cancel"),
]

NOTES_BINDINGS: list[Binding] = [
    Binding("ctrl+s", "save", "Save version", id="notes.save"),
    Binding("ctrl+t", "draft", "Draft from timeline", id="notes.draft"),
    Binding("ctrl+l", "polish", "Polish (model)", id="notes.polish"),
    Binding("escape", "close", "Back", id="notes.close"),
]

LOG_TAIL_BINDINGS: list[Binding] = [
    Binding("p,space", "pause", "Pause/follow", id="logs.pause"),
    Binding("G,end", "follow", "Newest", id="logs.follow", show=False),
    Binding("j,down", "move(1)", "Down", id="logs.down", show=False),
    Binding("k,up", "move(-1)", "Up", id="logs.up", show=False),
    Binding("pagedown", "move(20)", "Page down", id="logs.page_down", show=False),
    Binding("pageup", "move(-20)", "Page up", id="logs.page_up", show=False),
    Binding("w", "wrap", "Wrap", id="logs.wrap"),
    Binding("J", "json", "JSON level first", id="logs.json"),
    Binding("slash", "prompt('include')", "Include", id="logs.include"),
    Binding("x", "prompt('exclude')", "Exclude", id="logs.exclude"),
    Binding("c", "prompt('container')", "Container", id="logs.container"),
    Binding("s", "prompt('since')", "Since", id="logs.since"),
    Binding("P", "previous", "Previous", id="logs.previous"),
    Binding("m", "mark", "Mark range", id="logs.mark"),
    Binding("y", "copy", "Copy", id="logs.copy"),
    Binding("ctrl+s", "prompt('save')", "Save", id="logs.save"),
    Binding("t", "pin", "Pin to timeline", id="logs.pin"),
    Binding("escape", "close", "Back", id="logs.close"),
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
    "Selected row": ROW_BINDINGS,
    "Command / filter line": LINE_BINDINGS,
    "Chat input": CHAT_BINDINGS,
    "Plan (in the chat)": PLAN_BINDINGS,
    "Insight card (in the chat)": INSIGHT_BINDINGS,
    "Result block (in the chat)": RESULT_BINDINGS,
    "Fleet health card (in the chat)": HEALTH_BINDINGS,
    "Plan preview": PREVIEW_BINDINGS,
    "Approvals screen": APPROVALS_BINDINGS,
    "Confirmation dialog": CONFIRM_BINDINGS,
    "Audit screen": AUDIT_BINDINGS,
    "Exec terminal": EXEC_BINDINGS,
    "Transcript": TRANSCRIPT_BINDINGS,
    "Timeline screen": TIMELINE_BINDINGS,
    "Annotate dialog": ANNOTATE_BINDINGS,
    "Incident notes": NOTES_BINDINGS,
    "Log tail": LOG_TAIL_BINDINGS,
    "Policy screen": POLICY_BINDINGS,
    "Help": HELP_BINDINGS,
    "Anywhere": APP_BINDINGS,
}
CHECKED_PREFIXES = ("table.", "main.", "row.", "result.", "health.", "line.", "chat.", "plan.",
                    "preview.", "approvals.", "confirm.", "audit.", "exec.", "transcript.",
                    "timeline.", "notes.", "policy.", "help.", "app.", "logs.", "insight.")

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
