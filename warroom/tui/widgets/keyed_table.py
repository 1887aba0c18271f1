"""A row-cursor DataTable whose rows are replaced wholesale by key.

Live tables get new rows on every poll. When the same rows come back in the
same order, only the changed cells are rewritten and the scroll position
stays. Otherwise the table is rebuilt and the cursor follows the row it was
on (by key), so a new incident never moves the engineer's selection.

One column may have no width: it takes the room the others leave, so the
table never needs a horizontal scrollbar.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

# A row's key (an incident or session id as text) and its cells.
Row = tuple[str, tuple[Text, ...]]


class KeyedTable(DataTable[Text]):
    min_flexible_width = 12
    """Minimum width of the column without a fixed width. A table too narrow
    for it scrolls horizontally."""
    right_aligned: frozenset[str] = frozenset()
    """Labels of the columns whose header is right-aligned, over numbers."""
    row_height: int | None = 1
    """Lines per row; None fits each row to its cells, wrapped to the column
    widths."""

    def __init__(self, columns: Sequence[tuple[str, int | None]], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._columns = tuple(columns)
        self._rows: list[Row] = []
        self._flexible_width = 0

    def on_mount(self) -> None:
        self._add_columns(self.min_flexible_width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_columns()

    @property
    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            cell = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return str(cell.row_key.value)

    def replace_rows(self, rows: list[Row]) -> None:
        """Show ``rows``; a no-op when nothing changed since the last call."""
        if rows == self._rows:
            return
        if [key for key, _ in rows] == [key for key, _ in self._rows]:
            self._update_cells(rows)
        else:
            self._rebuild(rows, self.selected_key)

    def _update_cells(self, rows: list[Row]) -> None:
        for (key, cells), (_, before) in zip(rows, self._rows, strict=True):
            for (label, _), cell, old in zip(self._columns, cells, before, strict=True):
                if cell != old:
                    self.update_cell(key, label, cell)
        self._rows = rows

    def _rebuild(self, rows: list[Row], selected: str | None) -> None:
        self._rows = rows
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key, height=self.row_height)
        for index, (key, _) in enumerate(rows):
            if key == selected:
                self.move_cursor(row=index, animate=False)
                break

    def _fit_columns(self) -> None:
        fixed = sum(width or 0 for _, width in self._columns)
        padding = 2 * self.cell_padding * len(self._columns)
        room = self.content_region.width - self.styles.scrollbar_size_vertical
        width = max(self.min_flexible_width, room - fixed - padding)
        if width == self._flexible_width:
            return
        selected = self.selected_key
        self.clear(columns=True)
        self._add_columns(width)
        self._rebuild(self._rows, selected)

    def _add_columns(self, flexible: int) -> None:
        self._flexible_width = flexible
        for label, width in self._columns:
            right = label in self.right_aligned
            header = Text(label, justify="right") if right else Text(label)
            self.add_column(header, width=width or flexible, key=label)


def plain(value: object) -> Text:
    """Text that is never read as markup: SQL and messages contain brackets."""
    text = str(value) if value is not None else ""
    return Text(text, no_wrap=True, overflow="ellipsis")


def themed(widget: Widget, spec: str) -> Style:
    """A Rich style from words and theme variables, e.g. ``"bold $error"``.

    Rich renders table cells and tree labels but has no theme variables, so
    they are looked up in the running App's theme.
    """
    variables = widget.app.theme_variables
    words = [
        variables.get(word[1:], "") if word.startswith("$") else word
        for word in spec.split()
    ]
    return Style.parse(" ".join(word for word in words if word))
