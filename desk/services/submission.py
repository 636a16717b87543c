"""The base of what a clerk submits to a service: a form's fields, validated on submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from desk.services.errors import DeskError, FieldErrors


class Submission(BaseModel):
    """A form's fields as a service takes them (RepairCreate, KeyLoanCreate…).

    Pydantic builds a model's validator the first time it validates (`defer_build`), not when
    the desk starts: a clerk's first save of each kind pays a few milliseconds once, instead
    of every start paying for all of them.
    """

    model_config = ConfigDict(defer_build=True)


def gather(readers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each reader's value by its field's name; every field is read, and every refusal among
    them is raised at once (one as itself, several as FieldErrors), each with its field."""
    values: dict[str, Any] = {}
    refused: list[DeskError] = []
    for name, read in readers.items():
        try:
            values[name] = read()
        except FieldErrors as several:
            refused += several.errors
        except DeskError as error:
            error.field = error.field or name
            refused.append(error)
    if refused:
        raise FieldErrors.of(refused)
    return values
