"""Income tax, employee Class 1 National Insurance and the High Income Child Benefit Charge.

Worked on the annual amounts (monthly x 12) and returned per month (annual / 12): the
same as a payslip on a steady monthly wage to within pennies (PAYE uses monthly
thresholds rounded to the pound). Pension contributions are taken under a net pay
arrangement: they come off pay before income tax but not before NI.
"""

from __future__ import annotations

from .rate_tables import ChildBenefitRates, IncomeTaxRates, NationalInsuranceRates

MONTHS_PER_YEAR = 12


def personal_allowance(adjusted_net_income_annual: float, rates: IncomeTaxRates) -> float:
    """ITA 2007 s.35: the allowance falls by 1 for every 2 of income over 100,000."""
    excess = max(0.0, adjusted_net_income_annual - rates.personal_allowance_taper_threshold_annual)
    return max(0.0, rates.personal_allowance_annual - excess * rates.personal_allowance_taper_rate)


def income_tax_annual(pay_after_pension_annual: float, rates: IncomeTaxRates, scottish: bool) -> float:
    """Tax on employment income after net-pay pension contributions (non-savings income only)."""
    taxable = max(0.0, pay_after_pension_annual - personal_allowance(pay_after_pension_annual, rates))
    if scottish:
        limits, band_rates = rates.scottish_band_limits_annual, rates.scottish_band_rates
    else:
        limits, band_rates = rates.uk_band_limits_annual, rates.uk_band_rates
    tax = 0.0
    lower = 0.0
    for upper, rate in zip((*limits, float("inf")), band_rates):
        if taxable <= lower:
            break
        tax += (min(taxable, upper) - lower) * rate
        lower = upper
    return tax


def national_insurance_annual(gross_pay_annual: float, rates: NationalInsuranceRates) -> float:
    """Employee (primary) Class 1: main rate between the primary threshold and UEL, then additional."""
    main_band = max(0.0, min(gross_pay_annual, rates.upper_earnings_limit_annual) - rates.primary_threshold_annual)
    above_limit = max(0.0, gross_pay_annual - rates.upper_earnings_limit_annual)
    return main_band * rates.main_rate + above_limit * rates.additional_rate


def child_benefit_charge_annual(
    highest_adjusted_net_income_annual: float, child_benefit_annual: float, rates: ChildBenefitRates
) -> float:
    """ITEPA 2003 s.681C: 1% of the Child Benefit for each whole 200 of income over 60,000, up to 100%."""
    excess = highest_adjusted_net_income_annual - rates.high_income_charge_threshold_annual
    if excess <= 0 or child_benefit_annual <= 0:
        return 0.0
    percent = min(100, int(excess // rates.high_income_charge_step_annual))
    return child_benefit_annual * percent / 100
