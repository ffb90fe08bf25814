"""A synthetic national ESR extract, for `bench/run.py` and for trying `split` and `indicators --extract`.

    .venv/bin/python bench/make_extract.py OUT_DIR [--staff 1500000] [--orgs 220] [--seed 1] [--year 2024]

Writes OUT_DIR/organisations.csv and OUT_DIR/<year>/{staff,recruitment,disciplinary,training,board,
staff_survey}.csv: organisations of varied size (log-normal), about 1 shortlisted application per 2 staff,
disciplinary cases for 1% of staff, training for 40%, 10 to 15 board members per organisation and the staff
survey's 8 rows per organisation. Every column is drawn with numpy at once, and every record is synthetic.
Never commit the output: it is data, written only to OUT_DIR.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import numpy as np

ETHNICITIES = np.array(
    [
        "A White - British",
        "B White - Irish",
        "C3 White - Any other White background",
        "H Asian or Asian British - Indian",
        "J Asian or Asian British - Pakistani",
        "LK Asian - Sri Lankan",
        "N Black or Black British - African",
        "M Black or Black British - Caribbean",
        "D Mixed - White & Black Caribbean",
        "R Chinese",
        "S Any Other Ethnic Group",
        "Z Not Stated",
        "",
    ]
)
ETHNICITY_WEIGHTS = np.array([62, 2, 6, 6, 2, 1, 5, 2, 1, 1, 2, 6, 4], dtype=float)
BME = np.array([e[:1] in "HJLNMDRS" and e != "" for e in ETHNICITIES])
STAFF_GROUPS = np.array(
    [
        "Nursing and Midwifery Registered",
        "Add Prof Scientific and Technic",
        "Administrative and Clerical",
        "Medical and Dental",
        "Estates and Ancillary",
        "Healthcare Scientists",
        "Additional Clinical Services",
        "Allied Health Professionals",
        "Students",
    ]
)
GROUP_WEIGHTS = np.array([26, 6, 25, 10, 6, 2, 17, 7, 1], dtype=float)
AFC_BANDS = np.array(["Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Band 8a", "Band 8b", "8C", "8D"])
AFC_WEIGHTS = np.array([12, 15, 12, 20, 17, 12, 6, 3, 1.5, 0.5])
MEDICAL = np.array(["Consultant", "Non-consultant career grade", "Trainee grade", "Other medical and dental"])
MEDICAL_WEIGHTS = np.array([45, 10, 40, 5], dtype=float)


def _pick(rng, values, weights, n):
    return values[rng.choice(len(values), size=n, p=weights / weights.sum())]


def _ids(prefix: str, org_index: np.ndarray) -> np.ndarray:
    """Ids numbered within each organisation (rows are grouped by organisation): S0000001, S0000002, ..."""
    starts = np.r_[0, np.flatnonzero(np.diff(org_index)) + 1]
    counts = np.diff(np.r_[starts, len(org_index)])
    numbers = np.arange(len(org_index)) - np.repeat(starts, counts) + 1
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), 7))


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    table = pa.table({k: pa.array(v.astype(str) if v.dtype.kind != "U" else v) for k, v in columns.items()})
    # Unquoted, as ESR writes its CSV exports (no value here holds a comma or a quote).
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def make(out: Path, staff: int = 1_500_000, orgs: int = 220, seed: int = 1, year: int = 2024) -> None:
    rng = np.random.default_rng(seed)
    folder = out / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    codes = np.array([f"R{i:03d}" for i in range(1, orgs + 1)])
    size = rng.lognormal(0, 0.8, orgs)
    size = np.maximum(40, np.round(size / size.sum() * staff)).astype(int)
    size[np.argmax(size)] += staff - size.sum()
    types = np.where(rng.random(orgs) < 0.85, "trust", "ICB")
    _write(
        out / "organisations.csv",
        {
            "org_code": codes,
            "name": np.char.add("Synthetic NHS organisation ", codes),
            "type": types,
            "term_for_bme": np.where(rng.random(orgs) < 0.5, "BME", "ethnically diverse"),
            "board_name": np.where(types == "trust", "Trust Board", "Integrated Care Board"),
        },
    )

    # staff: ethnicity, staff group, then a band that suits the group
    org = np.repeat(np.arange(orgs), size)
    n = len(org)
    ethnicity = _pick(rng, ETHNICITIES, ETHNICITY_WEIGHTS, n)
    group = _pick(rng, STAFF_GROUPS, GROUP_WEIGHTS, n)
    band = _pick(rng, AFC_BANDS, AFC_WEIGHTS, n)
    medical = group == "Medical and Dental"
    band = np.where(medical, _pick(rng, MEDICAL, MEDICAL_WEIGHTS, n), band)  # np.where widens the strings
    band[rng.random(n) < 0.002] = "VSM"
    staff_ids = _ids("S", org)
    _write(
        folder / "staff.csv",
        {"org_code": codes[org], "staff_id": staff_ids, "ethnic_category": ethnicity, "pay_band": band,
         "staff_group": group},
    )  # fmt: skip

    # recruitment: about one shortlisted application per 2 staff; BME applicants appointed less often
    applications = np.sort(rng.choice(orgs, size=staff // 2, p=size / size.sum()))
    applicant = _pick(rng, ETHNICITIES, ETHNICITY_WEIGHTS, len(applications))
    chance = np.where(np.isin(applicant, ETHNICITIES[BME]), 0.13, 0.2)
    _write(
        folder / "recruitment.csv",
        {"org_code": codes[applications], "application_id": _ids("A", applications), "ethnic_category": applicant,
         "appointed": np.where(rng.random(len(applications)) < chance, "Y", "N")},
    )  # fmt: skip

    # disciplinary: 1% of staff, on a day of the reporting period
    cases = np.sort(rng.choice(n, size=n // 100, replace=False))
    start = np.datetime64(date(year - 1, 4, 1))
    days = (np.datetime64(date(year, 3, 31)) - start).astype(int) + 1
    _write(
        folder / "disciplinary.csv",
        {"org_code": codes[org[cases]], "case_id": _ids("D", org[cases]), "ethnic_category": ethnicity[cases],
         "date_entered": (start + rng.integers(0, days, len(cases))).astype(str)},
    )  # fmt: skip

    # training: 40% of staff (White staff a little more often)
    white = np.isin(ethnicity, ETHNICITIES[:3])
    trained = rng.random(n) < np.where(white, 0.42, 0.36)
    _write(folder / "training.csv", {"org_code": codes[org[trained]], "staff_id": staff_ids[trained]})

    # board: 10 to 15 members per organisation
    members = rng.integers(10, 16, orgs)
    board_org = np.repeat(np.arange(orgs), members)
    board_weights = np.array([80, 2, 5, 4, 1, 1, 3, 2, 1, 0.5, 0.5])  # boards are whiter than their workforce
    _write(
        folder / "board.csv",
        {"org_code": codes[board_org], "member_id": _ids("B", board_org),
         "ethnic_category": _pick(rng, ETHNICITIES[:-2], board_weights, len(board_org)),
         "voting": np.where(rng.random(len(board_org)) < 0.7, "Y", "N"),
         "executive": np.where(rng.random(len(board_org)) < 0.5, "Y", "N")},
    )  # fmt: skip

    # staff survey: indicators 5-8 for White and BME staff, the survey of the year before
    survey_org = np.repeat(np.arange(orgs), 8)
    respondents = np.maximum(0, (size[survey_org] * np.tile([0.4, 0.12], 4 * orgs) * rng.uniform(0.7, 1.3, 8 * orgs)))
    _write(
        folder / "staff_survey.csv",
        {"org_code": codes[survey_org], "survey_year": np.full(8 * orgs, year - 1),
         "indicator": np.tile(np.repeat([5, 6, 7, 8], 2), orgs), "group": np.tile(["white", "bme"], 4 * orgs),
         "respondents": respondents.astype(int), "percent": np.round(rng.uniform(5, 60, 8 * orgs), 1)},
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--staff", type=int, default=1_500_000)
    parser.add_argument("--orgs", type=int, default=220)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    started = time.perf_counter()
    make(args.out, args.staff, args.orgs, args.seed, args.year)
    print(f"wrote a national extract of {args.staff:,} staff in {args.orgs} organisations to {args.out} "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
