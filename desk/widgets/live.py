"""The desk's side of live boards: the app looks every half second at what desk.live heard.

Another desk saved: the screen in front (the board or a register's list, `DeskScreen.LIVE`) is
read again; a screen behind reads again when the clerk comes back to it (DeskScreen.reread).
The database lost: said at once (a notification, and a mark beside the site's name in every
screen's header) and saves are refused (DeskMixin.attempt) until it is back, which is said too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from textual.app import ScreenStackError
from textual.css.query import NoMatches

from desk import live
from desk.i18n import t

if TYPE_CHECKING:
    from desk.app import DeskApp


class LiveLink:
    """One per app: started on mount, stopped on unmount."""

    def __init__(self, app: DeskApp) -> None:
        self.app = app
        self.watch = live.watcher(app.database)
        self.down = False
        self.stale = False  # another desk saved, not yet read again

    def start(self) -> None:
        if self.watch is None:
            return
        self.watch.start()
        self.timer = self.app.set_interval(live.TICK_SECONDS, self.tick)

    def stop(self) -> None:
        if self.watch is not None:
            self.timer.stop()
            self.watch.stop()

    def tick(self) -> None:
        assert self.watch is not None
        news = self.watch.poll()
        if news.down != self.down:
            self.said_down(news.down)
        self.stale = (self.stale or news.changed) and not news.down
        try:
            screen: Any = self.app.screen
        except ScreenStackError:  # the app closing, or not yet showing a screen
            return
        # the board and the lists; any screen that could not read while the database was lost
        shows = getattr(screen, "LIVE", False) or getattr(screen, "away", False)
        if self.stale and shows and screen.is_mounted:
            try:
                screen.reread()
            except (SQLAlchemyError, NoMatches):
                # the database lost, or the screen still being built: read again next look
                return
            screen.away = False
        self.stale = False

    def said_down(self, down: bool) -> None:
        self.down = down
        app = self.app
        mark = f"  {t('live.down_mark')}"
        if down:
            app.sub_title = f"{app.sub_title}{mark}"
            app.notify(t("live.down"), severity="error", timeout=30)
        else:
            app.sub_title = app.sub_title.replace(mark, "")
            app.notify(t("live.back"))


def lost(app: Any) -> bool:
    """True while the app's database is lost (nothing is read or saved then)."""
    link = getattr(app, "live", None)
    return link is not None and bool(link.down)


def refused_while_lost(app: Any) -> bool:
    """True, once the clerk has been told, when the database is lost: a screen that would read
    to open stays closed (a read failing would close the desk, and every typed form with it)."""
    if not lost(app):
        return False
    app.notify(t("live.down"), severity="error", timeout=10)
    app.bell()
    return True
