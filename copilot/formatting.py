"""How figures are displayed: one place, so the verifier and the writers agree."""

from __future__ import annotations


def format_value(value: float, unit: str, precision: int = 2, signed: bool = False) -> str:
    """Render a number with its unit: ``$261.56``, ``+5.73%``, ``19.24x``, ``24.97M``."""
    if unit == "USD":  # "-$5.36": the figure reader takes the sign of "$-5.36" for a hyphen
        return f"-${-value:,.{precision}f}" if value < 0 else f"${value:,.{precision}f}"
    if unit == "%":
        return f"{value:+.{precision}f}%" if signed else f"{value:.{precision}f}%"
    if unit == "x":
        return f"{value:,.{precision}f}x"
    if unit == "shares":
        return format_compact(value, precision)
    if unit == "points":
        return f"{value:,.{precision}f}"
    return f"{value:,.{precision}f}"


def format_compact(value: float, precision: int = 2) -> str:
    """Large counts with K/M/B/T suffixes: 24970000 -> ``24.97M``."""
    magnitude = abs(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            return f"{value / threshold:,.{precision}f}{suffix}"
    return f"{value:,.0f}"
