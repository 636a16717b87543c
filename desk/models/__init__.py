"""SQLModel tables, one module per register; importing this registers them all on the metadata."""

from desk.models.audit import AuditEvent, Counter
from desk.models.people import Operator, Resident, ResidentKind, Role, Unit
from desk.models.reception import Channel, ReceptionCategory, ReceptionEntry, ReceptionState
from desk.models.repair import OPEN_REPAIR_STATES, RepairLocation, RepairOrder, RepairState

__all__ = [
    "OPEN_REPAIR_STATES",
    "AuditEvent",
    "Channel",
    "Counter",
    "Operator",
    "ReceptionCategory",
    "ReceptionEntry",
    "ReceptionState",
    "RepairLocation",
    "RepairOrder",
    "RepairState",
    "Resident",
    "ResidentKind",
    "Role",
    "Unit",
]
