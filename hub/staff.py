"""Staff accounts, roles and permissions: who may do what, checked below the screens.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 profile). A short PIN only
unlocks a session that was already signed in with the password and then auto-locked.
Repeated failures lock the account for a growing delay. Every check is a plain
function that the screens, the CLI and plugins all call, so nothing can go around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

ROLES = {
    "staff": "Staff: residents, calculations, signposting, passports",
    "site_lead": "Site lead: also approves bonuses, manages staff, exports data, runs reports",
    "admin": "Administrator: everything a site lead does, across the organisation",
}

PERMISSIONS = {
    "residents.use": {"staff", "site_lead", "admin"},
    "bonus.approve": {"site_lead", "admin"},
    "staff.manage": {"site_lead", "admin"},
    "config.manage": {"site_lead", "admin"},
    "data.export": {"site_lead", "admin"},
    "reports.view": {"site_lead", "admin"},
    "residents.erase": {"site_lead", "admin"},
    "data.backup": {"site_lead", "admin"},
    "data.restore": {"admin"},
    "audit.verify": {"site_lead", "admin"},
}
"""Which roles hold each permission. Plugins check these names with ``hub.require(...)``."""

MIN_PASSWORD_LENGTH = 12
"""OWASP ASVS 6.2.1 asks for 8 at least and recommends 15; 12 here (a short phrase), no composition
rules (6.2.5), and common or easily guessed passwords refused (6.2.4, below)."""

MAX_PASSWORD_LENGTH = 128
"""Long enough for any passphrase (ASVS 6.2.9 asks for 64 at least); bounds the hashing work."""

MIN_GUESSES_LOG10 = 8
"""zxcvbn's estimate: at least 10^8 guesses (its score 3, "safely unguessable" online)."""

MAX_FAILURES = 5
"""Failed attempts before the account is locked for a while."""

LOCKOUT_SECONDS = 60
"""The first lockout; each further failure while locked doubles it (up to an hour)."""

SIGN_IN_REFUSED = "Wrong username or password (after 5 wrong tries an account waits a while: ask a site lead if stuck)."
"""The one message for an unknown user, a wrong password and a locked account, so none is revealed."""

COMMON_PASSWORDS = {
    "dropinhub", "jobsplus", "community", "communityhouse", "northside", "universalcredit", "jobcentre",
    "jobcentreplus", "housingassociation",
}
"""Words this site's users would reach for, added to zxcvbn's 30,000 common passwords."""


def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # MIT; from leaked-password corpora

    return frozenset(FREQUENCY_LISTS["passwords"]) | COMMON_PASSWORDS


class AuthError(Exception):
    """Sign-in failed; the message never says which of username or password was wrong."""


class PermissionDenied(Exception):
    """The signed-in member of staff's role does not allow this."""


class AccountError(ValueError):
    """Bad input creating or changing an account; ``errors`` maps field -> message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Session:
    """Who is signed in at this kiosk."""

    staff_id: int | None
    username: str
    display_name: str
    role: str

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, set())


def _hasher():
    from argon2 import PasswordHasher  # argon2id, RFC 9106 low-memory profile

    return PasswordHasher()


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def staff_migration(db: "Database") -> None:
    db["staff"].create(
        {
            "id": int,
            "username": str,
            "display_name": str,
            "role": str,
            "password_hash": str,
            "pin_hash": str,
            "active": int,
            "failed_attempts": int,
            "locked_until": str,
            "created_at": str,
            "created_by": str,
        },
        pk="id",
        not_null={"username", "display_name", "role", "password_hash", "active", "failed_attempts", "created_at"},
        defaults={"active": 1, "failed_attempts": 0},
    )
    db["staff"].create_index(["username"], unique=True)


def check_password(password: str, username: str = "", *, context: tuple[str, ...] = ()) -> str | None:
    """A message when the password is too weak, else None.

    At least 12 characters; not one of 30,000 common passwords (zxcvbn's list, also with
    spaces, digits or punctuation stripped); not guessable in under 10^8 tries by zxcvbn's
    estimate, which finds repeats, sequences, keyboard walks, dates, names and words; not
    built on the username or the site's name."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (three or four unrelated words are easiest to remember)."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    lowered = password.lower()
    bare = re.sub(r"[\W\d_]+", "", lowered)
    common = _common_passwords()
    if lowered in common or lowered.strip() in common or (bare and bare in common and len(bare) >= len(lowered) / 2):
        return "That is one of the most common passwords: choose another (three or four unrelated words)."
    if username and len(username) >= 3 and username.lower() in lowered:
        return "The password must not contain the username: choose another."
    from zxcvbn import zxcvbn

    estimate = zxcvbn(password[:100], user_inputs=[u for u in (username, *context) if u])
    if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
        warning = (estimate.get("feedback") or {}).get("warning") or "it follows a pattern that is quick to guess"
        return f"That password is too easy to guess ({warning.rstrip('.').lower()}): choose another, e.g. three or four unrelated words."
    return None


def check_pin(pin: str) -> str | None:
    if not re.fullmatch(r"\d{4,8}", pin or ""):
        return "A PIN is 4 to 8 digits."
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return "That PIN is too easy to guess."
    return None


def create_account(db: "Database", *, username: str, display_name: str, role: str, password: str, pin: str = "",
                   created_by: str) -> int:
    """Add a member of staff; raise AccountError naming each bad field."""
    from hub.storage import write_transaction

    errors: dict[str, str] = {}
    username = (username or "").strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9._-]{1,39}", username):
        errors["username"] = "2 to 40 letters, digits, dots, dashes or underscores, starting with a letter."
    elif db["staff"].count_where("username = ?", [username]):
        errors["username"] = "Someone already has that username."
    if not (display_name or "").strip():
        errors["display_name"] = "Enter their name as colleagues know it."
    if role not in ROLES:
        errors["role"] = f"Choose one of: {', '.join(ROLES)}."
    problem = check_password(password, username, context=(display_name or "",))
    if problem:
        errors["password"] = problem
    if pin:
        problem = check_pin(pin)
        if problem:
            errors["pin"] = problem
    if errors:
        raise AccountError(errors)
    hasher = _hasher()
    with write_transaction(db):
        return int(
            db["staff"].insert(
                {
                    "username": username,
                    "display_name": display_name.strip(),
                    "role": role,
                    "password_hash": hasher.hash(password),
                    "pin_hash": hasher.hash(pin) if pin else None,
                    "active": 1,
                    "failed_attempts": 0,
                    "locked_until": None,
                    "created_at": now_utc().isoformat(timespec="seconds"),
                    "created_by": created_by,
                }
            ).last_pk
        )


def has_accounts(db: "Database") -> bool:
    """Whether the site has ever had an account: only a brand-new site offers to create the first lead."""
    return db["staff"].exists() and db["staff"].count > 0


def _locked(row: dict, now: datetime) -> bool:
    return bool(row["locked_until"]) and now < datetime.fromisoformat(row["locked_until"])


def _claim_attempt(db: "Database", where: str, params: list, now: datetime) -> dict | None:
    """Count an attempt before checking it, in one write transaction, so parallel attempts
    cannot exceed the limit: returns the row, or None if it is locked (or unknown)."""
    from hub.storage import write_transaction

    with write_transaction(db):
        rows = list(db.query(f"SELECT * FROM staff WHERE {where} AND active = 1", params))
        if not rows:
            return None
        row = rows[0]
        if _locked(row, now):
            return None
        failures = row["failed_attempts"] + 1
        locked_until = None
        if failures >= MAX_FAILURES:
            delay = min(LOCKOUT_SECONDS * 2 ** (failures - MAX_FAILURES), 3600)
            locked_until = (now + timedelta(seconds=delay)).isoformat()
        db.execute("UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE id = ?", [failures, locked_until, row["id"]])
    return row


def _record_success(db: "Database", row: dict) -> None:
    """The attempt counted up front was right: forget the failures."""
    from hub.storage import write_transaction

    with write_transaction(db):
        db.execute("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = ?", [row["id"]])


def sign_in(db: "Database", username: str, password: str, *, now: datetime | None = None) -> Session:
    """Check a username and password; return the session, or raise AuthError (one message for all failures)."""
    from argon2.exceptions import VerificationError, InvalidHashError

    now = now or now_utc()
    row = _claim_attempt(db, "username = ?", [(username or "").strip().lower()], now)
    if row is None:
        _hasher().hash(password or "x")  # same work as a real check, so timing reveals nothing either
        raise AuthError(SIGN_IN_REFUSED)
    try:
        _hasher().verify(row["password_hash"], (password or "")[:MAX_PASSWORD_LENGTH * 4])
    except (VerificationError, InvalidHashError):
        raise AuthError(SIGN_IN_REFUSED) from None
    _record_success(db, row)
    return Session(row["id"], row["username"], row["display_name"], row["role"])


def unlock(db: "Database", session: Session, secret: str, *, now: datetime | None = None) -> None:
    """Unlock an auto-locked session with its owner's PIN (or password); raise AuthError if wrong."""
    from argon2.exceptions import VerificationError, InvalidHashError

    now = now or now_utc()
    if not db.execute("SELECT 1 FROM staff WHERE id = ? AND active = 1", [session.staff_id]).fetchone():
        raise AuthError("This account is no longer active: sign in again.")
    row = _claim_attempt(db, "id = ?", [session.staff_id], now)
    if row is None:
        raise AuthError("Too many wrong tries: wait a few minutes, or choose \"Someone else: sign in\" and ask a site lead.")
    hasher = _hasher()
    for stored in (row["pin_hash"], row["password_hash"]):
        if not stored:
            continue
        try:
            hasher.verify(stored, (secret or "")[:MAX_PASSWORD_LENGTH * 4])
        except (VerificationError, InvalidHashError):
            continue
        _record_success(db, row)
        return
    raise AuthError("Wrong PIN or password.")


def require(session: Session | None, permission: str) -> None:
    """Raise PermissionDenied unless the session's role holds ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if session is None:
        raise PermissionDenied("Sign in first.")
    if not session.can(permission):
        allowed = " or ".join(sorted(PERMISSIONS[permission]))
        raise PermissionDenied(f"Only a {allowed.replace('_', ' ')} can do this ({permission}).")


MANAGERS = tuple(sorted(PERMISSIONS["staff.manage"]))


class LastLeadError(PermissionDenied):
    """Refused: it would leave the site with nobody able to manage staff."""


def set_active(db: "Database", session: Session | None, staff_id: int, active: bool) -> None:
    """Disable or re-enable an account (site leads only); never the last active site lead or admin."""
    from hub.storage import write_transaction

    require(session, "staff.manage")
    with write_transaction(db):
        if not active:
            row = db.execute("SELECT role, active FROM staff WHERE id = ?", [staff_id]).fetchone()
            if row and row[1] and row[0] in MANAGERS:
                others = db.execute(
                    f"SELECT count(*) FROM staff WHERE active = 1 AND id != ? AND role IN ({', '.join('?' for _ in MANAGERS)})",
                    [staff_id, *MANAGERS],
                ).fetchone()[0]
                if not others:
                    raise LastLeadError(
                        "This is the last active site lead: add or enable another site lead first, "
                        "so someone can still manage staff."
                    )
        db.execute("UPDATE staff SET active = ? WHERE id = ?", [int(active), staff_id])


def is_still_active(db: "Database", session: Session) -> bool:
    """False once an account is disabled, so its open sessions end (ASVS 7.4.2)."""
    if session.staff_id is None:
        return True
    row = db.execute("SELECT active FROM staff WHERE id = ?", [session.staff_id]).fetchone()
    return bool(row and row[0])


DEMO_ACCOUNTS = [
    ("demo.lead", "Dee Lead (demo)", "site_lead", "northside-lead-demo", "2468"),
    ("demo.staff", "Sam Staff (demo)", "staff", "northside-staff-demo", "1357"),
]
"""Fictional accounts seeded only on demo sites (documented in the README); never on a live site."""


def seed_demo_accounts(db: "Database") -> None:
    for username, name, role, password, pin in DEMO_ACCOUNTS:
        if not db["staff"].count_where("username = ?", [username]):
            create_account(db, username=username, display_name=name, role=role, password=password, pin=pin, created_by="demo")
