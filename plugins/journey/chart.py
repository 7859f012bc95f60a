"""A terminal chart of people engaged and job starts by month. Pure: points in, lines of text out.

Two horizontal bars per month, each series scaled to its own largest month (job starts are far
fewer than engagements, and would vanish on a shared scale), with the number at the end of each
bar so the chart never has to be read off an axis. Months in the report's period are marked ▸.
Block characters only, so it reads on any terminal and in the high-contrast theme.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from plugins.journey.report import MonthPoint

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float, top: float, width: int) -> str:
    """A bar ``width`` cells long at ``top``, in eighths of a cell; at least a sliver for any non-zero value."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def month_label(month: str) -> str:
    return date.fromisoformat(month + "-01").strftime("%b %Y")


def trend_chart(points: Sequence[MonthPoint], *, width: int = 60) -> list[str]:
    """Lines of text: a legend, then per month one bar of people engaged and one of job starts."""
    if not points:
        return ["No months to show."]
    bar_width = max(10, (width - 12) // 2 - 6)
    top_engaged = max(p.engaged for p in points)
    top_starts = max(p.job_starts for p in points)
    lines = [
        f"{'':10}  {'People engaged':<{bar_width + 6}}  Job starts",
    ]
    for point in points:
        mark = "▸" if point.in_period else " "
        engaged = f"{bar(point.engaged, top_engaged, bar_width)} {point.engaged}"
        starts = f"{bar(point.job_starts, top_starts, bar_width)} {point.job_starts}"
        lines.append(f"{mark}{month_label(point.month):<9}  {engaged:<{bar_width + 6}}  {starts}")
    lines.append("▸ months in the report's period; each series is scaled to its own busiest month.")
    return lines
