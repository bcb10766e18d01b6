"""Habits that keep the code as it is laid out: ruff's lint and format, Python 3.8 (JetPack 5's Python), and the
import contracts of the architecture (no cycles; evaluation/ leans on the catalogue and families only).

The tools are pinned in requirements-test.txt; each check runs the tool on the repository as a user would."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ("bench_job", "evaluation", "tests", "benchmarks")
BIN = Path(sys.executable).parent


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _assert_clean(result: subprocess.CompletedProcess, fix: str) -> None:
    assert result.returncode == 0, f"{result.stdout[-4000:]}{result.stderr[-2000:]}\nfix: {fix}"


def test_ruff_lint_passes():
    _assert_clean(
        _tool(sys.executable, "-m", "ruff", "check", *CODE), "ruff check --fix bench_job evaluation tests benchmarks"
    )


def test_ruff_format_is_applied():
    _assert_clean(
        _tool(sys.executable, "-m", "ruff", "format", "--check", *CODE),
        "ruff format bench_job evaluation tests benchmarks",
    )


def test_vermin_finds_nothing_newer_than_python_3_8():
    # Every module defers its annotations (ruff's required import), so vermin's default of unevaluated
    # annotations is true here; it checks the library calls and the syntax.
    _assert_clean(
        _tool(str(BIN / "vermin"), "--target=3.8-", "--violations", "--no-tips", "--no-parse-comments", *CODE),
        "replace the call or syntax vermin names with a 3.8 one",
    )


_BUILTIN_GENERICS = {"list", "dict", "tuple", "set", "frozenset", "type"}
_TYPES = _BUILTIN_GENERICS | {"int", "float", "str", "bytes", "bool", "object"}


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an annotation, which `from __future__ import annotations` leaves unevaluated."""
    roots = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            roots += [
                a.annotation
                for a in (
                    *node.args.posonlyargs,
                    *node.args.args,
                    *node.args.kwonlyargs,
                    node.args.vararg,
                    node.args.kwarg,
                )
                if a is not None and a.annotation
            ]
            roots += [node.returns] if node.returns else []
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
    return {id(child) for root in roots for child in ast.walk(root)}


def _is_type_operand(node: ast.AST) -> bool:
    return (
        (isinstance(node, ast.Constant) and node.value is None)
        or (isinstance(node, ast.Name) and node.id in _TYPES)
        or (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in _BUILTIN_GENERICS)
    )


def _runtime_new_typing(path: Path) -> list[str]:
    """`int | None` and `list[int]` evaluated at run time (isinstance, aliases, casts): Python 3.10 / 3.9 syntax
    that neither vermin's default checks nor ruff see outside annotations."""
    tree = ast.parse(path.read_text(), str(path))
    inside_annotations = _annotation_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in inside_annotations:
            continue
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.BitOr)
            and (_is_type_operand(node.left) or _is_type_operand(node.right))
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: `X | Y` of types needs Python 3.10")
        elif (
            isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in _BUILTIN_GENERICS
        ):
            found.append(
                f"{path.relative_to(ROOT)}:{node.lineno}: `{node.value.id}[...]` needs Python 3.9 "
                "(use typing's List, Dict, Tuple ... outside annotations)"
            )
    return sorted(found, key=lambda line: int(line.split(":")[1]))


def test_no_python_3_9_typing_is_evaluated_at_run_time():
    found = [
        line for folder in CODE for path in sorted((ROOT / folder).rglob("*.py")) for line in _runtime_new_typing(path)
    ]
    assert not found, "\n".join(found)


def test_the_runtime_typing_check_sees_what_it_looks_for(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from __future__ import annotations\n"
        "def f(x: int | None, y: list[int]) -> dict[str, int]:\n"
        "    return isinstance(x, int | float)\n"
        "ALIAS = list[int]\n"
        "Z: tuple[int, ...] = (1,)\n"
    )
    assert [line.split(": ", 1)[0] for line in _runtime_new_typing(sample)] == ["sample.py:3", "sample.py:4"]


@pytest.mark.skipif(
    sys.version_info < (3, 9),
    reason="import-linter 2.16 needs Python 3.9+ and 2.0, the newest for 3.8, lacks the acyclic_siblings contract; "
    "the contracts are static and the modern venv's suite checks them",
)
def test_the_import_contracts_hold():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    _assert_clean(
        result,
        "remove the import that closes a cycle or crosses a contract (pyproject.toml: "
        "[tool.importlinter]); docs/architecture.md says which way each arrow goes",
    )
