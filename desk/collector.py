"""Python's cyclic garbage collector, paused while the desk loads (desk.launch).

Loading the desk makes some hundreds of thousands of objects that live as long as the process;
the collector would walk all of them again each time it runs while they are being made. So the
`desk` command pauses it first thing, and the command line (once its arguments are read) or the
desk (once its first screen has been drawn) lets it run again.
"""

from __future__ import annotations

import gc


def pause_collector() -> None:
    gc.disable()


def resume_collector() -> None:
    """Let the collector run again, leaving what was loaded so far out of its walks.

    Does nothing where it was never paused (the tests, a program importing the desk).
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
