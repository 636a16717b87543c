"""The limits a service checks, read from the model that declares them (`text(4000)`): one place
a column's length is written, for the service's check as for the form's input."""

from __future__ import annotations

from sqlmodel import SQLModel

from desk.services.residents import clean_text


def max_length(model: type[SQLModel], column: str) -> int:
    """The most characters `model.column` holds, as its `Field(max_length=…)` declares."""
    for rule in model.model_fields[column].metadata:
        most = getattr(rule, "max_length", None)
        if isinstance(most, int):
            return most
    raise LookupError(f"{model.__name__}.{column} declares no max_length")


def clean_column(
    value: str,
    model: type[SQLModel],
    column: str,
    *,
    field: str | None = None,
    required: bool = False,
) -> str:
    """`value` cleaned for `model.column` (trimmed, no control characters, at most its length);
    errors name `field` (the column unless told)."""
    return clean_text(value, max_length(model, column), field=field or column, required=required)
