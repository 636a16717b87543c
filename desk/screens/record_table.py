"""A register's list: one row per record, keyed by the record's id."""

from __future__ import annotations

from typing import Any

from desk.screens.plain import PlainTable


class RecordTable(PlainTable):
    """Rows keyed by record id; knows which record the cursor is on and can move to one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def selected_id(self) -> int | None:
        """The id of the record under the cursor (None for an empty list)."""
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value else None

    def select_record(self, record_id: int | None) -> None:
        """Put the cursor on that record's row, when it is listed."""
        if record_id is not None and str(record_id) in self.rows:
            self.move_cursor(row=self.get_row_index(str(record_id)))
