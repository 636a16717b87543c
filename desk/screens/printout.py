"""Slips and sheets printed from a record's page: saved beside the database, sent to the printer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desk.files import private_folder, write_whole
from desk.i18n import t
from desk.services.errors import DeskError

if TYPE_CHECKING:
    from desk.app import DeskApp


def printed_folder(app: DeskApp) -> Path:
    """printed/ beside the database (data/printed for a server database)."""
    path = app.database.path
    return (path.parent if path is not None else Path("data")) / "printed"


def deliver(
    app: DeskApp,
    number: str,
    text: Callable[[], str],
    pdf: Callable[[Path], Path],
    *,
    written: str,
) -> None:
    """Write NUMBER.txt and NUMBER.pdf into the printed folder, say where, and send the PDF to
    the site's printer. Runs on a worker thread; any failure is one error notification.

    `text` makes the text; `pdf` writes the PDF to the path given; `written` is the catalogue
    key telling where they went ({txt} and {pdf}).
    """
    from desk.printing import cups

    folder = printed_folder(app)
    try:
        private_folder(folder)
        txt = write_whole(folder / f"{number}.txt", text())
        made = pdf(folder / f"{number}.pdf")
        app.call_from_thread(app.notify, t(written, txt=txt, pdf=made))
        printer = app.settings.site.printer
        if printer:
            cups.print_file(made, printer)
            app.call_from_thread(app.notify, t("printout.sent", printer=printer))
    except DeskError as error:
        message = t("printout.failed", message=error.message)
        app.call_from_thread(app.notify, message, severity="error")
    except OSError as exc:
        message = t("printout.failed", message=str(exc))
        app.call_from_thread(app.notify, message, severity="error")
