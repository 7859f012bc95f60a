"""A DataTable that shows text exactly as typed.

Textual's DataTable reads a ``str`` cell as Rich markup, so a resident called "Jo [/b]" would
stop the screen with a markup error, and "[@click=...]" would become a link. Every table that
shows residents' or feeds' text should use this one (plugins too: ``from hub.screens.tables
import DataTable``). Pass a ``rich.text.Text`` for a cell that is meant to be styled.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable as TextualDataTable


def plain(cell: Any) -> Any:
    """A str cell as literal text; anything else unchanged."""
    return Text(cell, end="") if isinstance(cell, str) else cell


class DataTable(TextualDataTable):
    """Textual's DataTable, with str cells never parsed as markup."""

    def add_row(self, *cells: Any, **kwargs: Any):
        return super().add_row(*(plain(cell) for cell in cells), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, plain(value), **kwargs)

    def update_cell_at(self, coordinate: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell_at(coordinate, plain(value), **kwargs)
