"""SQLModel tables, one module per register; importing this registers them all on the metadata."""

from desk.models.audit import AuditEvent, AuditSeal, Counter
from desk.models.calendar import CalendarDay, DayKind
from desk.models.complaint import (
    OPEN_COMPLAINT_STATES,
    Complaint,
    ComplaintState,
    Severity,
    Validity,
)
from desk.models.estate import DEFAULT_ESTATE, Estate, InEstate, OperatorEstate
from desk.models.handover import Handover, HandoverPrint, HandoverState
from desk.models.keys import (
    OPEN_LOAN_STATES,
    EntrustedKey,
    EntrustedKeyUse,
    EntrustedState,
    Key,
    KeyCount,
    KeyKind,
    KeyLoan,
    KeyReturn,
    LoanState,
)
from desk.models.marker import DeskMarker
from desk.models.nightlog import NightLogEntry, NightLogState
from desk.models.passes import GateResult, IdType, PassItem, PassState, Relationship, ReleasePass
from desk.models.people import Operator, Resident, ResidentKind, Role, SignInTerminal, Unit
from desk.models.reception import Channel, ReceptionCategory, ReceptionEntry, ReceptionState
from desk.models.renovation import (
    OPEN_RENOVATION_STATES,
    ApplicantKind,
    InspectionResult,
    Renovation,
    RenovationInspection,
    RenovationState,
    RenovationVisit,
    VisitDepartment,
    WorkerPass,
    WorkerPassState,
)
from desk.models.repair import (
    OPEN_REPAIR_STATES,
    RepairCompletion,
    RepairLocation,
    RepairOrder,
    RepairState,
)
from desk.models.replies import ReplyState, StandardReply
from desk.models.search import SavedFilter, SearchDoc

__all__ = [
    "DEFAULT_ESTATE",
    "OPEN_COMPLAINT_STATES",
    "OPEN_LOAN_STATES",
    "OPEN_RENOVATION_STATES",
    "OPEN_REPAIR_STATES",
    "ApplicantKind",
    "AuditEvent",
    "AuditSeal",
    "CalendarDay",
    "Channel",
    "Complaint",
    "ComplaintState",
    "Counter",
    "DayKind",
    "DeskMarker",
    "EntrustedKey",
    "EntrustedKeyUse",
    "EntrustedState",
    "Estate",
    "GateResult",
    "Handover",
    "HandoverPrint",
    "HandoverState",
    "IdType",
    "InEstate",
    "InspectionResult",
    "Key",
    "KeyCount",
    "KeyKind",
    "KeyLoan",
    "KeyReturn",
    "LoanState",
    "NightLogEntry",
    "NightLogState",
    "Operator",
    "OperatorEstate",
    "PassItem",
    "PassState",
    "ReceptionCategory",
    "ReceptionEntry",
    "ReceptionState",
    "Relationship",
    "ReleasePass",
    "Renovation",
    "RenovationInspection",
    "RenovationState",
    "RenovationVisit",
    "RepairCompletion",
    "RepairLocation",
    "RepairOrder",
    "RepairState",
    "ReplyState",
    "Resident",
    "ResidentKind",
    "Role",
    "SavedFilter",
    "SearchDoc",
    "Severity",
    "SignInTerminal",
    "StandardReply",
    "Unit",
    "Validity",
    "VisitDepartment",
    "WorkerPass",
    "WorkerPassState",
]
