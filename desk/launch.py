"""The `desk` command's entry point: the program is loaded with the cyclic collector paused.

Loading the desk makes some hundreds of thousands of objects that live as long as the process
(classes, tables and their mappings, parsed CSS, the messages). Python's cyclic garbage
collector walks all of them again each time it runs while they are being made, a tenth or more
of a cold start (bench/). So it is paused while the program loads; then what was loaded is
frozen out of its reach (`gc.freeze`) and it runs as usual: for a command as soon as its
arguments are read, for the desk once its first screen has been drawn.
"""

from __future__ import annotations

import gc


def main() -> None:
    pause_collector()
    from desk.cli import main as cli_main

    cli_main()


def pause_collector() -> None:
    gc.disable()


def resume_collector() -> None:
    """Let the collector run again, leaving what was loaded so far out of its walks.

    Does nothing where it was never paused (the tests, a program importing the desk).
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
