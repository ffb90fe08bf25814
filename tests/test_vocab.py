import pytest

from wres_helpers import vocab


@pytest.mark.parametrize(
    "value, group",
    [
        ("A", "white"),
        ("B", "white"),
        ("C", "white"),
        ("C3 White - Any other White background", "white"),  # ESR code + local sub-code + text
        ("CA White - English", "white"),
        ("LK Asian - Sri Lankan", "bme"),  # ESR local sub-code rolls up to L
        ("H", "bme"),
        ("N Black or Black British - African", "bme"),
        ("R", "bme"),
        ("S", "bme"),
        ("d", "bme"),  # lower case code
        ("Z", "unknown"),
        ("Z Not Stated", "unknown"),
        ("99", "unknown"),
        ("X", "unknown"),
        ("", "unknown"),
        ("   ", "unknown"),
        (None, "unknown"),
        ("0", "white"),
        ("4", "bme"),
        ("7", "bme"),
        ("9", "unknown"),  # pre-2001 numeric codes
        ("White - British", "white"),
        ("Arab", "bme"),
        ("Gypsy or Irish Traveller", "white"),
        ("Not stated", "unknown"),
    ],
)
def test_ethnic_group_accepts_codes_esr_values_old_codes_and_blank(value, group):
    assert vocab.ethnic_group(value) == group


@pytest.mark.parametrize("value", ["T", "Q1 Unknown thing", "42", "04", "Martian", "N/A", "I"])
def test_ethnic_group_rejects_unrecognised_values(value):
    assert vocab.ethnic_group(value) is None


@pytest.mark.parametrize(
    "value, band",
    [
        ("Band 8 - Range A", "Band 8a"),
        ("8A", "Band 8a"),
        ("AfC Band 5", "Band 5"),
        ("Band 5", "Band 5"),
        ("5", "Band 5"),
        ("band 8d", "Band 8d"),
        ("Band 9", "Band 9"),
        ("Under Band 1", "Under Band 1"),
        ("VSM", "VSM"),
        ("Very Senior Manager", "VSM"),
        ("Consultant", "Consultant"),
        ("Specialty Doctor", "Non-consultant career grade"),
        ("Foundation Year 1", "Trainee grade"),
        ("Band 8 - Range D", "Band 8d"),
    ],
)
def test_pay_band_spelling_variants(value, band):
    assert vocab.pay_band(value) == band


@pytest.mark.parametrize("value", ["Band 10", "8e", "", "Manager", "Band 8"])
def test_pay_band_rejects_unknown(value):
    assert vocab.pay_band(value) is None


def test_ampersand_reads_as_and():
    assert vocab.ethnic_group("Mixed - White & Black Caribbean") == "bme"


def test_band_with_range_named_twice():
    assert vocab.pay_band("Band 8a (Range A)") == "Band 8a"
