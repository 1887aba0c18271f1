"""Every key, with the user's remaps applied."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from warroom.tui.keys import BACK_BINDINGS, HelpRow, help_rows
from warroom.tui.widgets.keyed_table import KeyedTable


class HelpTable(KeyedTable):
    """Keys, what each does and where; a long line wraps within its cell, so
    every word shows on an 80-column terminal."""

    row_height = None


class HelpScreen(Screen[None]):
    BINDINGS = BACK_BINDINGS

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap
        self.rows = help_rows(keymap)

    def compose(self) -> ComposeResult:
        yield Static(
            "Keys of the war room. Remap any of them but tab and shift+tab by "
            "action name under keys: in config/warroom.yaml.",
            id="help-intro",
        )
        yield HelpTable(_columns(self.rows), id="help-keys")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(HelpTable)
        table.border_title = "keys"
        rows = [
            (str(index), (Text(row.keys), Text(row.description), Text(row.where)))
            for index, row in enumerate(self.rows)
        ]
        table.replace_rows(rows)
        table.focus()

    def action_back(self) -> None:
        self.dismiss()


def _columns(rows: list[HelpRow]) -> tuple[tuple[str, int | None], ...]:
    # The key and screen columns are as wide as their longest entry, so the
    # description gets the rest.
    keys = max(len(row.keys) for row in [HelpRow("key", "", ""), *rows])
    where = max(len(row.where) for row in [HelpRow("", "", "where"), *rows])
    return (("key", keys), ("what it does", None), ("where", where))
