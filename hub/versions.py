"""Record versions, so two kiosks editing one record never silently undo each other.

An editable record carries a ``version`` column, 1 when created and one more at every save.
A form remembers the version (and the values) it started from; saving says which version it
expects. If someone saved in between, the save is refused with ``StaleEdit`` naming the fields
they changed, and nothing is written: the form keeps what was typed, so nothing is lost, and
the member of staff looks at the new values and saves again.

Plugins use the same helpers for their own tables: ``add_version_column`` in a migration,
``bump(db, table, pk, expected)`` inside the write transaction that saves, and ``StaleEdit``
to tell staff what changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

LABELS = {"preferred_name": "preferred name", "date_of_birth": "date of birth"}


class StaleEdit(Exception):
    """Someone else saved this record after the form was opened; nothing was saved."""

    def __init__(self, what: str, changed: list[str], current_version: int, by: str | None = None):
        self.what = what
        self.changed = changed
        self.current_version = current_version
        fields = ", ".join(LABELS.get(name, name.replace("_", " ")) for name in changed) or "some details"
        who = f" ({by})" if by else ""
        super().__init__(
            f"Someone else saved {what} while you were editing{who}: they changed {fields}. "
            "Nothing of yours was saved and your typing is still here: check their change, then save again."
        )


def add_version_column(db: "Database", table: str) -> None:
    """For a migration: every row starts at version 1."""
    if "version" not in db[table].columns_dict:
        db.execute(f"ALTER TABLE [{table}] ADD COLUMN version INTEGER NOT NULL DEFAULT 1")


def changed_fields(base: Mapping[str, Any] | None, current: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Which of ``fields`` differ between what the form started from and what is stored now."""
    if base is None:
        return []
    return [name for name in fields if base.get(name) != current.get(name)]


def bump(db: "Database", table: str, pk: Any, expected: int | None, *, what: str = "this record",
         base: Mapping[str, Any] | None = None, fields: Iterable[str] = (), pk_column: str = "id") -> int:
    """Move a row to its next version if it is still at ``expected``; else raise StaleEdit.

    Call inside the write transaction that saves the row, before writing it (the compare and
    the increment are one UPDATE, so two kiosks cannot both pass). ``expected=None`` skips the
    check (a save with no form behind it). Returns the new version."""
    if expected is None:
        db.execute(f"UPDATE [{table}] SET version = version + 1 WHERE [{pk_column}] = ?", [pk])
    else:
        cursor = db.execute(f"UPDATE [{table}] SET version = version + 1 WHERE [{pk_column}] = ? AND version = ?",
                            [pk, int(expected)])
        if cursor.rowcount != 1:
            rows = list(db.query(f"SELECT * FROM [{table}] WHERE [{pk_column}] = ?", [pk]))
            current = rows[0] if rows else {}
            raise StaleEdit(what, changed_fields(base, current, fields), int(current.get("version") or 0))
    return int(db.execute(f"SELECT version FROM [{table}] WHERE [{pk_column}] = ?", [pk]).fetchone()[0])


def version_migrations() -> "Migrations":
    """The ``hub_versions`` migration set: the core's editable records get their version column."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("hub_versions")

    @migrations(name="0001_resident_versions")
    def residents(db: "Database") -> None:
        add_version_column(db, "residents")

    return migrations
