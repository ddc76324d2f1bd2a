"""Generates the committed conformance fixtures (apps/conformance/fixtures/<group>/<leaf>.json).

Run from apps/conformance (what `pnpm fixtures:generate` does):
    /usr/bin/python3 generator/generate.py [--only PREFIX]

Every outputs case is computed twice, by mpmath (50 digits, the value written) and by torch in
float64 (torchvision where it applies), and the two must agree to 1e-9 relative element by element;
on any disagreement nothing is written and the exit status is 1. The output is deterministic:
rerunning writes byte-identical files. Fixture files the cases no longer produce are deleted.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Optional  # noqa: E402

import cases as case_list  # noqa: E402
import crosscheck  # noqa: E402
import reference_mpmath  # noqa: E402
import reference_torch  # noqa: E402
from model import SOFTMAX, Case, Tensor, softmax_layout  # noqa: E402
from tolerance import TAIL_GROUP, output_tolerance  # noqa: E402
from write import FORMAT, FORMAT_VERSION, error_fixture, fixture_path, inputs_json, to_json, write_tree  # noqa: E402

REPO = Path(__file__).resolve().parent.parent.parent.parent
# The fixtures live in the published package @focal-loss/fixtures; apps/conformance reads them there.
PACKAGE = REPO / "packages" / "fixtures"
FIXTURES = PACKAGE / "fixtures"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)








def torch_skip_reason(case: Case) -> Optional[str]:
    """Why torch is not asked for this case (its autograd has no limits and no empty sums), or None."""
    values = list(case.input.data) + (list(case.weight.data) if case.weight is not None else [])
    if any(isinstance(v, float) and math.isinf(v) for v in case.input.data):
        return "infinite logits: torch's autograd gives NaN where the contract takes the limit"
    if any(isinstance(v, float) and math.isinf(v) for v in values):
        return "infinite weights: IEEE products, compared by mpmath alone"
    if case.op == SOFTMAX and case.input.shape:
        lay = softmax_layout(case.input.shape, case.resolved()["axis"])
        if lay.classes == 0:
            return "zero classes: every position's loss is an empty sum"
    return None


def outputs_fixture(case: Case) -> dict[str, Any]:
    mp_result = reference_mpmath.evaluate(case)
    numerically_checked = reference_mpmath.check_against_numerical_derivative(case, mp_result)
    limits_checked = reference_mpmath.check_limits(case, mp_result)
    loss = [reference_mpmath.to_double(v) for v in mp_result.loss]
    grad = [reference_mpmath.to_double(v) for v in mp_result.grad]
    skip = torch_skip_reason(case)
    if skip is None:
        phrases = crosscheck.cross_check(case.name, loss, grad, reference_torch.evaluate(case))
    else:
        phrases = [f"torch not compared ({skip})"]
    mp_text = f"mpmath {reference_mpmath.version()} ({reference_mpmath.DIGITS} digits, analytic gradient"
    if limits_checked:
        mp_text += f", limits at infinite logits checked against the formula at |x| = {reference_mpmath.LIMIT_PROBE:g}"
    mp_text += ", checked against mp.diff)" if numerically_checked else ")"
    return {
        "format": FORMAT,
        "name": case.name,
        "op": case.op,
        "reference": "; ".join([mp_text, *phrases]),
        "options": case.options,
        "inputs": inputs_json(case),
        "expected": {
            "loss": {"shape": list(mp_result.loss_shape), "data": loss},
            "gradInput": {"shape": list(case.input.shape), "data": grad},
        },
        "tolerance": {
            "loss": output_tolerance(case.group, loss),
            "gradInput": output_tolerance(case.group, grad),
        },
    }


FAMILY_MODULE = Path(__file__).resolve().parent / "cases_family.py"


def plain_build(case: Case) -> dict[str, Any]:
    return error_fixture(case) if case.error else outputs_fixture(case)


def tolerance_tier(fixture: dict[str, Any]) -> str:
    """The tolerance policy a fixture follows (tolerance.py): "standard", "tail", or "none" (errors)."""
    if "error" in fixture["expected"]:
        return "none"
    return "tail" if fixture["name"].split("/", 1)[0] == TAIL_GROUP else "standard"


def write_manifest(path: Path, fixtures: list[dict[str, Any]]) -> None:
    """The package's index of every fixture: what a user filters on without opening the files."""
    entries = []
    for f in sorted(fixtures, key=lambda f: f["name"]):
        entry = {
            "name": f["name"],
            "file": fixture_path(Path("fixtures"), f["name"]).as_posix(),
            "group": f["name"].split("/", 1)[0],
            "op": f["op"],
            "options": f["options"],
            "expects": f"error {f['expected']['error']}" if "error" in f["expected"] else "outputs",
            "toleranceTier": tolerance_tier(f),
            "reference": f["reference"],
        }
        entries.append(entry)
    manifest = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "count": len(entries), "fixtures": entries}
    text = to_json(manifest) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        log(f"manifest written: {path} ({len(entries)} fixtures)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="compute only cases whose name starts with this; writes nothing")
    args = parser.parse_args()

    cases = case_list.all_cases()
    build = plain_build
    if FAMILY_MODULE.exists():
        # The focal-loss family (issue 15) lives in its own module, with its own ops and references.
        import cases_family  # noqa: E402

        cases = cases + cases_family.all_cases()

        def build(case: Case) -> dict[str, Any]:
            return cases_family.build(case, error_fixture, outputs_fixture)
    cases, build = __import__("cases_presets").register(cases, build)  # presets/ (issue 14, cases_presets.py)
    cases, build = __import__("cases_poly").register(cases, build, error_fixture, torch_skip_reason)  # poly/ (issue 15, cases_poly.py)
    if args.only:
        cases = [c for c in cases if c.name.startswith(args.only)]
    torch_version, torchvision_version = reference_torch.versions()
    log(f"generating {len(cases)} fixtures with mpmath {reference_mpmath.version()}, torch {torch_version}, "
        f"torchvision {torchvision_version}")
    fixtures = []
    started = time.monotonic()
    for k, case in enumerate(cases, 1):
        t0 = time.monotonic()
        try:
            fixture = build(case)
        except (crosscheck.Disagreement, AssertionError) as problem:
            log(f"REFUSING TO WRITE: {problem}")
            return 1
        fixtures.append(fixture)
        log(f"  [{k:3d}/{len(cases)}] {case.name} ({time.monotonic() - t0:.2f} s)")
    if args.only:
        log(f"checked {len(fixtures)} fixtures (--only: nothing written)")
        return 0
    written, unchanged, deleted = write_tree(FIXTURES, fixtures)
    write_manifest(PACKAGE / "manifest.json", fixtures)
    log(f"{len(fixtures)} fixtures in {FIXTURES}: {written} written, {unchanged} unchanged, {deleted} stale "
        f"deleted ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
