"""One line of SLA figures over the last 24 hours: open breaches, the mean
times to detect, acknowledge and resolve, and the share resolved without a
person."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from engine.incidents.sla import SlaReport
from warroom.tui.messages import SlaUpdated
from warroom.tui.views import duration


class SlaBar(Static):
    """Renders the SLA report an ``SlaUpdated`` carries."""

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("SLA: waiting for the engine", style="italic"), **kwargs)

    def on_sla_updated(self, message: SlaUpdated) -> None:
        report = message.report
        self.set_class(report is not None and report.open_breaches > 0, "-breach")
        self.update(sla_text(report))


def sla_text(report: SlaReport | None) -> Text:
    """Return the SLA line, with n/a where no incident gives a figure."""
    if report is None:
        return Text("SLA: not read yet", style="italic")
    share = report.automatic_share
    automatic = "n/a" if share is None else f"{share:.0%}"
    breaches = f"{report.open_breaches} open breach(es)"
    return Text.assemble(
        (f"SLA {report.hours:g} h: ", "bold"),
        (breaches, "bold" if report.open_breaches else ""),
        f" of {report.breaches}",
        f" · {report.total} incident(s), {report.drills} from drills",
        f" · MTTD {_mean(report.mean_seconds_to_detect)}",
        f" · MTTA {_mean(report.mean_seconds_to_acknowledge)}",
        f" · MTTR {_mean(report.mean_seconds_to_resolve)}",
        f" · automatic {automatic}",
    )


def _mean(seconds: float | None) -> str:
    return "n/a" if seconds is None else duration(seconds)
