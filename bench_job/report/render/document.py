"""The report as a list of blocks, so that one builder feeds both report.md and report.html and the two
can never say different things."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Text:
    """A paragraph; `code` spans in backticks and **bold** are kept as markdown and converted for HTML."""

    text: str


@dataclass
class Bullets:
    items: list


@dataclass
class Table:
    headers: list
    rows: list


@dataclass
class Figure:
    path: str  # relative to the report's folder
    caption: str


@dataclass
class Verdict:
    """The box that opens a report: how far to trust the bundle. A one-line headline (a clean run's only
    line) and one item per problem; markdown renders it as a blockquote, HTML as a coloured box. lead: a
    line above the headline for what frames every figure rather than distrusts one (a Jetson whose GPU was
    not used: the figures are sound, but the CPU's)."""

    headline: str
    items: list
    clean: bool
    lead: str | None = None
