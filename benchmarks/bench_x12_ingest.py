"""Benchmark: parse and convert a large synthetic 835 (pure code, no file I/O).

Builds one interchange with ``--claims`` claims of three therapy lines each (split into ST sets of
``--per-set`` claims), then times ``read_835`` and ``convert_remittances``. Prints seconds and
claims per second; no assertion. Usage:

    .venv/bin/python benchmarks/bench_x12_ingest.py [--claims 20000] [--per-set 500]
"""

from __future__ import annotations

import argparse
import time

from cbclassify.x12 import convert_remittances, read_835

LINES = (
    ("97110:GP", "200", "120", "4"),
    ("97140:GP", "100", "50", "2"),
    ("92507:GN", "150", "90", "1"),
)


def _claim(n: int) -> list[str]:
    segs = [f"CLP*C{n:07d}*1*450*260*0*CI*ICN{n}", f"NM1*QC*1*X*Y****MI*M{n % 5000:06d}"]
    for code, charge, paid, units in LINES:
        adj = int(charge) - int(paid)
        segs += [
            f"SVC*HC:{code}*{charge}*{paid}**{units}",
            "DTM*472*20240301",
            f"CAS*CO*45*{adj}",
            f"AMT*B6*{paid}",
        ]
    return segs


def build(claims: int, per_set: int) -> str:
    """The 835 text."""
    isa = (
        "ISA*00*          *00*          *ZZ*BENCHPAYER     *ZZ*BENCHPRACTICE  *240315*1200*^*"
        "00501*000000001*0*P*:"
    )
    out = [isa, "GS*HP*A*B*20240315*1200*1*X*005010X221A1"]
    sets = 0
    for start in range(0, claims, per_set):
        sets += 1
        count = min(per_set, claims - start)
        body = [
            f"BPR*I*{260 * count}*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240315",
            f"TRN*1*T{sets:06d}*1999999999",
            "N1*PR*BENCH PLAN*XV*BP1",
            "N1*PE*CLINIC*XX*1",
            "N4*PITTSBURGH*PA*15213",
            "LX*1",
        ]
        for n in range(start, start + count):
            body += _claim(n)
        st = [f"ST*835*{sets:04d}", *body]
        out += [*st, f"SE*{len(st) + 1}*{sets:04d}"]
    out += [f"GE*{sets}*1", "IEA*1*000000001"]
    return "~\n".join(out) + "~\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--per-set", type=int, default=500)
    args = parser.parse_args()
    text = build(args.claims, args.per_set)
    t0 = time.perf_counter()
    parsed = read_835(text, "bench.835")
    t1 = time.perf_counter()
    result = convert_remittances(parsed.remittances)
    t2 = time.perf_counter()
    rows = len(result.ledger.transactions)
    print(
        f"835 size: {len(text) / 1e6:.1f} MB, {args.claims} claims, "
        f"{len(parsed.remittances)} ST sets, {rows} transaction rows"
    )
    print(f"parse:   {t1 - t0:6.2f} s  ({args.claims / (t1 - t0):,.0f} claims/s)")
    print(f"convert: {t2 - t1:6.2f} s  ({args.claims / (t2 - t1):,.0f} claims/s)")
    print(f"total:   {t2 - t0:6.2f} s")
    assert not [f for f in parsed.findings + result.findings if f.severity == "error"]


if __name__ == "__main__":
    main()
