"""A text chart of net income against hours worked, for the terminal. Pure: lines of text in, out.

Drawn with block characters so it reads on any terminal and in the high-contrast theme;
the job offer's hours are marked with a column of ┃ and labelled.
"""

from __future__ import annotations

from dataclasses import dataclass

BLOCKS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ChartLines:
    lines: list[str]
    low: float
    high: float


def income_chart(points: list[tuple[float, float]], *, width: int = 60, height: int = 10,
                 marker_hours: float | None = None) -> ChartLines:
    """Columns of net income (monthly) for hours 0..max, scaled between the lowest and highest value.

    ``points`` are (hours, net income) in increasing hours. Each column takes the value of
    the nearest point. The y axis starts at a round figure below the lowest income so that
    small gains are visible but the chart does not exaggerate them.
    """
    if not points:
        return ChartLines([], 0.0, 0.0)
    width = max(10, width)
    height = max(3, height)
    values = [net for _, net in points]
    low_value, high_value = min(values), max(values)
    low = (low_value // 100) * 100 - 100 if low_value > 100 else 0.0
    high = ((high_value // 100) + 1) * 100
    span = max(high - low, 1.0)
    max_hours = points[-1][0] or 1.0
    columns = []
    for column in range(width):
        hours = max_hours * column / (width - 1)
        nearest = min(points, key=lambda point: abs(point[0] - hours))
        columns.append((nearest[1] - low) / span * height)  # in eighths of rows below
    marker_column = None
    if marker_hours is not None and 0 <= marker_hours <= max_hours:
        marker_column = round(marker_hours / max_hours * (width - 1))
    label_width = len(f"£{high:,.0f}")
    lines = []
    for row in range(height, 0, -1):
        if row == height:
            label = f"£{high:,.0f}"
        elif row == 1:
            label = f"£{low:,.0f}"
        elif row == (height + 1) // 2:
            label = f"£{low + span / 2:,.0f}"
        else:
            label = ""
        cells = []
        for index, level in enumerate(columns):
            fill = level - (row - 1)
            if index == marker_column and fill < 1:
                cells.append("┃")
            elif fill >= 1:
                cells.append(BLOCKS[8])
            elif fill > 0:
                cells.append(BLOCKS[max(1, round(fill * 8))])
            else:
                cells.append(" ")
        lines.append(f"{label:>{label_width}} │{''.join(cells)}")
    axis = "─" * width
    lines.append(f"{'':>{label_width}} └{axis}")
    ticks = [" "] * width
    for hours in range(0, int(max_hours) + 1, 8):
        text = str(hours)
        position = min(round(hours / max_hours * (width - 1)), width - len(text))
        for offset, char in enumerate(text):
            if position + offset < width:
                ticks[position + offset] = char
    lines.append(f"{'':>{label_width}}  {''.join(ticks)}  hours a week")
    if marker_column is not None:
        pointer = [" "] * width
        pointer[marker_column] = "▲"
        lines.append(f"{'':>{label_width}}  {''.join(pointer)}")
        lines.append(f"{'':>{label_width}}  {'the job offer'.rjust(min(width, marker_column + 7))}")
    return ChartLines(lines, low, high)
