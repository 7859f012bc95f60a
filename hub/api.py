"""Everything a plugin may import from the core, in one place (the Textual side is hub.widgets).

    from hub.api import hookimpl, TabSpec, ValidationError, write_transaction, EmploymentSpell

Anything else under ``hub`` is the core's own business and may change; tests/test_layering.py fails
when a plugin imports it. Names are looked up when first used, so importing this module is as cheap
as ``import hub`` (it is on the startup path of every kiosk).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

SURFACE: dict[str, tuple[str, ...]] = {
    # declaring hooks and what they return
    "hub.hookspecs": ("hookimpl", "hookspec"),
    "hub.specs": ("TabSpec", "CliCommand", "PaletteCommand", "BackgroundJob"),
    # plain data plugins share through the core's hooks
    "hub.records": ("EmploymentSpell", "TrainingRecord", "RecordChanges", "ReferralRecord", "LinkableRecord",
                    "VERIFICATION_RANKS"),
    "hub.events": ("ResidentEvent", "SELECTED", "CLEARED", "DETAILS_CHANGED", "ERASED"),
    # the hub every hook receives (for type hints)
    "hub.context": ("Hub",),
    # residents: the record every plugin attaches to
    "hub.residents": ("ValidationError", "STATUSES", "age_on", "clean_text", "current_consents", "display_name",
                      "get_resident", "log_access", "now_iso", "parse_date", "address_on", "current_address",
                      "address_history"),
    "hub.postcodes": ("in_area", "normalise_postcode"),
    # storage
    "hub.storage": ("DB_ERRORS", "StorageError", "explain_sqlite_error", "open_database", "write_transaction"),
    # staff, settings and errors
    "hub.staff": ("PermissionDenied",),
    "hub.config": ("did_you_mean", "validate_table"),
    "hub.errors": ("describe_error",),
}
"""Module -> the names plugins may use from it."""

_WHERE = {name: module for module, names in SURFACE.items() for name in names}
__all__ = sorted(_WHERE)

if TYPE_CHECKING:  # for type checkers and editors; at run time names load on first use
    from hub.config import did_you_mean, validate_table
    from hub.context import Hub
    from hub.errors import describe_error
    from hub.events import CLEARED, DETAILS_CHANGED, ERASED, SELECTED, ResidentEvent
    from hub.hookspecs import hookimpl, hookspec
    from hub.postcodes import in_area, normalise_postcode
    from hub.records import (VERIFICATION_RANKS, EmploymentSpell, LinkableRecord, RecordChanges, ReferralRecord,
                             TrainingRecord)
    from hub.residents import (STATUSES, ValidationError, address_history, address_on, age_on, clean_text,
                               current_address, current_consents, display_name, get_resident, log_access, now_iso,
                               parse_date)
    from hub.specs import BackgroundJob, CliCommand, PaletteCommand, TabSpec
    from hub.staff import PermissionDenied
    from hub.storage import DB_ERRORS, StorageError, explain_sqlite_error, open_database, write_transaction


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'hub.api' has no attribute {name!r} (the plugin surface is listed in hub.api.SURFACE)")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
