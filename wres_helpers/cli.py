"""Command line: python -m wres_helpers indicators ORG YEAR [--workspace DIR] [--out FILE.csv]; indicators --extract
DIR YEAR; split DIR YEAR --workspace WS; trends ORG [...]; targets ORG YEAR"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import WresError


def _indicators(args) -> int:
    if args.extract:
        return _extract_indicators(args)
    if not (args.org and args.year):
        raise WresError("indicators needs ORG and YEAR (or --extract DIR YEAR).")
    from .engine import indicator_table

    if args.published:
        from .report_data import load_report

        table = load_report(args.org, args.year, args.workspace).table
    else:
        table = indicator_table(args.org, args.year, args.workspace)
    from .engine import missing_input_notes

    for note in missing_input_notes(args.org, args.year, args.workspace):
        print(f"note: {note}", file=sys.stderr)
    _write_table(table, args.out)
    return 0


def _extract_indicators(args) -> int:
    """Every organisation of a national extract, in one process: each file is read once."""
    from .extract import indicator_tables

    if args.org and args.year:
        raise WresError("with --extract DIR give only the YEAR, not an organisation: every organisation is computed.")
    if args.published or args.workspace:
        raise WresError(
            "--extract computes the true figures of every organisation: --published and --workspace "
            "belong to one organisation's workspace (use `split` to make one)."
        )
    year = args.year or args.org
    if not year:
        raise WresError("indicators --extract DIR needs the YEAR, e.g. indicators --extract DIR 2024.")
    _write_table(indicator_tables(args.extract, year), args.out)
    return 0


def _split(args) -> int:
    from .extract import split

    split(args.extract, args.year, args.workspace)
    return 0


def _write_table(table, out: str | None) -> None:
    if out:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False, lineterminator="\n")
        print(f"wrote {len(table)} rows to {out}", file=sys.stderr)
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")


def _trends(args) -> int:
    from .engine import missing_input_notes
    from .trends import stacked
    from .workspace import Workspace

    ws = Workspace(args.workspace)
    table = stacked(args.org, ws, args.published)
    for year in ws.years(args.org):
        for note in missing_input_notes(args.org, year, ws):
            print(f"note: {note}", file=sys.stderr)
    _write_table(table, args.out)
    return 0


def _values(args) -> int:
    from .report_data import load_report
    from .values import report_values

    for key, value in report_values(load_report(args.org, args.year, args.workspace)).items():
        shown = value.text if value.usable else f"[{value.status}] {value.reason}".rstrip()
        print(f"{key}\t{shown}")
    return 0


def _targets(args) -> int:
    from .report_data import load_report

    report = load_report(args.org, args.year, args.workspace)
    if report.targets is None:
        raise WresError(
            f"{args.org} sets no representation goal: add `representation_target: {{year: 2028}}` to "
            f"{report.ws.display(report.ws.root / 'params' / args.org / 'org.yaml')}."
        )
    _write_table(report.targets, args.out)
    return 0


def _narrative(args) -> int:
    from .narrative import write_starters
    from .report_data import load_report

    report = load_report(args.org, args.year, args.workspace)
    written = write_starters(report, overwrite=args.overwrite)
    for path in written:
        print(f"wrote {report.ws.display(path)}", file=sys.stderr)
    if not written:
        print("every narrative file exists already: nothing written (--overwrite replaces them)", file=sys.stderr)
    return 0


def _org_year(sub) -> None:
    sub.add_argument("org", help="organisation folder name under params/, e.g. leeds")
    sub.add_argument("year", help="report year (snapshot 31 March of that year), e.g. 2021")
    sub.add_argument("--workspace", help="folder holding params/ (default: $WRES_WORKSPACE or this repository)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m wres_helpers", description="WRES report engine")
    sub = p.add_subparsers(dest="command", required=True)
    ind = sub.add_parser("indicators", help="compute the nine WRES indicators as one tidy CSV table")
    ind.add_argument("org", nargs="?", help="organisation folder name under params/, e.g. leeds")
    ind.add_argument("year", nargs="?", help="report year (snapshot 31 March of that year), e.g. 2021")
    ind.add_argument("--workspace", help="folder holding params/ (default: $WRES_WORKSPACE or this repository)")
    ind.add_argument(
        "--extract",
        metavar="DIR",
        help="a national ESR extract (organisations.csv, YEAR/*.csv with org_code): every organisation's table "
        "in one CSV, org_code first (then give only YEAR)",
    )
    ind.add_argument("--out", help="write the CSV here instead of standard output")
    ind.add_argument(
        "--published",
        action="store_true",
        help="the table as the site publishes it: small numbers withheld (see the methodology page); "
        "without it, the true figures that NHS England's data collection takes",
    )
    ind.set_defaults(run=_indicators)

    spl = sub.add_parser(
        "split",
        help="write a national ESR extract's organisations as a workspace (params/<org_code>/YEAR/...), "
        "one pass over each file",
    )
    spl.add_argument("extract", metavar="DIR", help="the extract: organisations.csv and YEAR/*.csv with org_code")
    spl.add_argument("year", help="report year, e.g. 2024")
    spl.add_argument("--workspace", required=True, help="folder to write params/ into")
    spl.set_defaults(run=_split)

    tre = sub.add_parser(
        "trends",
        help="the indicator table of every report year of an organisation, stacked, with a leading year column",
    )
    tre.add_argument("org", help="organisation folder name under params/, e.g. mlcsu")
    tre.add_argument("--workspace", help="folder holding params/ (default: $WRES_WORKSPACE or this repository)")
    tre.add_argument("--out", help="write the CSV here instead of standard output")
    tre.add_argument(
        "--published",
        action="store_true",
        help="each year's table as its report publishes it (small numbers withheld); without it, the true figures",
    )
    tre.set_defaults(run=_trends)

    val = sub.add_parser("values", help="list the narrative keys and their formatted values (key<TAB>value)")
    _org_year(val)
    val.set_defaults(run=_values)
    tar = sub.add_parser(
        "targets",
        help="the representation goals (org.yaml representation_target): BME appointments a year that would "
        "bring band 8a and above, VSM and the board level with the workforce's share, as the report prints them",
    )
    _org_year(tar)
    tar.add_argument("--out", help="write the CSV here instead of standard output")
    tar.set_defaults(run=_targets)
    nar = sub.add_parser(
        "narrative",
        help="write starter narrative files (the generated sentences, with "
        "{{ key }} placeholders) into params/ORG/YEAR/narrative/",
    )
    _org_year(nar)
    nar.add_argument("--overwrite", action="store_true", help="replace narrative files that exist already")
    nar.set_defaults(run=_narrative)

    from .build import add_report_arguments

    rep = sub.add_parser("report", help="build the report site (HTML) for one organisation and year")
    add_report_arguments(rep)
    from .build import run_pdf

    board = sub.add_parser(
        "pdf", help="build the report and its board paper, one PDF of the whole site (needs Chromium)"
    )
    add_report_arguments(board)
    board.set_defaults(run=run_pdf)
    from .batch import add_arguments as add_batch_arguments

    many = sub.add_parser(
        "reports",
        help="build every organisation's report for a year (or --orgs), in parallel or on a Dask cluster, "
        "and the workspace's landing page",
    )
    add_batch_arguments(many)
    return p


INTERNAL_ERROR = 3


def main(argv: list[str] | None = None) -> int:
    from .lean_imports import skip_unused

    skip_unused()
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except WresError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except (Exception, RecursionError) as exc:  # a bug: say so in one line, keep the details for a report
        if os.environ.get("WRES_DEBUG"):
            raise
        return _internal_error(exc)


def _internal_error(exc: BaseException) -> int:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="wres-error-", suffix=".txt", delete=False) as f:
        f.write("".join(traceback.format_exception(exc)))
    print(
        f"error: an internal error stopped the run ({type(exc).__name__}: {str(exc)[:200]}). This is a bug in "
        f"wres_helpers, not in your files: please report it with the command you ran and the details in "
        f"{f.name} (or run again with WRES_DEBUG=1).",
        file=sys.stderr,
    )
    return INTERNAL_ERROR
