"""The screen layer that opens exec sessions: `:exec` on the selected pod goes through the
engine's exec guard (RBAC, policy, approval) in a worker; a request that passes opens the
confirmation dialog (cluster, namespace, pod, container, command), and only the typed code
opens the terminal. What stops it (denied, waiting for approval, bad input) is one chat
message with its remediation; a dialog left with escape is audited as not confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from kubechat_tui.tui.commands import CommandError, ExecArgs, parse_exec_args
from kubechat_tui.tui.confirmations import exec_confirmation
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen
from kubechat_tui.tui.screens.operating import OperatingScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from kubechat_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from kubechat_tui.engine.exec_guard import ExecGuard, ExecPrepared
    from kubechat_tui.engine.wiring import EngineHandle

SHELL = ("sh",)  # what an interactive `:exec` runs


class ExecLaunchingScreen(OperatingScreen):
    """`:exec` here; the session itself lives in `ExecScreen`."""

    def exec_into(self, arg: str) -> None:
        """Check an exec in the selected pod (an interactive shell without a command)."""
        args = parse_exec_args(arg)
        key = self.selected
        if key is None or key.kind != "pods" or key.namespace is None:
            raise CommandError(":exec needs a selected pod (:pods, then move to one)")
        from kubechat_tui.engine.exec_plan import ExecRequest

        request = ExecRequest(key.cluster, key.namespace, key.name, args.command or SHELL,
                              args.container, interactive=not args.command)
        self.query_one(ChatPane).add_message(
            "system", f"exec in {key.cluster}/{key.namespace}/{key.name}: checking RBAC, "
            "policy and approvals…")
        self.kubechat.with_engine(lambda handle: self.check_exec(handle, request, args),
                                  self._cannot_execute)

    @work(thread=True, exclusive=True, group="exec-check")
    def check_exec(self, handle: EngineHandle, request: object, args: ExecArgs) -> None:
        """Worker: the exec guard's checks (audited), then the dialog or the reason."""
        from kubechat_tui.engine.exec_guard import ExecGuard
        from kubechat_tui.engine.exec_plan import ExecRequest

        assert isinstance(request, ExecRequest)
        guard = ExecGuard(handle.pipeline)
        try:
            found = guard.prepare(request, args.break_glass)
        except Exception as exc:  # a store failure: one line, the console stays up
            self.app.call_from_thread(self._cannot_execute, f"exec not checked: {exc}")
            return
        self.app.call_from_thread(self._exec_checked, handle, guard, found)

    def _exec_checked(self, handle: EngineHandle, guard: ExecGuard,
                      found: ExecPrepared) -> None:
        chat = self.query_one(ChatPane)
        if not found.ready:
            chat.add_message("system", "\n".join([
                f"exec {found.session_id}: {found.status.replace('_', ' ')}: {found.message}",
                *found.prep.remediation]))
            self.query_one(StatusBar).show_error(f"exec {found.status.replace('_', ' ')}")
            return

        def answered(answer: str | None) -> None:
            if answer is None:
                self.app.run_worker(lambda: guard.not_confirmed(found, "dialog cancelled"),
                                    thread=True, group="exec-cancel")
                self.query_one(StatusBar).show_info("exec not started: the confirmation "
                                                    "was cancelled")
            else:
                self._open_terminal(handle, guard, found)

        self.app.push_screen(ConfirmScreen(exec_confirmation(found)), answered)

    def _open_terminal(self, handle: EngineHandle, guard: ExecGuard,
                       found: ExecPrepared) -> None:
        from kubechat_tui.store.transcripts import transcript_dir
        from kubechat_tui.tui.screens.exec_screen import ExecScreen

        fleet = guard.pipeline.fleet
        client = getattr(fleet, "client", None)
        if not callable(client):
            self._cannot_execute("this console's fleet cannot open exec streams")
            return
        try:
            cluster_client = client(found.request.cluster)
        except Exception as exc:  # a broken kubeconfig entry: one line
            self._cannot_execute(f"exec not started: {exc}")
            return

        def closed(line: str | None) -> None:
            self.query_one(ChatPane).add_message("system", f"exec {found.session_id}: "
                                                 f"{line or 'closed'} (transcript: :audit, t)")

        self.app.push_screen(ExecScreen(guard, found, cluster_client,
                                        transcript_dir(handle.db.path)), closed)
