#!/usr/bin/python3
"""Compares the statistics in two remc result files.

--exact: every dataset and every attribute (bar the provenance ones at the
root) must be bit-identical (same seed, any thread count or block size: the
reproducibility guarantee).
--tolerance TV: for the CUDA backend against the CPU backend. Both simulate the
same paths from the same random numbers with the same arithmetic (remc's own
exp/log/sin/cos polynomials, IEEE division and square root, no fused
multiply-add), so they are expected to agree bit for bit; scripts/gpu-check
tries --exact first. This looser check is the fallback that bounds the damage
if a compiler still rounds one operation differently: a path that rounds
differently can, through a regime or threshold comparison, take another
course. For every histogram (one per metric, material and month) the
total-variation distance 0.5 * sum |p_a - p_b| must be at most TV; counts of
paths must be equal.
--ignore GROUP (repeatable) leaves out the datasets under a group, e.g.
--ignore targets to compare a run stopped by precision targets with a plain
run of the same path count.
Exit 0 when the files agree, 1 otherwise, 2 on bad usage.
"""
import argparse
import sys

import h5py
import numpy as np

PROVENANCE = {"created_utc", "wall_seconds", "threads", "block_paths", "backend", "device"}


def short(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def ignored(name, ignore):
    return any(name == g or name.startswith(g + "/") for g in ignore)


def objects(f, ignore=()):
    """Every group and dataset below the root, by path, less the ignored groups."""
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj))
    return {k: v for k, v in out.items() if not ignored(k, ignore)}


def attribute_mismatches(where, a, b, leave_out=()):
    """Attributes present in either object whose values differ (or that one lacks)."""
    failures = []
    for key in sorted((set(a.attrs) | set(b.attrs)) - set(leave_out)):
        if key not in a.attrs or key not in b.attrs:
            failures.append(f"{where} attribute {key}: only in {'first' if key in a.attrs else 'second'} file")
            continue
        va, vb = a.attrs[key], b.attrs[key]
        if not np.array_equal(np.asarray(va), np.asarray(vb)):
            failures.append(f"{where} attribute {key}: {short(va)} != {short(vb)}")
    return failures


def difference_summary(a, b):
    """How two same-shaped numeric arrays differ: count, first index, largest gap."""
    if a.dtype.kind not in "iuf" or b.dtype.kind not in "iuf":
        return ""
    x, y = a.astype(np.float64), b.astype(np.float64)
    differ = ~((x == y) | (np.isnan(x) & np.isnan(y)))
    first = tuple(int(i) for i in np.argwhere(differ)[0])
    gap = np.abs(x - y)[differ & ~np.isnan(x) & ~np.isnan(y)]
    largest = f", largest difference {gap.max():.3g}" if gap.size else ""
    return f" in {int(differ.sum())} of {differ.size} elements (first at {first}: {x[first]!r} vs {y[first]!r}{largest})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--exact", action="store_true")
    mode.add_argument("--tolerance", type=float, metavar="TV")
    ap.add_argument("--ignore", action="append", default=[], metavar="GROUP", help="leave out this group")
    args = ap.parse_args()
    ignore = [g.strip("/") for g in args.ignore]

    failures = []
    worst = (0.0, "")
    with h5py.File(args.a, "r") as fa, h5py.File(args.b, "r") as fb:
        failures += attribute_mismatches("root", fa, fb, PROVENANCE)
        oa, ob = objects(fa, ignore), objects(fb, ignore)
        for name in sorted(set(oa) & set(ob)):
            failures += attribute_mismatches(name, oa[name], ob[name], ("DIMENSION_LIST", "REFERENCE_LIST"))
        da = {k: v for k, v in oa.items() if isinstance(v, h5py.Dataset)}
        db = {k: v for k, v in ob.items() if isinstance(v, h5py.Dataset)}
        if set(da) != set(db):
            failures.append(f"dataset sets differ: {sorted(set(da) ^ set(db))[:10]}")
        for name in sorted(set(da) & set(db)):
            a, b = da[name][()], db[name][()]
            if a.shape != b.shape:
                failures.append(f"{name}: shape {a.shape} != {b.shape}")
                continue
            if args.exact or a.dtype.kind in "SOU":
                same = np.array_equal(a, b) if a.dtype.kind in "SOUiu" else np.array_equal(a, b, equal_nan=True)
                if not same:
                    failures.append(f"{name}: differs" + difference_summary(a, b))
            elif name.endswith("/hist"):
                na, nb = a.sum(axis=-1, keepdims=True), b.sum(axis=-1, keepdims=True)
                if not np.array_equal(na, nb):
                    failures.append(f"{name}: path counts differ")
                    continue
                tv = 0.5 * np.abs(a / np.maximum(na, 1) - b / np.maximum(nb, 1)).sum(axis=-1)
                if tv.max() > worst[0]:
                    worst = (float(tv.max()), name)
                if tv.max() > args.tolerance:
                    failures.append(f"{name}: total-variation distance {tv.max():.3g} > {args.tolerance}")
    if args.tolerance is not None:
        print(f"largest histogram total-variation distance: {worst[0]:.3g} ({worst[1]})")
    for f in failures[:500]:
        print("MISMATCH", f)
    print("results agree" if not failures else f"{len(failures)} mismatches")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
