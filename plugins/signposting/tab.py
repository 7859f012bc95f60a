"""The signposting tab. The directory (sources, search, referrals) is issue #4."""

from textual.widgets import Static

from hub.app import ResidentChanged


class SignpostingTab(Static):
    DEFAULT_CSS = """
    SignpostingTab { padding: 1 2; color: $text-muted; }
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
            f"Signposting for {who}.\n\n"
            "Directory search, feeds and referrals are not built yet "
            "(issue #4). Nothing entered here is saved."
        )
