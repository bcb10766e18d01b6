"""Markdown rendering of report blocks, and the number formats every table shares."""

from __future__ import annotations

import math

from bench_job.report.render.document import Bullets, Figure, Heading, Table, Text, Verdict


def table(headers: list, rows: list) -> str:
    def cell(value):
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def millions(n) -> str:
    return "" if missing(n) else f"{n / 1e6:.2f}M"


def ms(seconds) -> str:
    return "" if missing(seconds) else f"{seconds * 1e3:.2f}"


def num(value, digits: int = 3) -> str:
    """Significant digits, no scientific notation for the ranges a report shows."""
    if missing(value):
        return ""
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:.0f}"


def blockquote(verdict: Verdict) -> str:
    lines = ([verdict.lead, ""] if verdict.lead else []) + [f"**{verdict.headline}**"]
    if verdict.items:
        lines += [""] + [f"- {item}" for item in verdict.items]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def render(blocks: list) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + block.text)
        elif isinstance(block, Text):
            out.append(block.text)
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            out.append(table(block.headers, block.rows))
        elif isinstance(block, Figure):
            out.append(f"![{block.caption}]({block.path})")
        elif isinstance(block, Verdict):
            out.append(blockquote(block))
        else:
            raise TypeError(f"unknown report block {block!r}")
    return "\n\n".join(out) + "\n"
