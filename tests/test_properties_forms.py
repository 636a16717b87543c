"""Bad input everywhere, the form fields that read typed text into numbers: a whole number of keys
and an amount of money. Each reads what was typed or raises DeskError; nothing else.

The fields are read without mounting a screen: a stand-in for the Input holds the typed text.
"""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import example, given
from hypothesis import strategies as st

from desk.forms.fields import MoneyField
from desk.forms.key_form import CountField
from desk.services.errors import DeskError
from tests.property_support import PROPERTY, any_text, check_error

numbers = st.one_of(
    st.sampled_from(["12", "0", "007", "１２", "١٢", "²", "¹²", "-1", "+3", "1_0", " 5 ", "1e3"]),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    any_text,
)
amounts = st.one_of(
    st.sampled_from(
        [
            "120",
            "35.5",
            "35.50",
            "0.001",
            "¥120",
            "120元",
            "-1",
            "NaN",
            "sNaN",
            "Infinity",
            "1e999999999",
            "1E-7",
            "1_000",
            "１２０",
            "²",
            "1000000",
            "1000000.01",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    any_text,
)


class TypedCount(CountField):
    typed = ""

    @property
    def input(self) -> SimpleNamespace:  # type: ignore[override]
        return SimpleNamespace(value=self.typed)


class TypedMoney(MoneyField):
    typed = ""

    @property
    def input(self) -> SimpleNamespace:  # type: ignore[override]
        return SimpleNamespace(value=self.typed)


def _read_or_refused(field: TypedCount | TypedMoney) -> int | None:
    """The field's value, or None once its refusal has been checked to be a clear message."""
    try:
        return field.value
    except DeskError as error:
        check_error(error)
        return None


@PROPERTY
@given(typed=numbers)
@example(typed="²")
def test_a_count_reads_a_whole_number_or_refuses(typed: str) -> None:
    field = TypedCount("key_count")
    field.typed = typed
    value = _read_or_refused(field)
    if value is None:
        return
    assert isinstance(value, int) and value >= 0
    assert value == (int(typed.strip()) if typed.strip() else 0)


@PROPERTY
@given(typed=amounts)
def test_money_reads_whole_fen_or_refuses(typed: str) -> None:
    field = TypedMoney("labour_fen")
    field.typed = typed
    value = _read_or_refused(field)
    if value is None:
        return
    assert isinstance(value, int) and 0 <= value <= 100_000_000
