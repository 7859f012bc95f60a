"""Better-off-in-work calculator: Universal Credit, tax, NI, childcare and rent, now vs with a job.

Only hookimpls and settings live here; the engine (pure Python) and the screen are
imported when first needed so the hub starts fast.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from hub import CliCommand, TabSpec, hookimpl


@dataclass
class CouncilTaxScheme:
    """The site's local Council Tax Reduction scheme, approximated (see docs/benefits-calc.md)."""

    name: str
    """Shown beside every estimate, e.g. "Manchester CTR 2026/27 (approximate)"."""
    maximum_percent: float
    """The most of the bill the scheme can pay, in percent (e.g. 82.5)."""
    applicable_amount_monthly: float
    """Income up to this (per month) gets the maximum support."""
    taper_percent: float
    """Support falls by this percent of income above the applicable amount."""
    earnings_disregard_monthly: float = 0.0
    """Earnings ignored before the taper."""
    count_universal_credit: bool = False
    """Whether the scheme counts Universal Credit as income."""
    capital_limit: float = 16000.0
    """No support above this much capital."""
    default_monthly_liability: float = 0.0
    """The usual monthly bill (Band A/B on the estate) when staff do not enter one."""
    source: str = ""
    """Where the figures come from (the council's scheme document), shown to staff."""


@dataclass
class CalcSettings:
    """The [plugins.benefits_calc] table."""

    london: bool = False
    """Whether the site is in Greater London (sets the benefit cap)."""
    scottish_taxpayer: bool = False
    """Use Scottish income tax bands (sites in Scotland)."""
    lha_monthly_rates: dict[str, float] = field(default_factory=dict)
    """Local Housing Allowance per month by bedroom entitlement: keys "shared", "1", "2", "3", "4"."""
    council_tax_scheme: CouncilTaxScheme | None = None
    """The local Council Tax Reduction scheme; without it CTR is not estimated."""

    def __post_init__(self) -> None:
        unknown = set(self.lha_monthly_rates) - {"shared", "1", "2", "3", "4"}
        if unknown:
            raise ValueError(f"lha_monthly_rates: unknown bedroom entitlement {sorted(unknown)}; use shared, 1, 2, 3 or 4")


@dataclass(frozen=True)
class OneOffPayment:
    """A one-off payment on starting work (e.g. a JobsPlus into-work bonus), shown beside the monthly figures."""

    label: str
    """What it is, e.g. "JobsPlus into-work bonus"."""
    amount: float
    """Pounds, paid once."""
    note: str = ""
    """When or on what condition, e.g. "after 4 weeks in work, with a payslip"."""


@hookimpl
def config_schema():
    return CalcSettings


@hookimpl
def register_hookspecs():
    from plugins.benefits_calc import hookspecs

    return hookspecs


def settings(hub) -> CalcSettings:
    return hub.plugin_config("benefits_calc") or CalcSettings()


def scheme_dict(calc_settings: CalcSettings) -> dict | None:
    return asdict(calc_settings.council_tax_scheme) if calc_settings.council_tax_scheme else None


@hookimpl
def register_migrations():
    from plugins.benefits_calc.storage import migrations

    return migrations()


@hookimpl
def seed_demo_data(hub, db):
    from plugins.benefits_calc.demo import seed

    seed(hub, db)


@hookimpl
def export_resident_data(hub, resident_id):
    from plugins.benefits_calc.storage import export_for_resident

    return export_for_resident(hub.db, resident_id)


@hookimpl
def erase_resident_data(hub, resident_id):
    from plugins.benefits_calc.storage import erase_for_resident

    return erase_for_resident(hub.db, resident_id)


@hookimpl
def linkable_records(hub, resident_id):
    from plugins.benefits_calc.storage import linkable

    return linkable(hub.db, resident_id)


@hookimpl
def describe_record(hub, kind, record_id):
    from plugins.benefits_calc.storage import RECORD_KIND, describe

    return describe(hub.db, record_id) if kind == RECORD_KIND else None


def one_off_payment(value) -> "OneOffPayment":
    """A plugin's answer to ``calc_one_off_payments`` as a OneOffPayment: plain dicts (the documented form) or
    objects with ``label``, ``amount`` and ``note``."""
    if isinstance(value, OneOffPayment):
        return value
    if isinstance(value, dict):
        return OneOffPayment(str(value["label"]), float(value["amount"]), str(value.get("note") or ""))
    return OneOffPayment(str(value.label), float(value.amount), str(getattr(value, "note", "") or ""))


def _make_tab(hub):
    from plugins.benefits_calc.screen import CalculatorTab

    return CalculatorTab(hub)


@hookimpl
def register_tabs():
    return [TabSpec(id="calc", title="Better off?", factory=_make_tab)]


def _configure_calc(parser) -> None:
    parser.add_argument("input", metavar="INPUT", help="a JSON household file, or - to read standard input")
    parser.add_argument("--sweep", action="store_true", help="add net income at 0 to 48 hours in half-hour steps")


def _run_calc(hub, args) -> int:
    from plugins.benefits_calc.cli import run_calc

    return run_calc(hub, args)


@hookimpl
def register_cli_commands():
    return [
        CliCommand(
            "calc",
            "Better-off-in-work calculation: JSON household in, JSON result out (docs/benefits-calc.md)",
            _configure_calc,
            _run_calc,
            needs_database=False,
        )
    ]
