"""Restoring a backup without undoing what must stay done.

A backup is a copy of the past. Putting it back must not bring back an erased resident, nor an
old password, nor an account that was never created here, and must not hide that the access log
moved on since. So a restore (an admin's action, signed in against the *live* accounts):

1. checks the backup (integrity, a hub database, its access log intact under this site's key);
2. keeps a safety copy of the live database, then copies the backup over it;
3. keeps the live staff accounts (the backup's are replaced by them);
4. applies again every erasure in the ledger (kept outside the database) that the backup predates;
5. compares the access log's heads: the live one before, the backup's, and says how many rows
   the restore took away (they stay in the safety copy), then records the restore in the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hub.storage import DB_ERRORS, StorageError, explain_sqlite_error


@dataclass
class Prepared:
    backup_file: Path
    key: str | None


@dataclass
class RestoreResult:
    safety: Path
    live_head: tuple[int, str] | None
    backup_head: tuple[int, str] | None
    reapplied: list[int] = field(default_factory=list)
    failed_erasures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        live_row = self.live_head[0] if self.live_head else 0
        backup_row = self.backup_head[0] if self.backup_head else 0
        if live_row > backup_row:
            out.append(f"access log: the live log had reached row {live_row}; the backup's ends at row {backup_row}. "
                       f"Rows {backup_row + 1} to {live_row} are not in the restored database; they are kept in {self.safety}.")
        elif live_row == backup_row:
            out.append(f"access log: the backup's log ends where the live log did (row {live_row}).")
        else:
            out.append(f"access log: the backup's log (row {backup_row}) is longer than the live one was (row {live_row}).")
        if self.reapplied:
            out.append(f"erasures applied again (recorded since the backup): resident(s) {', '.join(map(str, self.reapplied))}")
        else:
            out.append("erasures: none to apply again.")
        out.extend(self.notes)
        return out


def _verify_backup_log(hub, conn) -> list[str]:
    """The backup's access log checked with this site's key (its head is its own newest row)."""
    from sqlite_utils import Database

    from hub import audit

    db = Database(conn, execute_plugins=False)
    keyed = db.execute(
        "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'hub_audit'"
    ).fetchone()[0]
    if not keyed:  # a backup from before the log had a key: check its plain chain as it was then
        return audit.legacy_problems(db)
    problems = []
    try:
        _count, found = audit.verify(_BackupView(db, hub.db))
    except audit.AuditKeyError as exc:
        return [str(exc)]
    for problem in found:
        if problem.kind in (audit.HEAD, audit.TRUNCATED):
            continue  # the recorded head belongs to the live database, not to this copy
        problems.append(str(problem))
    return problems


class _BackupView:
    """The backup's database, verified with the live database's key file."""

    def __init__(self, backup_db, live_db) -> None:
        self._backup = backup_db
        self._live = live_db

    def execute(self, sql, params=()):
        if sql.startswith("PRAGMA database_list"):
            return self._live.execute(sql)
        return self._backup.execute(sql, params)


def prepare(hub, backup_file: Path) -> Prepared:
    """Check the backup before anything is changed; raise StorageError saying why it cannot be used."""
    from hub import backup

    key = hub.database_key()
    conn = backup.check_backup_file(Path(backup_file), key)
    try:
        problems = _verify_backup_log(hub, conn)
    finally:
        conn.close()
    if problems:
        raise StorageError(
            f"{backup_file} cannot be restored: its access log does not verify with this site's key "
            f"({problems[0]}). It was altered after it was taken, or it is another site's. Nothing was changed."
        )
    return Prepared(Path(backup_file), key)


def run(hub, prepared: Prepared) -> RestoreResult:
    """Restore (see the module docstring). ``hub`` is open on the live database with an admin signed in."""
    from hub import audit, backup
    from hub.erasure import checkpoint, ledger
    from hub.storage import write_transaction

    live = hub.db
    live_head = audit.last_row(live)
    accounts = list(live.query("SELECT * FROM staff"))
    source = backup.check_backup_file(prepared.backup_file, prepared.key)
    from datetime import datetime

    safety = hub.config.data_dir / "backups" / f"before-restore-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}.db"
    backup.backup_database(live.conn, safety, prepared.key)
    try:
        source.backup(live.conn)
    except DB_ERRORS as exc:
        raise StorageError(explain_sqlite_error(exc, prepared.backup_file)) from None
    finally:
        source.close()
    hub.close()
    hub.open_storage(seed_demo=False)  # the backup may predate migrations: bring it up to date
    live = hub.db
    backup_head = audit.last_row(live)
    result = RestoreResult(safety, live_head, backup_head)
    if accounts:
        columns = list(accounts[0])
        with write_transaction(live):
            live.execute("DELETE FROM staff")
            for row in accounts:
                live.execute(f"INSERT INTO staff ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                             [row[c] for c in columns])
        result.notes.append(f"staff accounts: kept as they were before the restore ({len(accounts)}).")
    audit.reset_head(live)
    hub.log_event(None, f"restore:{prepared.backup_file.name}:log-from-{live_head[0] if live_head else 0}"
                        f"-to-{backup_head[0] if backup_head else 0}")
    entries, bad = ledger(live, hub.config.data_dir)
    result.notes.extend(bad)
    from hub import rights

    seen: set[int] = set()
    for entry in entries:
        resident_id = int(entry["resident_id"])
        if resident_id in seen:
            continue
        row = live.execute("SELECT registered_at, erased_at FROM residents WHERE id = ?", [resident_id]).fetchone()
        if row is None or row[1] or row[0] != entry.get("registered_at"):
            continue  # not in the backup, already erased there, or another person who later got the same id
        seen.add(resident_id)
        try:
            rights.erase(hub, resident_id)
        except Exception as exc:  # noqa: BLE001 - reported, and the command fails
            from hub.plugins import describe_error

            result.failed_erasures.append(f"resident {resident_id}: {describe_error(exc)}")
            continue
        result.reapplied.append(resident_id)
    checkpoint(live)
    return result
