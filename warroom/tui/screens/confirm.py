"""The confirmations before a chaos inject, a manual job run and a
remediation. Cancel has the focus, so a stray enter changes nothing."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from engine.remediation.actions import ActionResult
from engine.remediation.playbook import NO_ACTION

# The plan lists this many skipped sessions with their reasons, then counts
# the rest.
_SKIPPED_SHOWN = 3


class _Confirm(ModalScreen[bool]):
    """A yes-or-no dialog: a title, one paragraph and two buttons."""

    YES_LABEL: ClassVar[str]
    YES_VARIANT: ClassVar[str]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            yield from self._compose_body()
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.YES_LABEL, variant=self.YES_VARIANT, id="yes")
                yield Button("Cancel (n)", variant="primary", id="no")

    def _compose_body(self) -> ComposeResult:
        yield Static(Text(self._body), classes="dialog-body")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, confirmed: bool) -> None:
        self.dismiss(confirmed)


class ConfirmInject(_Confirm):
    BINDINGS = [
        Binding("y", "answer(True)", "inject", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
    ]
    YES_LABEL = "Inject (y)"
    YES_VARIANT = "error"

    def __init__(self, scenario: str, target: str) -> None:
        super().__init__(
            f"Inject {scenario}?",
            f"This runs a real fault on target {target}. The drill rolls back "
            "on its own when it ends or hits its time limit.",
        )
        self.scenario = scenario
        self.target = target


class ConfirmRunJob(_Confirm):
    """The confirmation before a manual job run."""

    BINDINGS = [
        Binding("y", "answer(True)", "run", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
    ]
    YES_LABEL = "Run (y)"
    YES_VARIANT = "warning"

    def __init__(self, job: str, action: str, target: str) -> None:
        super().__init__(
            f"Run job {job} now?",
            f"This runs {action} on target {target} outside its schedule. "
            "Its run is recorded under your name.",
        )
        self.job = job
        self.action_name = action
        self.target = target


class ConfirmRemediate(_Confirm):
    """The confirmation before a remediation, with the plan its dry run returned."""

    BINDINGS = [
        Binding("y", "answer(True)", "run", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "cancel", id="confirm_no"),
        Binding("up", "scroll_plan(False)", "scroll up", show=False),
        Binding("down", "scroll_plan(True)", "scroll down", show=False),
    ]
    YES_LABEL = "Run it (y)"
    YES_VARIANT = "error"

    def __init__(
        self,
        incident_id: int,
        plan: ActionResult,
        *,
        dry_run_only: bool,
        cleared_by_polls: bool = True,
    ) -> None:
        super().__init__(
            f"Remediate incident {incident_id}?",
            _plan_text(plan, dry_run_only, cleared_by_polls),
        )
        self.incident_id = incident_id
        self.plan = plan

    def _compose_body(self) -> ComposeResult:
        # A long plan scrolls with the arrow keys, so the buttons stay on an
        # 80x24 screen.
        with VerticalScroll(classes="dialog-plan"):
            yield from super()._compose_body()

    def action_scroll_plan(self, down: bool) -> None:
        plan = self.query_one(".dialog-plan", VerticalScroll)
        if down:
            plan.scroll_down(animate=False)
        else:
            plan.scroll_up(animate=False)


def _plan_text(plan: ActionResult, dry_run_only: bool, cleared_by_polls: bool) -> str:
    """Describe a dry run's plan, and what running it for real would do.

    ``dry_run_only`` is the config's remediation.dry_run setting, which makes
    the real run a dry run too. ``cleared_by_polls`` is False for an incident
    that no check watches, such as one reported by hand.
    """
    if plan.action == NO_ACTION:
        lines = [f"No playbook action: {_sentence(plan.message)}"]
        if not dry_run_only and cleared_by_polls:
            lines.append(
                "Running it moves the incident to REMEDIATING, where it "
                "resolves once its condition clears."
            )
        elif not dry_run_only:
            lines.append(
                "Running it moves the incident to REMEDIATING; resolve it "
                "with s once it is fixed."
            )
    else:
        lines = [
            f"Playbook action: {plan.action}.",
            f"Dry run: {_sentence(plan.message)}",
        ]
        skipped = list(plan.skipped.items())
        for session, reason in skipped[:_SKIPPED_SHOWN]:
            lines.append(f"It would leave session {session} alone: {reason}.")
        if len(skipped) > _SKIPPED_SHOWN:
            lines.append(f"It would leave {len(skipped) - _SKIPPED_SHOWN} more alone.")
        if not plan.succeeded and not plan.retryable and not dry_run_only:
            lines.append("If it fails when run, the incident is escalated.")
    if dry_run_only:
        lines.append(
            "remediation.dry_run is true in the config, so running it is a "
            "dry run too, and neither the target nor the incident's status "
            "changes."
        )
    return "\n".join(lines)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
