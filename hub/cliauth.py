"""One way in for the command line: sign in as a real account, with the role the command needs.

Every ``hub`` command that reads or changes residents' data, or replaces the database, calls
``authenticate(hub, permission)`` (plugins call it as ``hub.authenticate(permission)``). There
is no default identity: ``HUB_STAFF`` names the account and ``HUB_PASSWORD`` proves it, or,
at a terminal, the hub asks for whichever is missing. ``HUB_STAFF`` on its own is refused.
A refusal is an exit with code 3 (NOT_ALLOWED) and one line saying what to do; every
sign-in, failed sign-in and refusal goes to the access log.
"""

from __future__ import annotations

import os
import sys

from hub.staff import AuthError, PermissionDenied

NOT_ALLOWED = 3
"""The exit code when nobody is signed in, the sign-in failed, or the role lacks the permission."""

HOW_TO_SIGN_IN = "set HUB_STAFF to your username and HUB_PASSWORD to your password, or run it at a terminal to be asked"


class NotSignedIn(PermissionDenied):
    """No credentials were given (or only a username): nobody is signed in."""


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed or detached standard input
        return False


def _credentials(environ) -> tuple[str, str]:
    """(username, password) from the environment, asking at a terminal for what is missing."""
    username = (environ.get("HUB_STAFF") or "").strip()
    password = environ.get("HUB_PASSWORD") or ""
    if username and password:
        return username, password
    if not _stdin_is_terminal():
        if username:
            raise NotSignedIn(f"HUB_STAFF is set but HUB_PASSWORD is not: a username alone signs nobody in ({HOW_TO_SIGN_IN}).")
        raise NotSignedIn(f"Sign in first: {HOW_TO_SIGN_IN}.")
    import getpass

    try:
        if not username:
            username = input("Username: ").strip()
        if not password:
            password = getpass.getpass(f"Password for {username}: ")
    except (EOFError, KeyboardInterrupt):
        raise NotSignedIn("Sign-in cancelled.") from None
    return username, password


def authenticate(hub, permission: str, *, environ=None) -> None:
    """Make sure someone is signed in with ``permission``; raise PermissionDenied/AuthError if not.

    A session already open (the kiosk's, or an earlier call's) is reused; otherwise the
    credentials are checked against the staff table (lockout rules included). The database
    must be open."""
    if hub.session is None:
        environ = os.environ if environ is None else environ
        try:
            username, password = _credentials(environ)
        except NotSignedIn:
            hub.log_event(None, f"denied:{permission}:not-signed-in")
            raise
        from hub.staff import sign_in

        try:
            hub.session = sign_in(hub.db, username, password)
        except AuthError:
            hub.log_event(None, "sign-in:cli:failed")
            raise
        hub.log_event(None, "sign-in:cli")
    hub.require(permission)


def refusal_message(command: str, exc: Exception) -> str:
    """The one line printed when a command is not allowed."""
    if isinstance(exc, AuthError) or isinstance(exc, NotSignedIn):
        return f"hub {command}: not allowed: {exc}"
    return f"hub {command}: not allowed: {exc} Sign in as an account with that role ({HOW_TO_SIGN_IN})."
