"""Seeded fuzzing in the suite (tests/fuzz_inputs.py): a few hundred broken copies of a sample organisation's
inputs, settings, action plans and narrative, each giving a result or a clean user error, never a traceback
or a hang. `make fuzz` runs thousands."""

from __future__ import annotations

import os

import fuzz_inputs

CASES = int(os.environ.get("WRES_FUZZ_CASES", "250"))
CLI_CASES = 3


def test_broken_inputs_give_a_result_or_a_clean_error():
    reports: list[str] = []
    counts = fuzz_inputs.fuzz(CASES, seed=14, cli_cases=CLI_CASES, out=reports.append)
    assert not reports, "\n".join(reports)
    kinds = {kind.split(":", 1)[0] for kind in counts if kind != "_seconds"}
    assert {"ok", "error"} <= kinds, counts  # the mutations reach both outcomes
    assert sum(v for k, v in counts.items() if k != "_seconds") == CASES + CLI_CASES


def test_the_fuzzer_reports_a_traceback_and_a_hang(tmp_path, monkeypatch):
    root = fuzz_inputs.base_workspace(tmp_path)
    assert fuzz_inputs.run_in_process(root).kind == "ok"

    def crash(report):
        raise KeyError("group")

    monkeypatch.setattr("wres_helpers.values.report_values", crash)
    assert fuzz_inputs.run_in_process(root).kind == "traceback:KeyError"

    def hang(report):
        while True:
            pass

    monkeypatch.setattr("wres_helpers.values.report_values", hang)
    monkeypatch.setattr(fuzz_inputs, "HANG_SECONDS", 0.5)
    assert fuzz_inputs.run_in_process(root).kind == "hang"
