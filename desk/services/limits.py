"""How long a text column may be, as its model declares it (`text(60)`, `Field(max_length=…)`):
the services check what is typed against the same number the table holds."""

from __future__ import annotations

from sqlmodel import SQLModel


def of(model: type[SQLModel], column: str) -> int:
    """The most characters `model.column` holds, as the model declares it."""
    for rule in model.model_fields[column].metadata:
        most = getattr(rule, "max_length", None)
        if isinstance(most, int):
            return most
    raise LookupError(f"{model.__name__}.{column} declares no max_length")
