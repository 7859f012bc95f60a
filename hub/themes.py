"""The hub's own themes. Textual ships no high-contrast theme, so we supply one."""

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="hub-high-contrast",
    # Pure black and white with saturated, distinguishable accents; tuned for
    # bright community rooms and low vision (WCAG AAA contrast on text).
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF9900",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFCC00",
    error="#FF5555",
    boost="#333333",
    dark=True,
    variables={
        "border": "#FFFFFF",
        "border-blurred": "#BBBBBB",
        "footer-key-foreground": "#FFFF00",
        "footer-description-foreground": "#FFFFFF",
        "input-selection-background": "#FFFF00 40%",
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#FFFF00",
        "block-cursor-text-style": "bold",
        "text-muted": "#DDDDDD",
    },
)
