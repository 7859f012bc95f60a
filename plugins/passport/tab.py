"""The passport tab. The passport itself (entries, verification, signed export) is issue #5."""

from textual.widgets import Static

from hub.app import ResidentChanged


class PassportTab(Static):
    DEFAULT_CSS = """
    PassportTab { padding: 1 2; color: $text-muted; }
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
            f"Work passport for {who}.\n\n"
            "Recording entries, staff verification and the signed, printable passport are not built yet "
            "(issue #5). Nothing entered here is saved."
        )
