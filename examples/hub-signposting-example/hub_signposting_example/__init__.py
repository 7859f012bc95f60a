"""Example signposting source: a community network's shared spreadsheet, saved as CSV.

Only hookimpls and settings here; the source itself is imported when the directory asks for it.
"""

from dataclasses import dataclass
from pathlib import Path

from hub import hookimpl


@dataclass
class Settings:
    """The [plugins.example_source] table."""

    csv_file: str
    """The spreadsheet saved as CSV, relative to the site file (e.g. "network-services.csv")."""
    label: str = "Community network spreadsheet"
    """Who keeps it, shown to staff beside each listing's "last checked" date."""


@hookimpl
def config_schema():
    return Settings


@hookimpl
def signposting_sources(hub):
    from hub_signposting_example.source import SpreadsheetSource

    settings = hub.plugin_config("example_source")
    path = Path(hub.config.path).resolve().parent / settings.csv_file
    return [SpreadsheetSource(path, label=settings.label)]
