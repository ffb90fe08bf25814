"""The local population beside the workforce (population.py): the sentence checked by hand, bad settings refused."""

from __future__ import annotations

import shutil

import pytest
import yaml

from wres_helpers.errors import InputError
from wres_helpers.population import population_sentence
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace


def test_leeds_sentence_worked_by_hand():
    # Leeds 2021: 57 of 377 staff BAME (the seed report's figure), 15.1%; the sample's local share is 18.4%:
    # 15.1 - 18.4 = -3.3 percentage points.
    text = population_sentence(load_report("leeds", 2021))
    assert text.startswith("The local working-age population is 18.4% BAME (source: Invented for this synthetic")
    assert "The workforce's share, 15.1% (57 of 377), is 3.3 percentage points below the local population's." in text


def test_no_setting_no_sentence():
    assert population_sentence(load_report("hwccg", 2020)) == ""


@pytest.mark.parametrize(
    "setting, column",
    [
        ({"bme_pct": 118.4, "source": "Census 2021"}, "local_population.bme_pct"),
        ({"bme_pct": "lots", "source": "Census 2021"}, "local_population.bme_pct"),
        ({"bme_pct": 18.4, "source": "<script>alert(1)</script>"}, "local_population.source"),
        ({"bme_pct": 18.4, "source": "[a link](file:///etc/passwd)"}, "local_population.source"),
        ({"bme_pct": 18.4}, "local_population"),
        (18.4, "local_population"),
    ],
)
def test_bad_setting_is_a_clear_error(tmp_path, setting, column):
    shutil.copytree(Workspace(None).root / "params", tmp_path / "params")
    path = tmp_path / "params" / "hwccg" / "org.yaml"
    data = yaml.safe_load(path.read_text())
    data["local_population"] = setting
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as caught:
        load_report("hwccg", 2020, str(tmp_path))
    problem = caught.value.problems[0]
    assert problem.file == "params/hwccg/org.yaml" and problem.column == column
