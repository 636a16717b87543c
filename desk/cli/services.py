"""`desk services`: the site's list of paid convenience services, published (000 五.1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from desk.cli.common import _fail, _options, _say
from desk.i18n import t
from desk.printing.cups import PrintError
from desk.printing.service_list import service_list_pdf, service_list_text

services_app: typer.Typer = typer.Typer(no_args_is_help=True)


@services_app.command("print")
def print_list(
    ctx: typer.Context,
    pdf: Annotated[Path | None, typer.Option("--pdf", metavar="FILE")] = None,
) -> None:
    """Print the site's service list and prices ([services] in site.toml): text to the
    terminal, and an A4 PDF to FILE with --pdf."""
    settings = _options(ctx).settings
    now = datetime.now(settings.tz)
    _say(service_list_text(settings, printed_at=now), nl=False)
    if pdf is not None:
        try:
            written = service_list_pdf(settings, pdf, printed_at=now)
        except PrintError as exc:
            _fail(str(exc))
        typer.echo(t("cli.services.pdf_written", path=written))
