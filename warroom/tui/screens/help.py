"""Every key, with the user's remaps applied."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from warroom.tui.keys import BACK_BINDINGS, help_rows
from warroom.tui.widgets.keyed_table import KeyedTable, plain

COLUMNS = (("key", 14), ("what it does", None), ("where", 14))


class HelpScreen(Screen[None]):
    BINDINGS = BACK_BINDINGS

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        yield Static(
            "Keys of the war room. Remap any of them by action name under "
            "keys: in config/warroom.yaml.",
            id="help-intro",
        )
        yield KeyedTable(COLUMNS, id="help-keys")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        table.border_title = "keys"
        rows = [
            (str(index), (plain(row.keys), plain(row.description), plain(row.where)))
            for index, row in enumerate(help_rows(self.keymap))
        ]
        table.replace_rows(rows)
        table.focus()

    def action_back(self) -> None:
        self.dismiss()
