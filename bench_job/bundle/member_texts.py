"""Bundle members a row brings with it: a soak's time series (sustained/<key>.csv), an MLPerf scenario's LoadGen logs
(loadgen/<key>/...). The worker writes nothing to disk: it sends each member's text inside its record under
MEMBER_TEXTS_FIELD (not a schema field), {member path: text}; the runner takes them out and writes them beside
results.jsonl before the record is stored, and the row's own column names where they are."""

from __future__ import annotations

import os
import re

MEMBER_TEXTS_FIELD = "member_texts"


def safe_name(key: str) -> str:
    """A row key as a file or folder name, only letters, digits, '.', '-' and '_':
    'resnet18|fp32|cpu|b1|s224|sustained' -> 'resnet18_fp32_cpu_b1_s224_sustained'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._") or "row"


def keep_member_texts(fields: dict, workdir: str) -> dict:
    """fields without MEMBER_TEXTS_FIELD, each of whose texts is written to workdir/<member path>."""
    texts = fields.get(MEMBER_TEXTS_FIELD)
    if texts is None:
        return fields
    for member, text in texts.items():
        path = os.path.join(workdir, *member.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return {k: v for k, v in fields.items() if k != MEMBER_TEXTS_FIELD}
