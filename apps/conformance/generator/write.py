"""Serialises fixtures as JSON with a stable layout and writes the fixture tree.

Numbers: floats with repr() (shortest text that round-trips to the same double), integers as
integers, non-finite values as the strings "NaN", "Infinity", "-Infinity". Objects keep their
insertion order (the order the contract lists the keys in); arrays of scalars stay on one line.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from tolerance import error_tolerance

FORMAT = "focal-loss-fixture/1"
# The rules' version (docs/fixture-format.md); 1.1 kept the format string of 1.0.
FORMAT_VERSION = "1.1"


def tensor_json(t: Any) -> dict[str, Any]:
    """A model.Tensor as the fixture's JSON tensor."""
    return {"dtype": t.dtype, "shape": list(t.shape), "data": list(t.data)}


def inputs_json(case: Any) -> dict[str, Any]:
    """A model.Case's inputs (input, target, optional weight) as the fixture's `inputs`."""
    inputs = {"input": tensor_json(case.input), "target": tensor_json(case.target)}
    if case.weight is not None:
        inputs["weight"] = tensor_json(case.weight)
    return inputs


def error_fixture(case: Any) -> dict[str, Any]:
    """The fixture of a call that must fail with `case.error` (every generator module uses this one)."""
    return {
        "format": FORMAT,
        "name": case.name,
        "op": case.op,
        "reference": f"contract rule: {case.rule} ({case.error})",
        "options": case.options,
        "inputs": inputs_json(case),
        "expected": {"error": case.error},
        **({"tolerance": error_tolerance()} if case.error_tolerance else {}),
    }


def number_text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return '"NaN"'
        if math.isinf(value):
            return '"Infinity"' if value > 0 else '"-Infinity"'
        return repr(value)
    raise TypeError(f"cannot write {value!r} ({type(value).__name__})")


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def to_json(value: Any, indent: int = 0) -> str:
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, (list, tuple)):
        if all(is_scalar(v) for v in value):
            return "[" + ", ".join(number_text(v) for v in value) + "]"
        items = [pad + to_json(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return number_text(value)


def fixture_path(root: Path, name: str) -> Path:
    parts = name.split("/")
    if len(parts) < 2 or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"fixture name {name!r} must be group/leaf")
    return root.joinpath(*parts[:-1], parts[-1] + ".json")


def write_tree(root: Path, fixtures: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Writes every fixture (only when its text changed) and deletes stale *.json under root.

    Returns (written, unchanged, deleted).
    """
    wanted: dict[Path, str] = {}
    for fixture in fixtures:
        path = fixture_path(root, fixture["name"])
        if path in wanted:
            raise ValueError(f"two fixtures map to {path}")
        wanted[path] = to_json(fixture) + "\n"
    written = unchanged = deleted = 0
    for path, text in sorted(wanted.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            unchanged += 1
            continue
        path.write_text(text, encoding="utf-8")
        written += 1
    root_resolved = root.resolve()
    for path in sorted(root.rglob("*.json")):
        if path not in wanted and path.resolve().is_relative_to(root_resolved):
            print(f"  deleting stale {path.relative_to(root)}", file=sys.stderr)
            path.unlink()
            deleted += 1
    for directory in sorted((d for d in root.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts)):
        if not any(directory.iterdir()):
            directory.rmdir()
    return written, unchanged, deleted
