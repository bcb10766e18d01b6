"""A self-contained report.html: the same blocks as report.md, plots embedded as base64 PNG so the file
can be mailed or opened from anywhere without the plots folder."""

from __future__ import annotations

import base64
import html
import os
import re

from bench_job.report.render.document import Bullets, Figure, Heading, Table, Text, Verdict

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
tr:nth-child(even) td { background: #fafafa; }
code { background: #f4f4f4; padding: 0 0.2em; }
.verdict { border: 2px solid; border-radius: 6px; padding: 0.4em 1em; margin: 1em 0 1.5em; }
.verdict-warn { border-color: #c0392b; background: #fdecea; }
.verdict-clean { border-color: #2e7d32; background: #edf7ee; }
figure { margin: 1em 0; } figure img { max-width: 100%; } figcaption { font-size: 0.85em; color: #555; }
"""


def inline(text: str) -> str:
    """Escape, then turn the markdown we emit (`code`, **bold**) into tags."""
    escaped = html.escape(str(text))
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


def _image(root: str, path: str) -> str:
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        return f"<p><em>plot {html.escape(path)} is missing</em></p>"
    with open(full, "rb") as handle:
        data = base64.b64encode(handle.read()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(path)}">'


def _items(items) -> str:
    return "<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>"


def render(blocks: list, title: str, root: str) -> str:
    """root: the folder the figures' relative paths start from."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{inline(block.text)}</h{block.level}>")
        elif isinstance(block, Text):
            body.append(f"<p>{inline(block.text)}</p>")
        elif isinstance(block, Bullets):
            body.append(_items(block.items))
        elif isinstance(block, Table):
            head = "".join(f"<th>{inline(h)}</th>" for h in block.headers)
            rows = "".join(
                "<tr>" + "".join(f"<td>{inline('' if c is None else c)}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(block, Figure):
            body.append(f"<figure>{_image(root, block.path)}<figcaption>{inline(block.caption)}</figcaption></figure>")
        elif isinstance(block, Verdict):
            body.append(
                f'<div class="verdict verdict-{"clean" if block.clean else "warn"}">'
                + (f"<p>{inline(block.lead)}</p>" if block.lead else "")
                + f"<p><strong>{inline(block.headline)}</strong></p>"
                f"{_items(block.items) if block.items else ''}</div>"
            )
        else:
            raise TypeError(f"unknown report block {block!r}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
