"""Charts for the report pages: one colour-blind-safe palette, a title that says what to see, and alt text.

Each function returns an HTML <figure> with the PNG embedded, so the site needs no image files and every
chart carries alt text and a caption written from the same figures as the page.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import judgements as j  # noqa: E402
from . import present  # noqa: E402
from .disclosure import pay_band_view  # noqa: E402
from .indicators import NON_ADVERSE_RANGE  # noqa: E402
from .report_data import ReportData  # noqa: E402

# Okabe-Ito colours: distinguishable with the common forms of colour blindness.
PALETTE = {"white": "#0072B2", "bme": "#E69F00", "unknown": "#999999", "line": "#333333", "band": "#009E73"}

plt.rcParams.update(
    {
        "font.size": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
        "svg.hashsalt": "wres",
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.labelsize": 12,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "legend.fontsize": 11,
    }
)


# Figure width in inches: at 100 dpi a chart is at most about 640 px wide, so that on a 390 px phone (where
# the site's CSS keeps it 520 px wide, scrolling sideways) its 10-point labels are still about 11 px high.
WIDTH = 6.4


def _fit_titles(fig) -> None:
    """Wrap titles to the figure's width: a title longer than the figure would widen the saved image (and
    shrink everything else on a narrow screen)."""

    def wrap(text: str, size: float, inches: float) -> str:
        chars = max(20, int(inches * 72 / (0.62 * size)))  # a bold character is about 0.6 em wide
        return "\n".join(textwrap.wrap(text.replace("\n", " "), chars)) if len(text) > chars else text

    fig.tight_layout()  # places the axes, so their room is known
    width = fig.get_figwidth()
    for ax in fig.axes:
        box = ax.get_position()
        room = {"left": (1 - box.x0) * width, "center": box.width * width, "right": box.x1 * width}
        # The title's own Text, changed in place: set_title would put back the default pad (and overlap what
        # a chart draws above its axes, such as the whole-workforce label).
        for loc, attribute in (("left", "_left_title"), ("center", "title"), ("right", "_right_title")):
            title = getattr(ax, attribute)
            if title.get_text():
                title.set_text(wrap(title.get_text(), title.get_fontsize(), room[loc]))
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        suptitle.set_text(wrap(suptitle.get_text(), suptitle.get_fontsize(), width * 0.98))
    fig.tight_layout()


PIXEL_DENSITY = 2


def figure_html(fig, alt: str, caption: str) -> str:
    _fit_titles(fig)
    buffer = io.BytesIO()
    # Drawn at twice the size it is shown (width below), so that it stays sharp in print and on fine screens.
    fig.savefig(buffer, format="png", dpi=100 * PIXEL_DENSITY, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    png = buffer.getvalue()
    shown_width = int.from_bytes(png[16:20], "big") // PIXEL_DENSITY  # the PNG header's width
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure class="wres-chart"><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        f'width="{shown_width}" style="max-width:100%;height:auto"><figcaption>{html.escape(caption)}</figcaption>'
        "</figure>"
    )


def band_representation(r: ReportData) -> str | None:
    """BME share of each pay band (clinical and non-clinical side by side) against the whole workforce."""
    overall = r.row(1, "share_pct", "all", "bme")
    if not present.ok(overall):
        return None
    kinds = [k for k in ("non-clinical", "clinical") if present.ok(r.row(1, "headcount", k, "total"))]
    panels, view_note = pay_band_view(r.table, kinds, bool(r.org.members))
    if not panels:
        return None
    longest = max(len(rows) for _, rows in panels)
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, (0.34 * longest + 1.3) * len(panels) + 0.5), squeeze=False)
    alt_parts = []
    for ax, (panel, rows) in zip(axes[:, 0], panels):
        values, labels = [], []
        bands = [label for label, _ in rows]
        for _, breakdown in rows:
            row = r.row(1, "share_pct", breakdown, "bme")
            values.append(row["value"] if present.ok(row) else 0)
            labels.append(
                present.count_of(row)
                if present.ok(row)
                else "none"
                if row is None or row["status"] == "not_computable"
                else present.state_text(row).lower()
            )
        y = range(len(bands))
        ax.barh(list(y), values, color=PALETTE["bme"], height=0.65)
        for yi, v, lab in zip(y, values, labels):
            ax.text(v + 0.8, yi, lab, va="center", fontsize=10, color=PALETTE["line"])
        ax.axvline(overall["value"], color=PALETTE["line"], linestyle="--", linewidth=1)
        ax.text(
            overall["value"],
            1.0,
            f" whole workforce {present.pct(overall['value'])}",
            fontsize=10,
            color=PALETTE["line"],
            va="bottom",
            transform=ax.get_xaxis_transform(),
        )
        ax.set_yticks(list(y), bands)
        ax.invert_yaxis()
        ax.set_xlim(0, max(100 if max(values, default=0) > 60 else 60, overall["value"] + 10))
        ax.set_xlabel(f"% of staff in the band who are {r.term}")
        ax.set_title(panel, loc="left", pad=16)
        listed = [_band_alt(r, label, breakdown) for label, breakdown in rows]
        alt_parts.append(f"{panel}: " + ", ".join(x for x in listed if x))
    senior = r.row(1, "share_pct", "Band 8a and above", "bme")
    headline = (
        f"{present.capital(r.term)} staff are {present.pct(senior['value'])} of band 8a and above, against "
        f"{present.pct(overall['value'])} of the whole workforce"
        if present.ok(senior)
        else f"{present.capital(r.term)} share of each pay band against the whole workforce "
        f"({present.pct(overall['value'])})"
    )
    fig.suptitle(headline, fontsize=12, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    alt = (
        f"Bar chart of the percentage of {r.term} staff in each pay band in {r.year}, with a dashed line at "
        f"the whole-workforce share of {present.pct(overall['value'])}. " + "; ".join(alt_parts) + "."
    )
    return figure_html(
        fig,
        alt,
        f"{present.capital(r.term)} share of headcount by pay band, 31 March {r.year}. "
        "Labels give the count of staff behind each bar; a withheld share has no bar."
        + (f" {view_note}" if view_note else ""),
    )


def _band_alt(r: ReportData, label: str, breakdown: str) -> str:
    """One band in the alt text: its share as printed, or its state in words (never a number it does not have)."""
    row = r.row(1, "share_pct", breakdown, "bme")
    if row is None or row["status"] == "not_computable":
        return ""
    return f"{label} {present.pct(row['value'])}" if present.ok(row) else f"{label} {present.state_text(row).lower()}"


RL_LABELS = {
    2: "Appointment from shortlisting\n(White ÷ {term})",
    3: "Formal disciplinary\n({term} ÷ White)",
    4: "Non-mandatory training\n(White ÷ {term})",
}


def _interval(row) -> tuple[float, float] | None:
    """A published row's 95% interval as numbers, or None (not published, withheld or not computable)."""
    if present.interval_text(row) is None:
        return None
    return float(row["ci_low"]), float(row["ci_high"])


def relative_likelihoods(r: ReportData, indicators=(2, 3, 4)) -> str | None:
    """Each relative likelihood, this year and last, with its 95% interval as whiskers, against 1.00 and the
    0.80-1.25 non-adverse band (the headline test: the whiskers qualify it)."""
    years = [y for y in (r.previous_year(), r.year) if y]
    points = []
    for i in indicators:
        key = present.RL_WORDS[i][0]
        for year in years:
            row = r.row(i, "relative_likelihood", "all", key, year)
            points.append((i, year, row["value"] if present.ok(row) else None, row))
    if not any(v is not None for _, _, v, _ in points):
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 1.3 * len(indicators) + 1.8))
    low, high = NON_ADVERSE_RANGE
    ax.axvspan(low, high, color=PALETTE["band"], alpha=0.15, label=f"non-adverse range {low:.2f}–{high:.2f}")
    ax.axvline(1.0, color=PALETTE["line"], linewidth=1)
    top = max([v for *_, v, _ in points if v is not None] + [high]) * 1.25
    # Room for the whiskers, but a very wide interval must not squash every dot against 0: it is cut off at
    # the edge with an arrow.
    highs = [iv[1] for *_, row in points if (iv := _interval(row))]
    top = max(top, min(max(highs, default=0) * 1.05, top * 2))
    for pos, i in enumerate(indicators):
        for k, year in enumerate(years):
            v = next(v for ii, yy, v, _ in points if ii == i and yy == year)
            y = pos + (k - (len(years) - 1) / 2) * 0.3
            current = year == r.year
            row = next(row for ii, yy, _, row in points if ii == i and yy == year)
            if v is None:
                ax.text(
                    0.05,
                    y,
                    f"{year}: not shown ({present.state_text(row).lower()})",
                    va="center",
                    fontsize=10,
                    color=PALETTE["line"],
                )
                continue
            colour = PALETTE["bme"] if current else PALETTE["unknown"]
            interval = _interval(row)
            end = v
            if interval:
                lo, hi = interval[0], min(interval[1], top)
                ax.plot(
                    [lo, hi],
                    [y, y],
                    color=PALETTE["line"],
                    linewidth=1.3,
                    zorder=2,
                    label="95% interval" if not ax.get_legend_handles_labels()[1].count("95% interval") else None,
                )
                ax.plot([lo], [y], "|", color=PALETTE["line"], markersize=9, zorder=2)
                cut = interval[1] > top  # an arrow where the whisker runs off the chart
                ax.plot([hi], [y], ">" if cut else "|", color=PALETTE["line"], markersize=7 if cut else 9, zorder=2)
                end = hi
            ax.plot(
                v,
                y,
                "o",
                color=colour,
                markersize=9,
                zorder=3,
                label=str(year) if pos == 0 or not ax.get_legend_handles_labels()[1].count(str(year)) else None,
            )
            ax.text(end + top * 0.015, y, f"{year}: {present.ratio(v)}", va="center", fontsize=10)
    ax.set_yticks(range(len(indicators)), [RL_LABELS[i].format(term=r.term) for i in indicators])
    ax.set_ylim(len(indicators) - 0.45, -0.55)  # top to bottom, with room for every label
    ax.set_xlim(0, top)
    ax.set_xlabel("Relative likelihood (1.00 = equally likely)")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False)
    outside = [
        RL_LABELS[i].split("\n")[0]
        for i, y, v, _ in points
        if y == r.year and v is not None and not low <= round(v, 2) <= high
    ]
    ax.set_title(
        ("Outside the non-adverse range: " + ", ".join(outside).lower())
        if outside
        else "Every relative likelihood that could be computed is inside the non-adverse range",
        loc="left",
    )
    fig.tight_layout()
    alt = (
        "Dot chart of relative likelihoods with their 95% intervals as whiskers, against a line at 1.00 and a "
        "shaded range 0.80 to 1.25. "
        + "; ".join(
            f"indicator {i} in {y}: "
            + (
                present.state_text(row).lower()
                if v is None
                else present.ratio(v)
                + (f" (95% interval {present.interval_text(row)})" if present.interval_text(row) else "")
            )
            for i, y, v, row in points
        )
        + "."
    )
    return figure_html(
        fig,
        alt,
        "Relative likelihoods. Above 1.00, the first-named group is more likely; "
        "the shaded band is the range NHS England treats as showing no adverse impact. "
        "The whiskers show each figure's 95% interval: where they cross 1.00, the data "
        "cannot tell the two groups apart.",
    )


def survey_chart(r: ReportData) -> str | None:
    sy = str(r.settings.survey_year)
    data, rows = [], {}
    for i in (5, 6, 7, 8):
        w, b = r.row(i, "pct", sy, "white"), r.row(i, "pct", sy, "bme")
        if present.ok(w) and present.ok(b):
            data.append((i, w["value"], b["value"]))
            rows[i] = (w, b)
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 1.0 * len(data) + 1.8))
    short = {
        5: "5. Harassment from patients/public",
        6: "6. Harassment from staff",
        7: "7. Equal opportunities for progression",
        8: "8. Discrimination from manager/colleagues",
    }
    for pos, (i, w, b) in enumerate(data):
        ax.barh(pos - 0.18, w, height=0.34, color=PALETTE["white"], label="White" if pos == 0 else None)
        ax.barh(pos + 0.18, b, height=0.34, color=PALETTE["bme"], label=r.term if pos == 0 else None)
        for offset, value, row in ((-0.18, w, rows[i][0]), (0.18, b, rows[i][1])):
            interval = _interval(row)
            if interval:
                ax.errorbar(
                    value,
                    pos + offset,
                    xerr=[[value - interval[0]], [interval[1] - value]],
                    fmt="none",
                    ecolor=PALETTE["line"],
                    elinewidth=1.2,
                    capsize=3,
                )  # explained in the caption
            ax.text(
                (interval[1] if interval else value) + 1.5, pos + offset, present.pct(value), va="center", fontsize=10
            )
    ax.set_yticks(range(len(data)), [short[i] for i, _, _ in data])
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel("% of respondents")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    worse = [i for i, w, b in data if j.fared_words(i, b, w) == "worse than"]
    ax.set_title(
        f"{present.capital(r.term)} staff fared worse on {len(worse)} of {len(data)} survey indicators ({sy} survey)",
        loc="left",
    )
    # How many of those Fisher's exact test calls significant (on the published p-values only), for the caption.
    tested = [present.chance(r.row(i, "difference_pp", sy, "bme_minus_white")) for i in worse]
    significantly = (
        f" Of the {len(worse)} indicators where {r.term} staff fared worse, Fisher's exact test finds "
        f"the difference significant on {tested.count(False)}."
        if worse and None not in tested
        else ""
    )
    fig.tight_layout()

    def told(label: str, value: float, row) -> str:
        interval = present.interval_text(row)
        return f"{label} {present.pct(value)}" + (f" (95% interval {interval})" if interval else "")

    alt = (
        f"Bar chart of the {sy} NHS Staff Survey results, with 95% intervals as whiskers: "
        + "; ".join(f"indicator {i}: {told('White', w, rows[i][0])}, {told(r.term, b, rows[i][1])}" for i, w, b in data)
        + "."
    )
    return figure_html(
        fig,
        alt,
        f"NHS Staff Survey {sy}, White and {r.term} respondents. For indicator 7 a higher "
        "figure is better; for 5, 6 and 8 a lower figure is better. The whiskers show each "
        "figure's 95% interval: the fewer the respondents, the wider it is." + significantly,
    )


def board_chart(r: ReportData) -> str | None:
    overall = r.row(1, "share_pct", "all", "bme")
    rows = [
        (label, r.row(9, "share_pct", s, "bme"))
        for s, label in (
            ("voting", "Voting members"),
            ("executive", "Executive members"),
            ("all_members", "All members"),
        )
    ]
    rows = [(label, row) for label, row in rows if present.ok(row)]
    if not rows or not present.ok(overall):
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 0.7 * len(rows) + 1.6))
    for pos, (label, row) in enumerate(rows):
        ax.barh(pos, row["value"], color=PALETTE["bme"], height=0.6)
        ax.text(
            row["value"] + 0.8, pos, f"{present.pct(row['value'])} ({present.count_of(row)})", va="center", fontsize=10
        )
    ax.axvline(overall["value"], color=PALETTE["line"], linestyle="--", linewidth=1)

    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, max(50, overall["value"] + 15, *[row["value"] + 15 for _, row in rows]))
    # The line is named under the axis: beside the line its label ran into the tick labels or the title.
    ax.set_xlabel(f"% {r.term} (dashed line: whole workforce, {present.pct(overall['value'])})")
    gap = present.printed_gap(r, 9, "voting")
    below = gap is not None and gap < 0
    ax.set_title(
        f"The {r.org.board_name}'s voting membership is {'less' if below else 'at least as'} diverse "
        f"{'than' if below else 'as'} the workforce",
        loc="left",
    )
    fig.tight_layout()
    alt = (
        f"Bar chart of the {r.term} share of the {r.org.board_name}: "
        + "; ".join(f"{label} {present.pct(row['value'])}" for label, row in rows)
        + f"; dashed line at the workforce share of {present.pct(overall['value'])}."
    )
    return figure_html(
        fig,
        alt,
        f"{present.capital(r.term)} share of {r.org.board_name} membership on 31 March {r.year}, "
        "against the whole workforce.",
    )


def recruitment_funnel(r: ReportData) -> str | None:
    """Indicator 2 beneath the headline: of every 100 applications from White and from BME applicants, how many
    were shortlisted and how many appointed (the published rates of the funnel). None without the application
    stage, or when neither group's two rates are published."""
    stages = (("shortlisted_from_applied", "Shortlisted"), ("appointed_from_applied", "Appointed"))
    groups = []
    for group in ("white", "bme"):
        rows = [r.row(2, "rate_pct", b, group) for b, _ in stages]
        if all(present.ok(row) for row in rows):
            groups.append((group, rows))
    if not groups:
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
    height = 0.8 / len(groups)
    for k, (group, rows) in enumerate(groups):
        label = present.capital(present.group_label(r, group))
        ys = [pos + (k - (len(groups) - 1) / 2) * height for pos in range(len(stages))]
        values = [j.printed(row["value"]) for row in rows]
        ax.barh(ys, values, height=height * 0.9, color=PALETTE[group], label=label)
        for y, v in zip(ys, values):
            ax.text(v + 0.6, y, f"{v:.1f}", va="center", fontsize=10)
    ax.set_yticks(range(len(stages)), [name for _, name in stages])
    ax.invert_yaxis()
    ax.set_xlim(0, max(j.printed(row["value"]) for _, rows in groups for row in rows) * 1.2 + 2)
    ax.set_xlabel("Per 100 applications from the group")
    ax.legend(loc="lower right", frameon=False)
    ax.set_title("Of every 100 applications: how many were shortlisted, how many appointed", loc="left")
    fig.tight_layout()
    alt = (
        "Bar chart of applications shortlisted and appointed per 100 applications. "
        + "; ".join(
            f"{present.group_label(r, group)} applicants: {present.pct(rows[0]['value'])} shortlisted and "
            f"{present.pct(rows[1]['value'])} appointed"
            for group, rows in groups
        )
        + "."
    )
    missing = [present.group_label(r, g) for g in ("white", "bme") if g not in dict(groups)]
    if missing:
        alt += f" {present.capital(' and '.join(missing))} applicants are not shown: a figure is withheld or missing."
    return figure_html(
        fig,
        alt,
        "Shortlisted and appointed per 100 applications, by group: the published rates of the table above. The "
        "relative likelihood at each stage is in the table.",
    )
