"""Command line: python -m wres_helpers indicators ORG YEAR [--workspace DIR] [--out FILE.csv]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import WresError


def _indicators(args) -> int:
    from .engine import indicator_table

    table = indicator_table(args.org, args.year, args.workspace)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False, lineterminator="\n")
        print(f"wrote {len(table)} rows to {out}", file=sys.stderr)
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m wres_helpers", description="WRES report engine")
    sub = p.add_subparsers(dest="command", required=True)
    ind = sub.add_parser("indicators", help="compute the nine WRES indicators as one tidy CSV table")
    ind.add_argument("org", help="organisation folder name under params/, e.g. leeds")
    ind.add_argument("year", help="report year (snapshot 31 March of that year), e.g. 2021")
    ind.add_argument("--workspace", help="folder holding params/ (default: $WRES_WORKSPACE or this repository)")
    ind.add_argument("--out", help="write the CSV here instead of standard output")
    ind.set_defaults(run=_indicators)

    from .build import add_report_arguments
    rep = sub.add_parser("report", help="build the report site (HTML) for one organisation and year")
    add_report_arguments(rep)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except WresError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
