"""Households the calculator cannot answer for, and what to use instead.

A better-off figure for a household outside the model would be confidently wrong (a
pensioner's Housing Benefit would take most of a "you keep all of it" gain back), so for
these the result has ``"better_off": null`` and a plain-words ``cannot_answer`` reason.
"""

from __future__ import annotations

from dataclasses import dataclass

ADVISER = "a welfare rights adviser (Citizens Advice, or the council's welfare rights team)"
FULL_CALCULATORS = "a full benefits calculator such as entitledto or Turn2us"


@dataclass(frozen=True)
class OutOfScope:
    code: str
    reason: str


def out_of_scope(household, rates) -> list[OutOfScope]:
    """Every reason the household is outside the model, the most basic first."""
    reasons = []
    pension_age = rates.state_pension.pension_age
    if all(adult.age >= pension_age for adult in household.adults):
        reasons.append(
            OutOfScope(
                "pension_age",
                "Everyone in the household is over State Pension age, so Universal Credit is not the benefit: "
                "Pension Credit and pension-age Housing Benefit are, and they take earnings into account "
                f"differently. Use {FULL_CALCULATORS}, or ask {ADVISER} or the Pension Service.",
            )
        )
    tenure = household.housing.tenure
    if tenure == "temporary_accommodation":
        reasons.append(
            OutOfScope(
                "temporary_accommodation",
                "Rent for temporary accommodation arranged by the council is paid by Housing Benefit, not "
                "Universal Credit (UC Regs Sch 1 para 3, payments excluded from UC housing costs), and Housing Benefit falls in a different way as "
                f"earnings rise. Use {FULL_CALCULATORS}, which covers Housing Benefit with Universal Credit, "
                "or ask the council's housing options team.",
            )
        )
    if tenure == "supported_accommodation":
        reasons.append(
            OutOfScope(
                "supported_accommodation",
                "Rent for supported (exempt) accommodation is paid by Housing Benefit, not Universal Credit "
                "(UC Regs Sch 1 para 3, 'specified accommodation'), and Housing Benefit falls in a different "
                f"way as earnings rise. Use {FULL_CALCULATORS}, or ask the support provider or {ADVISER}.",
            )
        )
    if any(adult.self_employed for adult in household.adults):
        reasons.append(
            OutOfScope(
                "self_employment",
                "Someone in the household is self-employed. Universal Credit counts self-employed earnings "
                "differently (profit each month, and after the first year a minimum income floor: UC Regs "
                f"regs 57 to 64), which this calculator does not model. Use {FULL_CALCULATORS}, or ask {ADVISER}.",
            )
        )
    return reasons
