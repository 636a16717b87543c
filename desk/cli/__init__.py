"""The `desk` command line: open the desk, init, demo, operators, imports, export, reports.

One module per command group (`desk.cli.operators`, `desk.cli.backup`, …), what they share in
`desk.cli.common`, the whole command put together in `desk.cli.root`.
"""

from desk.cli.root import app, main

__all__ = ["app", "main"]
