"""Markdown building blocks for the report."""


def table(headers: list, rows: list) -> str:
    def cell(value):
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def millions(n) -> str:
    return "" if n is None or n != n else f"{n / 1e6:.2f}M"


def ms(seconds) -> str:
    return "" if seconds is None or seconds != seconds else f"{seconds * 1e3:.2f}"
