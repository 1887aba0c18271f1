"""A modal list of options that returns the chosen option's id, or None
when escape cancels it."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import OptionList


class OptionDialog(ModalScreen[str | None]):
    """A dialog around one OptionList: the first option is highlighted,
    enter returns its id and escape returns None. Subclasses compose the
    list and bind escape to ``cancel``."""

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
