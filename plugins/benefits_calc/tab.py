"""The calculator tab. The engine, screen and hub calc are issue #3."""

from textual.widgets import Static

from hub.widgets import ResidentChanged


class CalcTab(Static):
    DEFAULT_CSS = """
    CalcTab { padding: 1 2; color: $text-muted; }
    """

    def __init__(self, hub) -> None:
        super().__init__()
        self.hub = hub

    def on_mount(self) -> None:
        self.show(self.hub.current_resident_id)

    def on_resident_changed(self, message: ResidentChanged) -> None:
        self.show(message.resident_id)

    def show(self, resident_id) -> None:
        who = "the current resident" if resident_id is not None else "a resident (pick one on the Residents tab)"
        self.update(
            f"Better-off calculation for {who}.\n\n"
            "The calculation screen is not built yet "
            "(issue #3). Nothing entered here is saved."
        )
