"""The "Better off?" tab: a short form, results now vs with the job, the why, and a chart by hours.

The screen only renders: the numbers come from the engine, the form's parsing from form.py.
Results update as staff type; the 97-point hours sweep runs in a worker.
"""

from __future__ import annotations

from dataclasses import fields

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from hub.widgets import DataTable

from hub.widgets import ResidentChanged
from hub.widgets import FormField, show_errors
from plugins.benefits_calc import scheme_dict, settings
from plugins.benefits_calc.chart import income_chart
from plugins.benefits_calc.engine import InputError, calculate
from plugins.benefits_calc.summary import ROWS, money
from plugins.benefits_calc.form import (
    HEALTH_CHOICES,
    LHA_ENTITLEMENTS,
    PAY_FREQUENCY_CHOICES,
    PENSION_FORM_CHOICES,
    RENT_PERIODS,
    TENURE_CHOICES,
    CalcForm,
    FormError,
    age_from_birth,
    form_field_for,
    form_from_input,
    to_input,
)

DEDUCTED = {"income_tax", "national_insurance", "pension_contributions", "costs_of_work"}


class CalculatorTab(Vertical):
    """Better off in work? For the current resident (or anyone, without saving)."""

    DEFAULT_CSS = """
    CalculatorTab { height: 1fr; }
    CalculatorTab #calc-body { height: 1fr; }
    CalculatorTab #calc-form { width: 62; padding-right: 1; border-right: vkey $primary 30%; }
    CalculatorTab #calc-results { width: 1fr; padding-left: 1; }
    CalculatorTab .calc-section { text-style: bold; color: $primary; margin-top: 1; }
    CalculatorTab FormField .field-label { width: 30; }
    CalculatorTab FormField > .field-error { padding-left: 30; }
    CalculatorTab #calc-headline { text-style: bold; height: auto; margin-bottom: 1; }
    CalculatorTab #calc-headline.-better { color: $success; }
    CalculatorTab #calc-headline.-worse { color: $warning; }
    CalculatorTab #calc-table { height: auto; margin-bottom: 1; }
    CalculatorTab #calc-chart { height: auto; margin-bottom: 1; }
    CalculatorTab #calc-explanation { height: auto; margin-bottom: 1; }
    CalculatorTab #calc-warnings { height: auto; color: $warning; margin-bottom: 1; }
    CalculatorTab #calc-saved { height: auto; max-height: 10; }
    CalculatorTab #calc-status { height: 1; color: $text-muted; }
    CalculatorTab Checkbox { border: none; padding: 0; height: 1; }
    CalculatorTab .hidden { display: none; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save to resident", id="calc-save"),
        Binding("ctrl+d", "print_summary", "Summary PDF", id="calc-pdf", priority=True),
        Binding("ctrl+r", "reset", "New calculation", id="calc-reset"),
    ]

    def __init__(self, hub) -> None:
        super().__init__(id="calculator")
        self.hub = hub
        self.settings = settings(hub)
        self.last_input: dict | None = None
        self.last_result: dict | None = None
        self.ready = False
        """False while the form is being built: its fields' first Changed events are not edits."""
        self.widgets: dict[str, Widget] = {}
        self._recalc_pending = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        form = CalcForm(london=self.settings.london)
        with Horizontal(id="calc-body"):
            with VerticalScroll(id="calc-form"):
                yield Label("The household", classes="calc-section")
                yield self._field("age", "Age", form.age)
                yield self._field("earnings", "Earnings now (£ a month)", form.earnings)
                yield self._select("health", "Health", HEALTH_CHOICES, form.health)
                yield Checkbox("Cares for someone 35+ hours a week", id="calc-carer")
                yield Checkbox("Gets PIP, DLA or Attendance Allowance", id="calc-disability_benefit")
                yield Checkbox("Lives with a partner (joint claim)", id="calc-couple")
                with Vertical(id="partner-fields", classes="hidden"):
                    yield self._field("partner_age", "Partner's age", "")
                    yield self._field("partner_earnings", "Partner's earnings (£ a month)", "0")
                    yield self._select("partner_health", "Partner's health", HEALTH_CHOICES, "none")
                    yield Checkbox("Partner is a carer (35+ hours)", id="calc-partner_carer")
                    yield Checkbox("Partner gets PIP, DLA or AA", id="calc-partner_disability_benefit")
                yield self._field("children_ages", "Children's ages (e.g. 4, 9)", "")
                with Vertical(id="child-fields", classes="hidden"):
                    yield Checkbox("The 9-year-old was born before 6 April 2017", id="calc-nine_year_old_born_before_april_2017", classes="hidden")
                    yield self._field("disabled_children_lower", "Disabled children: lower rate", "0")
                    yield self._field("disabled_children_higher", "Disabled children: higher rate", "0")
                    yield self._field("childcare", "Childcare costs (£ a month)", "0")

                yield Label("Home", classes="calc-section")
                yield self._select("tenure", "Housing", TENURE_CHOICES, form.tenure)
                with Vertical(id="rent-fields"):
                    yield self._field("rent", "Rent (£ a month)", "0")
                    yield self._field("service_charges", "Service charges (£ a month)", "0")
                yield self._field("spare_bedrooms", "Spare bedrooms (social rent)", "0")
                with Vertical(id="lha-fields", classes="hidden"):
                    yield self._select("lha_entitlement", "Bedrooms they qualify for", LHA_ENTITLEMENTS, "1")
                    yield self._field("lha_cap", "LHA rate (£ a month)", "")
                yield self._field("non_dependants", "Other adults living there", "0")
                yield self._field("council_tax", "Council tax (£ a month, optional)", "")
                yield self._field("capital", "Savings (£)", "0")
                yield self._field("unearned", "Other income (£ a month)", "0")
                # --- issue 13 (calc-rules): incomes by kind and household details ---
                with Vertical(id="calc-rules-fields"):
                    yield Label("Benefits and other income (£ a month)", classes="calc-section")
                    yield self._field("carers_allowance", "Carer's Allowance", "0")
                    yield self._field("jsa", "New-style JSA", "0")
                    yield self._field("esa", "New-style ESA", "0")
                    yield self._field("maternity_allowance", "Maternity Allowance", "0")
                    yield self._field("pension", "State or other pension", "0")
                    with Vertical(id="partner-income-fields", classes="hidden"):
                        yield self._field("partner_carers_allowance", "Partner's Carer's Allowance", "0")
                        yield self._field("partner_jsa", "Partner's new-style JSA", "0")
                        yield self._field("partner_esa", "Partner's new-style ESA", "0")
                        yield self._field("partner_maternity_allowance", "Partner's Maternity Allowance", "0")
                        yield self._field("partner_pension", "Partner's pension", "0")
                        yield Checkbox("Partner is self-employed", id="calc-partner_self_employed")
                    yield self._field("child_maintenance", "Child maintenance (not counted by UC)", "0")
                    yield self._field("spousal_maintenance", "Maintenance from a former partner", "0")
                    yield Checkbox("Resident is self-employed", id="calc-self_employed")
                    yield self._field("childcare_per_child", "Childcare per child, in the order of the ages", "")
                    yield Checkbox("Childcare stays the same whatever the hours", id="calc-childcare_fixed")
                    yield self._field("children_sexes", "Children's sexes, in order (f, m), for bedrooms", "")
                    yield self._select("rent_period", "Rent is quoted", RENT_PERIODS, "month")
                    yield self._field("rent_free_weeks", "Rent-free weeks a year (weekly rent)", "0")
                    yield self._field("bedrooms", "Bedrooms in the home (works out spare rooms)", "")
                    yield self._field("non_dependant_ages", "Other adults' ages (e.g. 25, 19)", "")
                    yield self._field("non_dependants_exempt", "...of them exempt (PC, PIP/DLA/AA, CA, child under 5)", "0")

                yield Label("The job offer", classes="calc-section")
                yield self._select("job_adult", "Who would take it", {"0": "The resident", "1": "The partner"}, "0", classes="hidden")
                yield self._field("hours", "Hours a week", form.hours)
                yield self._field("wage", "Hourly wage (£)", form.wage)
                yield self._field("travel", "Travel, uniform etc. (£ a month)", "0")
                # The first year month by month (issue 13): pay dates and pension.
                yield self._select("pay_frequency", "How often paid", PAY_FREQUENCY_CHOICES, "monthly")
                yield self._select("job_pension", "Pension from the job", PENSION_FORM_CHOICES, "auto_enrolment")
                yield self._field("job_pension_percent", "Job pension (% of pay)", "")
                yield self._field("start_date", "Start date (optional)", "")
                yield self._field("first_pay_date", "First payday (optional)", "")
                yield self._field("assessment_period_day", "UC period starts on day (1-31)", "")
                yield Label("Save", classes="calc-section")
                yield self._field("label", "Name this calculation", "")
            with VerticalScroll(id="calc-results"):
                yield Static("Fill in the household and the job offer.", id="calc-headline")
                table = DataTable(id="calc-table", cursor_type="none", zebra_stripes=True)
                table.add_column("", key="what", width=38)
                table.add_column("Now", key="now", width=12)
                table.add_column("With the job", key="with_job", width=14)
                yield table
                yield Static("", id="calc-chart")
                yield Static("", id="calc-explanation")
                yield Static("", id="calc-warnings")
                yield Label("Saved calculations for this resident, to compare (Enter reopens)", classes="calc-section")
                saved = DataTable(id="calc-saved", cursor_type="row", zebra_stripes=True)
                saved.add_column("Saved", key="saved", width=10)
                saved.add_column("Name", key="label", width=20)
                saved.add_column("Job", key="job", width=14)
                saved.add_column("Now", key="now", width=10)
                saved.add_column("With job", key="with_job", width=10)
                saved.add_column("Better off", key="better_off", width=10)
                yield saved
        yield Static("Ctrl+S saves to the resident · Ctrl+D one-page summary (PDF) · Ctrl+R starts again", id="calc-status")

    def _field(self, name: str, label: str, value: str) -> FormField:
        return FormField(label, Input(value=value, id=f"calc-{name}", compact=True), name=name)

    def _select(self, name: str, label: str, choices: dict[str, str], value: str, classes: str = "") -> FormField:
        widget = Select([(text, key) for key, text in choices.items()], value=value, allow_blank=False, id=f"calc-{name}", compact=True)
        return FormField(label, widget, name=name, classes=classes)

    def on_mount(self) -> None:
        names = {spec.name for spec in fields(CalcForm)}
        for widget in self.query("Input, Select, Checkbox"):
            if widget.id and widget.id.startswith("calc-") and widget.id[5:] in names:
                self.widgets[widget.id[5:]] = widget  # looked up once: the form is read on every key
        self.prefill_from_resident()
        self.refresh_saved()
        self.update_visibility()
        self.recalculate()
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        self.ready = True

    # -- reading the form ------------------------------------------------------------------

    def form(self) -> CalcForm:
        values = {}
        for spec in fields(CalcForm):
            widget = self.widgets.get(spec.name)
            if widget is None:
                continue
            if isinstance(widget, Checkbox):
                values[spec.name] = widget.value
            elif isinstance(widget, Select):
                values[spec.name] = widget.value if isinstance(widget.value, str) else ""
            elif isinstance(widget, Input):
                values[spec.name] = widget.value
        return CalcForm(london=self.settings.london, **values)

    def fill(self, form: CalcForm) -> None:
        for spec in fields(CalcForm):
            widget = self.widgets.get(spec.name)
            if widget is None:
                continue
            value = getattr(form, spec.name)
            if isinstance(widget, (Checkbox, Input)):
                widget.value = value
            elif isinstance(widget, Select):
                widget.value = value
        self.update_visibility()

    def prefill_from_resident(self) -> None:
        resident = self.hub.current_resident()
        age_input = self.query_one("#calc-age", Input)
        age_input.value = age_from_birth(resident["date_of_birth"]) if resident else ""

    # -- reacting ------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def changed(self, event) -> None:
        event.stop()
        if not self.ready:
            return
        if getattr(event, "input", None) is not None and event.input.id == "calc-label":
            return
        if getattr(event, "select", None) is not None and event.select.id == "calc-lha_entitlement":
            self.fill_lha_cap()
        if getattr(event, "select", None) is not None and event.select.id == "calc-tenure" and event.value == "private_rent":
            self.fill_lha_cap()
        if not self._recalc_pending:  # one recalculation per burst of changes (typing, a reopened scenario)
            self._recalc_pending = True
            self.call_after_refresh(self._recalculate_now)

    def _recalculate_now(self) -> None:
        self._recalc_pending = False
        self.update_visibility()
        self.recalculate()

    def fill_lha_cap(self) -> None:
        """Prefill the LHA rate from the site's local rates for the bedroom entitlement chosen."""
        entitlement = self.query_one("#calc-lha_entitlement", Select).value
        rate = self.settings.lha_monthly_rates.get(str(entitlement))
        if rate is not None:
            self.query_one("#calc-lha_cap", Input).value = f"{rate:g}"

    def update_visibility(self) -> None:
        """Show only the fields that matter for this household."""
        form = self.form()
        has_children = bool(form.children_ages.strip())
        self.query_one("#partner-fields").set_class(not form.couple, "hidden")
        self.query_one("#field-job_adult").set_class(not form.couple, "hidden")
        self.query_one("#child-fields").set_class(not has_children, "hidden")
        nine = any(part.strip() == "9" for part in form.children_ages.replace(",", " ").split())
        self.query_one("#calc-nine_year_old_born_before_april_2017").set_class(not nine, "hidden")
        renting = form.tenure in ("social_rent", "private_rent")
        self.query_one("#rent-fields").set_class(not renting, "hidden")
        self.query_one("#field-spare_bedrooms").set_class(form.tenure != "social_rent", "hidden")
        self.query_one("#lha-fields").set_class(form.tenure != "private_rent", "hidden")
        self.query_one("#field-job_pension_percent").set_class(form.job_pension != "percent", "hidden")
        self.query_one("#partner-income-fields").set_class(not form.couple, "hidden")  # issue 13

    def recalculate(self) -> None:
        form = self.form()
        try:
            data = to_input(form)
            result = calculate(data, council_tax_scheme=scheme_dict(self.settings), scottish_taxpayer=self.settings.scottish_taxpayer)
        except FormError as exc:
            self.show_problem(exc.field, exc.message)
            return
        except InputError as exc:
            self.show_problem(form_field_for(exc.field), str(exc.message))
            return
        show_errors(self.query_one("#calc-form"), {}) if self._has_errors() else None
        self.last_input, self.last_result = data, result
        self.render_result(result)
        self.run_sweep(data)

    def _has_errors(self) -> bool:
        return any(field.has_class("-invalid") for field in self.query(FormField))

    def show_problem(self, field_name: str, message: str) -> None:
        for field in self.query(FormField):
            field.set_error(message if field.field_name == field_name else None)
        self.last_input = self.last_result = None
        headline = self.query_one("#calc-headline", Static)
        headline.update(f"Check the form: {message}")
        headline.set_class(False, "-better")
        headline.set_class(False, "-worse")

    def render_result(self, result: dict) -> None:
        better = result["better_off"]
        headline = self.query_one("#calc-headline", Static)
        if result.get("cannot_answer"):  # issue 13: outside the model, no headline
            text = "No better-off figure: this household is outside what the calculator covers (see why below)."
        elif better is None:
            text = f"Money to live on now: {money(result['now']['net_income'])} a month."
        elif better >= 0:
            text = f"Better off in work by {money(better)} a month ({money(better * 12 / 52)} a week)."
        else:
            text = f"Worse off in work by {money(-better)} a month: see why below."
        year = result.get("year")
        if year and not year["same_every_month"]:  # the months differ: say it is the year's average
            worst, best = year["worst_month"], year["best_month"]
            text += (f"\nAverage over the first year: from {money(worst['better_off'])} ({worst['in_words']}) "
                     f"to {money(best['better_off'])} ({best['in_words']}).")
        payments = self.one_off_payments()
        result["one_off_payments"] = [{"label": p.label, "amount": p.amount, "note": p.note} for p in payments]
        if payments and better is not None:
            extras = "; ".join(f"{money(p.amount)} {p.label}" + (f" ({p.note})" if p.note else "") for p in payments)
            text += f"\nPlus, once: {extras}."
        headline.update(text)
        headline.set_class(better is not None and better >= 0, "-better")
        headline.set_class(better is not None and better < 0, "-worse")
        table = self.query_one("#calc-table", DataTable)
        table.clear()
        for key, label in ROWS:
            now = result["now"][key]
            job = result["with_job"][key] if result["with_job"] else None
            sign = "-" if key in DEDUCTED and (now or job) else ""
            table.add_row(label, f"{sign}{money(now)}", f"{sign}{money(job)}" if job is not None else "-", key=key)
        breakdown = result["universal_credit_breakdown"]
        self.query_one("#calc-explanation", Static).update(
            "\n".join(f"• {sentence}" for sentence in result["explanation"])
            + (f"\n\nUniversal Credit maximum: {money(breakdown['now']['maximum_amount'])} a month." if breakdown.get("now") else "")
        )
        warnings = result["warnings"] + result.get("assumptions", [])
        self.query_one("#calc-warnings", Static).update("\n".join(f"! {w}" for w in warnings))

    def one_off_payments(self) -> list:
        """One-off in-work payments other plugins say this resident would get (e.g. an into-work bonus)."""
        resident_id = self.hub.current_resident_id
        if resident_id is None:
            return []
        from plugins.benefits_calc import one_off_payment

        return [one_off_payment(result.value)
                for result in self.hub.plugins.call_flat("calc_one_off_payments", hub=self.hub, resident_id=resident_id)]

    @work(thread=True, exclusive=True, group="calc-sweep", exit_on_error=False)
    def run_sweep(self, data: dict) -> None:
        """Net income at 0 to 48 hours, for the chart; off the UI thread, newest request wins."""
        from textual.worker import get_current_worker

        try:
            result = calculate(data, sweep=True, council_tax_scheme=scheme_dict(self.settings), scottish_taxpayer=self.settings.scottish_taxpayer)
        except InputError:
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.render_chart, result["sweep"], data["job"]["hours_per_week"])

    def render_chart(self, sweep: list[dict], hours: float) -> None:
        chart = income_chart([(p["hours"], p["net_income"]) for p in sweep], width=48, height=8, marker_hours=hours)
        title = "Money to live on each month (after tax, benefits and costs of work) by hours worked:"
        self.query_one("#calc-chart", Static).update("\n".join([title, *chart.lines]))

    # -- the resident --------------------------------------------------------------------

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.prefill_from_resident()
        self.refresh_saved()

    def refresh_saved(self) -> None:
        from plugins.benefits_calc.storage import scenarios_for

        table = self.query_one("#calc-saved", DataTable)
        table.clear()
        resident_id = self.hub.current_resident_id
        if resident_id is None:
            return
        for row in scenarios_for(self.hub.db, resident_id):
            job = f"{row['hours']:g}h at £{row['hourly_wage']:.2f}" if row["hours"] is not None else "-"
            table.add_row(
                f"{row['saved_at'][8:10]}/{row['saved_at'][5:7]}/{row['saved_at'][:4]}",
                row["label"],
                job,
                money(row["net_now"]),
                money(row["net_with_job"]),
                money(row["better_off"]),
                key=str(row["id"]),
            )

    @on(DataTable.RowSelected, "#calc-saved")
    def reopen(self, event: DataTable.RowSelected) -> None:
        from plugins.benefits_calc.storage import load_scenario

        data, _ = load_scenario(self.hub.db, int(event.row_key.value))
        self.fill(form_from_input(data))
        self.recalculate()
        self.notify("Saved calculation reopened; results recalculated with today's rules.")

    def action_save(self) -> None:
        from plugins.benefits_calc.storage import save_scenario

        resident_id = self.hub.current_resident_id
        if resident_id is None:
            self.notify("Open a resident on the Residents tab (F1) to save this to their record.", severity="warning")
            return
        if self.last_input is None or self.last_result is None:
            self.notify("Fix the form first: nothing to save yet.", severity="warning")
            return
        label = self.query_one("#calc-label", Input).value or f"{self.last_input['job']['hours_per_week']:g} h at £{self.last_input['job']['hourly_wage']:.2f}"
        scenario_id = save_scenario(
            self.hub.db, resident_id=resident_id, label=label, data=self.last_input, result=self.last_result,
            staff=self.hub.staff, terminal=self.hub.terminal,
        )
        self.hub.emit("record_saved", resident_id=resident_id, kind="benefits_calc.scenario", record_id=scenario_id)
        self.refresh_saved()
        self.notify("Saved to the resident's record.")

    def action_print_summary(self) -> None:
        if self.last_result is None:
            self.notify("Fix the form first: nothing to print yet.", severity="warning")
            return
        self.write_pdf(self.last_input, self.last_result)

    @work(thread=True, exclusive=True, group="calc-pdf", exit_on_error=False)
    def write_pdf(self, data: dict, result: dict) -> None:
        from plugins.benefits_calc.summary import write_summary

        folder = self.hub.config.data_dir / "printouts"
        try:
            path = write_summary(result, data, folder, site_name=self.hub.config.hub.site_name)
            if self.hub.current_resident_id is not None:
                self.hub.record_export(self.hub.current_resident_id, path, kind="calculation")  # erasure removes it
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Could not write the PDF: {exc.strerror}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Summary saved: {path}", timeout=10)
        self.hub.offer_download(path)  # in a browser (hub serve): downloads it to the device

    def action_reset(self) -> None:
        self.fill(CalcForm(london=self.settings.london))
        self.prefill_from_resident()
        self.query_one("#calc-label", Input).value = ""
        self.recalculate()
