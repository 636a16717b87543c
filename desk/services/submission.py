"""The base of what a clerk submits to a service: a form's fields, validated on submission."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Submission(BaseModel):
    """A form's fields as a service takes them (RepairCreate, KeyLoanCreate…).

    Pydantic builds a model's validator the first time it validates (`defer_build`), not when
    the desk starts: a clerk's first save of each kind pays a few milliseconds once, instead
    of every start paying for all of them.
    """

    model_config = ConfigDict(defer_build=True)
