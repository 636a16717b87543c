"""Every key of the desk, declared once: which key, what it does, its words, where it applies.

A row is one action in one place (`where`: the app itself, a screen, a dialog, or a group of
steps two screens share, such as an entrusted key's). A screen takes its keys with
`BINDINGS = commands.bindings("repair_detail")`; the footer, the command palette and the F1
help are made from the same rows, so a key changed here changes everywhere. Words are
catalogue keys (desk/i18n/*.toml, both languages), put into the current language when a
screen is made (desk.compat.localise_bindings).

tests/test_commands.py proves that no two actions share a key on one screen, that every row's
words are in the catalogue in both languages, and that the F1 table lists the app's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Command:
    """One key in one place."""

    where: str
    key: str
    action: str
    description: str = ""  # a catalogue key
    id: str | None = None
    show: bool = True
    priority: bool = False
    key_display: str | None = None
    tooltip: str = ""
    system: bool = False

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            key_display=self.key_display,
            priority=self.priority,
            tooltip=self.tooltip,
            id=self.id,
            system=self.system,
        )


@dataclass(frozen=True)
class Include:
    """The keys of another place, at this point of `where`'s (steps two screens share)."""

    where: str
    place: str


COMMANDS: tuple[Command | Include, ...] = (
    Command("app", "f1", "help", "keys.help", id="help"),
    Command("app", "f2", "open('reception')", "keys.reception", id="reception"),
    Command("app", "f3", "open('repairs')", "keys.repairs", id="repairs"),
    Command("app", "f4", "open('complaints')", "keys.complaints", id="complaints"),
    Command("app", "f5", "open('keys')", "keys.keys", id="keys"),
    Command("app", "f6", "open('passes')", "keys.passes", id="passes"),
    Command("app", "f7", "open('handover')", "keys.handover", id="handover"),
    Command("app", "f8", "open('lookup')", "keys.lookup", id="lookup"),
    Command("app", "f9", "open('board')", "keys.board", id="board"),
    Command("app", "f10", "open('callbacks')", "keys.callbacks", id="callbacks"),
    Command("app", "f11", "open('nightlog')", "keys.nightlog", id="nightlog"),
    Command("app", "f12", "open('replies')", "keys.replies", id="replies"),
    Command("app", "ctrl+p", "command_palette", "keys.palette", id="palette"),
    Command("app", "ctrl+o", "sign_out", "keys.sign_out", id="sign_out"),
    # the call-centre desk only: the estate of the call in hand (desk.screens.estate_chooser)
    Command("app", "ctrl+z", "choose_estate", "estate.key", id="choose_estate"),
    Command("app", "ctrl+q", "quit", "keys.quit", id="quit", show=False, priority=True),
    Command("form_dialog", "ctrl+s", "save", "keys.save", id="save"),
    Command("form_dialog", "escape", "cancel", "keys.cancel", id="cancel"),
    Command("confirm_dialog", "enter", "answer(True)", "app.yes"),
    Command("confirm_dialog", "escape", "answer(False)", "app.no"),
    Command("board", "ctrl+r", "refresh", "keys.refresh"),
    Command("board", "ctrl+t", "app.open('report')", "keys.report"),
    Command("board", "enter", "open_record", "keys.open", show=False),
    # The registers of issue 19 have no F-key left: a letter on the board opens each. They are
    # in F1, the palette and the board's own line of letters, not the footer (with them a
    # 120-column footer lost F11 and F12).
    Command(
        "board",
        "r",
        "app.open('renovations')",
        "keys.renovations",
        id="board_renovations",
        show=False,
    ),
    Command(
        "board",
        "c",
        "app.open('cards')",
        "cards_ui.keys.open_register",
        id="board_cards",
        show=False,
    ),
    Command(
        "board",
        "w",
        "app.open('worker_passes')",
        "worker_pass_ui.keys.open",
        id="worker_passes",
        show=False,
    ),
    Command(
        "board",
        "o",
        "app.open('owner_changes')",
        "keys.owner_changes",
        id="owner_changes",
        show=False,
    ),
    # An emergency (001 突发事故): one key on the board opens a new incident at once; `i` the
    # incident log. Like the letters above, out of the footer (an 80-column footer has no room
    # left): in F1, the palette, and the running incident leads the board itself.
    Command(
        "board",
        "exclamation_mark",
        "new_incident",
        "incident_ui.keys.new_now",
        id="board_new_incident",
        show=False,
        key_display="!",
    ),
    # the fee desk (交纳物业管理费 / 催缴): the rooms owing
    Command("board", "f", "app.open('fees')", "keys.fees", id="board_fees", show=False),
    Command(
        "board",
        "i",
        "app.open('incidents')",
        "keys.incidents",
        id="board_incidents",
        show=False,
    ),
    Command(
        "board",
        "p",
        "app.open('patrols')",
        "keys.patrols",
        id="board_patrols",
        show=False,
    ),
    Command(
        "board",
        "m",
        "app.open('move_ins')",
        "keys.move_ins",
        id="board_move_ins",
        show=False,
    ),
    # paid convenience services (便民服务 / 有偿服务, 000 五): a letter, as the registers above
    Command(
        "board",
        "s",
        "app.open('services')",
        "keys.services",
        id="board_services",
        show=False,
    ),
    Command("card_detail", "ctrl+d", "ready", "cards_ui.keys.ready", id="card_ready"),
    Command("card_detail", "ctrl+g", "issue", "cards_ui.keys.issue", id="card_issue"),
    Command("card_detail", "ctrl+e", "renew", "cards_ui.keys.renew", id="card_renew"),
    Command("card_detail", "ctrl+l", "lost", "cards_ui.keys.lost", id="card_lost"),
    Command("card_detail", "ctrl+b", "replace", "cards_ui.keys.replace", id="card_replace"),
    Command("card_detail", "ctrl+k", "expire", "cards_ui.keys.expire", id="card_expire"),
    Command("card_detail", "ctrl+t", "take_back", "cards_ui.keys.take_back", id="card_take_back"),
    Command("card_detail", "ctrl+x", "cancel", "cards_ui.keys.cancel", id="card_cancel"),
    Include("card_detail", "record_new"),
    Command(
        "card_detail", "ctrl+r", "refresh", "keys.refresh", id="card_detail_refresh", show=False
    ),
    Command("card_detail", "escape", "back", "cards_ui.keys.back", id="card_back"),
    Command("fees", "enter", "open_room", "keys.open", id="fees_open"),
    Command("fees", "ctrl+r", "refresh", "keys.refresh", id="fees_refresh"),
    Command("fee_room", "ctrl+k", "pay", "fees_ui.keys.pay", id="fee_pay"),
    Command("fee_room", "ctrl+e", "remind", "fees_ui.keys.remind", id="fee_remind"),
    Command("fee_room", "ctrl+l", "letter", "fees_ui.keys.letter", id="fee_letter"),
    Command("fee_room", "ctrl+v", "visit", "fees_ui.keys.visit", id="fee_visit"),
    Command("fee_room", "ctrl+g", "legal", "fees_ui.keys.legal", id="fee_legal"),
    Command("fee_room", "ctrl+b", "book", "fees_ui.keys.book", id="fee_book"),
    Command("fee_room", "ctrl+d", "done", "fees_ui.keys.done", id="fee_done"),
    Command("fee_room", "ctrl+x", "missed", "fees_ui.keys.missed", id="fee_missed"),
    Command("fee_room", "ctrl+w", "print_letter", "fees_ui.keys.print", id="fee_print"),
    Command("fee_room", "ctrl+t", "custody", "fees_ui.keys.custody", id="fee_custody"),
    Command("fee_room", "ctrl+r", "refresh", "keys.refresh", id="fee_room_refresh", show=False),
    Command("fee_room", "escape", "back", "repair_ui.keys.back", id="fee_room_back"),
    Command("cards", "ctrl+n", "new_card", "keys.new", id="card_new"),
    Command("cards", "enter", "open_card", "keys.open", id="card_open"),
    Command("cards", "ctrl+f", "next_filter", "cards_ui.keys.filter", id="card_filter"),
    Command("cards", "ctrl+k", "next_kind", "cards_ui.keys.kind", id="card_kind"),
    Command("cards", "ctrl+l", "search", "cards_ui.keys.search", id="card_search"),
    Command("cards", "ctrl+r", "refresh", "keys.refresh", id="card_refresh"),
    Command(
        "callback_queue",
        "enter",
        "call_back",
        "callbacks.keys.record",
        id="callback_record",
        show=False,
    ),
    Command(
        "callback_queue", "ctrl+b", "call_back", "callbacks.keys.record", id="callback_record_b"
    ),
    Command("callback_queue", "ctrl+r", "refresh", "keys.refresh", id="callback_refresh"),
    Include("complaint_detail", "record_new"),
    Command("complaint_detail", "ctrl+g", "judge", "complaint_ui.keys.judge", id="complaint_judge"),
    Command(
        "complaint_detail",
        "ctrl+u",
        "escalate",
        "complaint_ui.keys.escalate",
        id="complaint_escalate",
    ),
    Command(
        "complaint_detail", "ctrl+d", "assign", "complaint_ui.keys.assign", id="complaint_assign"
    ),
    Command("complaint_detail", "ctrl+y", "reply", "complaint_ui.keys.reply", id="complaint_reply"),
    Command(
        "complaint_detail", "ctrl+e", "resolve", "complaint_ui.keys.resolve", id="complaint_resolve"
    ),
    Command(
        "complaint_detail",
        "ctrl+b",
        "callback",
        "complaint_ui.keys.callback",
        id="complaint_callback",
    ),
    Command(
        "complaint_detail", "ctrl+l", "reopen", "complaint_ui.keys.reopen", id="complaint_reopen"
    ),
    Command("complaint_detail", "ctrl+x", "close", "complaint_ui.keys.close", id="complaint_close"),
    Command(
        "complaint_detail",
        "ctrl+f",
        "harm_stopped",
        "complaint_ui.keys.harm_stopped",
        id="complaint_harm_stopped",
    ),
    Command(
        "complaint_detail",
        "ctrl+a",
        "answered",
        "complaint_ui.keys.answered",
        id="complaint_answered",
    ),
    Command("complaint_detail", "ctrl+t", "told", "complaint_ui.keys.told", id="complaint_told"),
    Command(
        "complaint_detail",
        "ctrl+k",
        "late_notice",
        "complaint_ui.keys.late_notice",
        id="complaint_late_notice",
    ),
    Command("complaint_detail", "ctrl+w", "print_sheet", "keys.print", id="complaint_print"),
    Command(
        "complaint_detail",
        "ctrl+r",
        "refresh",
        "keys.refresh",
        id="complaint_detail_refresh",
        show=False,
    ),
    Command("complaint_detail", "escape", "back", "complaint_ui.keys.back", id="complaint_back"),
    Command("complaint_detail", "ctrl+n", "correct", "correct.key", id="complaint_correct"),
    Command("repeat_dialog", "escape", "back", "keys.cancel", id="repeat_back"),
    Command("complaints", "ctrl+n", "new_complaint", "keys.new", id="complaint_new"),
    Command("complaints", "enter", "open_complaint", "keys.open", id="complaint_open"),
    Command(
        "complaints",
        "ctrl+f",
        "toggle_all",
        "complaint_ui.keys.toggle_all",
        id="complaint_toggle_all",
    ),
    Command("complaints", "ctrl+r", "refresh", "keys.refresh", id="complaint_refresh"),
    Command("complaints", "ctrl+t", "reveal", "reveal.key", id="complaint_reveal", show=False),
    Command(
        "entrusted_actions", "ctrl+t", "take_out", "keys_ui.keys.take_out", id="entrusted_take_out"
    ),
    Command(
        "entrusted_actions", "ctrl+b", "take_back", "keys_ui.keys.take_back", id="entrusted_back"
    ),
    Command(
        "entrusted_actions", "ctrl+d", "work_done", "keys_ui.keys.work_done", id="entrusted_done"
    ),
    Command(
        "entrusted_actions", "ctrl+g", "collect", "keys_ui.keys.collect", id="entrusted_collect"
    ),
    Command("entrusted_actions", "ctrl+w", "print_slip", "keys.print", id="entrusted_print"),
    Include("entrusted_detail", "entrusted_actions"),
    Command("entrusted_detail", "escape", "back", "keys_ui.keys.back", id="entrusted_detail_back"),
    Command("ask_dialog", "escape", "cancel", "keys.cancel", id="gate_ask_cancel"),
    Command("gate", "f2", "mark('all_out')", "gate.keys.all_out", id="gate_all_out"),
    Command("gate", "f3", "mark('partly')", "gate.keys.partly", id="gate_partly"),
    Command("gate", "f4", "mark('refused')", "gate.keys.refused", id="gate_refused"),
    Command("gate", "escape", "clear", "gate.keys.clear", id="gate_clear"),
    Command("gate", "f8", "change_guard", "gate.keys.guard", id="gate_guard"),
    Command("gate", "ctrl+q", "app.quit", "keys.quit", id="gate_quit"),
    Command("handover", "ctrl+s", "save", "handover_ui.keys.save", id="handover_save"),
    Command("handover", "ctrl+y", "sign_off", "handover_ui.keys.sign_off", id="handover_sign_off"),
    Command("handover", "ctrl+g", "acknowledge", "handover_ui.keys.acknowledge", id="handover_ack"),
    Command("handover", "ctrl+t", "refuse", "handover_ui.keys.refuse", id="handover_refuse"),
    Command(
        "handover", "ctrl+w", "print", "handover_ui.keys.print", id="handover_print", priority=True
    ),
    Command("handover", "ctrl+l", "history", "handover_ui.keys.history", id="handover_history"),
    Command("handover", "ctrl+r", "refresh", "keys.refresh", id="handover_refresh"),
    Command("history_dialog", "escape", "cancel", "keys.cancel", id="history_cancel"),
    Command("help", "escape", "dismiss_help", "keys.cancel"),
    Command("help", "f1", "dismiss_help", "keys.help", show=False),
    Command("keys", "tab", "next_tab", "keys_ui.keys.next_tab", id="keys_next_tab"),
    Command(
        "keys", "shift+tab", "prev_tab", "keys_ui.keys.prev_tab", id="keys_prev_tab", show=False
    ),
    Command("keys", "ctrl+n", "new", "keys.new", id="keys_new"),
    Command("keys", "ctrl+e", "edit", "keys_ui.keys.edit", id="keys_edit"),
    Command("keys", "ctrl+x", "retire", "keys_ui.keys.retire", id="keys_retire"),
    Include("keys", "entrusted_actions"),
    Command("keys", "ctrl+u", "count", "keys_ui.keys.count", id="keys_count"),
    Command(
        "keys", "ctrl+f", "toggle_all", "keys_ui.keys.toggle_all", id="keys_toggle_all", show=False
    ),
    Command("lookup", "ctrl+l", "room_history", "lookup_ui.keys.history", id="lookup_history"),
    Command("lookup", "ctrl+t", "reveal", "reveal.key", id="lookup_reveal", show=False),
    Command("lookup", "ctrl+f", "filters", "lookup_ui.keys.filters", id="lookup_filters"),
    Command("lookup", "escape", "focus_search", "lookup_ui.keys.search", id="lookup_search"),
    Command("filters_dialog", "ctrl+s", "save", "lookup_ui.filters.save", id="filters_save"),
    Command("filters_dialog", "ctrl+d", "delete", "lookup_ui.filters.delete", id="filters_delete"),
    Command("filters_dialog", "escape", "dismiss_none", "lookup_ui.keys.close", id="filters_close"),
    Command("night_log", "ctrl+n", "new_entry", "nightlog_ui.keys.new", id="nightlog_new"),
    Command("night_log", "enter", "open_entry", "keys.open", id="nightlog_open"),
    Include("night_log", "nightlog_actions"),
    Command("night_log", "ctrl+r", "refresh", "keys.refresh", id="nightlog_refresh"),
    Command(
        "nightlog_actions",
        "ctrl+g",
        "to_repair",
        "nightlog_ui.keys.to_repair",
        id="nightlog_to_repair",
    ),
    Command(
        "nightlog_actions",
        "ctrl+t",
        "to_complaint",
        "nightlog_ui.keys.to_complaint",
        id="nightlog_to_complaint",
    ),
    Command(
        "nightlog_actions", "ctrl+x", "close_entry", "nightlog_ui.keys.close", id="nightlog_close"
    ),
    Include("night_log_detail", "nightlog_actions"),
    Command(
        "night_log_detail",
        "ctrl+r",
        "refresh",
        "keys.refresh",
        id="nightlog_detail_refresh",
        show=False,
    ),
    Command(
        "night_log_detail", "escape", "back", "nightlog_ui.keys.back", id="nightlog_detail_back"
    ),
    Command(
        "night_log_detail",
        "ctrl+e",
        "to_incident",
        "incident_ui.keys.from_night",
        id="nightlog_to_incident",
    ),
    Command("incidents", "ctrl+n", "new_incident", "keys.new", id="incident_new"),
    Command("incidents", "enter", "open_record", "keys.open", id="incident_open"),
    Command(
        "incidents", "ctrl+f", "toggle_all", "incident_ui.keys.toggle_all", id="incident_toggle_all"
    ),
    Command("incidents", "ctrl+r", "refresh", "keys.refresh", id="incident_refresh"),
    # an incident's page; the findings panel's keys (raise, send, rectified, re-inspect,
    # withdraw: ctrl+g d y u x) are shared with every page that finds things
    Command(
        "incident_detail",
        "ctrl+a",
        "record_step",
        "incident_ui.keys.record_step",
        id="incident_step",
    ),
    Command(
        "incident_detail",
        "ctrl+n",
        "not_needed",
        "incident_ui.keys.not_needed",
        id="incident_not_needed",
    ),
    Command("incident_detail", "ctrl+v", "arrive", "incident_ui.keys.arrive", id="incident_arrive"),
    Command(
        "incident_detail", "ctrl+e", "record_cause", "incident_ui.keys.cause", id="incident_cause"
    ),
    Command(
        "incident_detail",
        "ctrl+b",
        "stand_in",
        "incident_ui.keys.stand_in",
        id="incident_stand_in",
    ),
    Command(
        "incident_detail",
        "ctrl+k",
        "end_stand_in",
        "incident_ui.keys.end_stand_in",
        id="incident_end_stand_in",
    ),
    Command(
        "incident_detail",
        "ctrl+w",
        "new_repair",
        "incident_ui.keys.new_repair",
        id="incident_new_repair",
    ),
    Command(
        "incident_detail",
        "ctrl+t",
        "new_complaint",
        "incident_ui.keys.new_complaint",
        id="incident_new_complaint",
    ),
    Command(
        "incident_detail", "ctrl+l", "hand_on", "incident_ui.keys.hand_on", id="incident_hand_on"
    ),
    Include("incident_detail", "findings_panel"),
    Command(
        "incident_detail",
        "ctrl+f",
        "close_incident",
        "incident_ui.keys.close",
        id="incident_close",
    ),
    Command(
        "incident_detail",
        "ctrl+r",
        "refresh",
        "keys.refresh",
        id="incident_detail_refresh",
        show=False,
    ),
    Command("incident_detail", "escape", "back", "repair_ui.keys.back", id="incident_back"),
    Command("pass_detail", "ctrl+g", "gate", "passes_ui.keys.gate", id="pass_gate"),
    Include("pass_detail", "record_new"),
    Command("pass_detail", "ctrl+t", "stub", "passes_ui.keys.stub", id="pass_stub"),
    Command("pass_detail", "ctrl+x", "void", "passes_ui.keys.void", id="pass_void"),
    Command("pass_detail", "ctrl+w", "print_slip", "keys.print", id="pass_print"),
    Command(
        "pass_detail", "ctrl+r", "refresh", "keys.refresh", id="pass_detail_refresh", show=False
    ),
    Command("pass_detail", "escape", "back", "repair_ui.keys.back", id="pass_back"),
    Command("pass_form", "ctrl+l", "add_line", "passes_ui.keys.add_line", id="pass_add_line"),
    Command(
        "pass_form", "ctrl+y", "remove_line", "passes_ui.keys.remove_line", id="pass_remove_line"
    ),
    Command("reconcile", "ctrl+t", "tick", "passes_ui.keys.stub", id="recon_tick"),
    Command("reconcile", "ctrl+r", "refresh", "keys.refresh", id="recon_refresh"),
    Command("reconcile", "escape", "back", "repair_ui.keys.back", id="recon_back"),
    Command("owner_changes", "ctrl+n", "new_change", "keys.new", id="owner_change_new"),
    Command("owner_changes", "enter", "open_change", "keys.open", id="owner_change_open"),
    Command("owner_changes", "ctrl+r", "refresh", "keys.refresh", id="owner_change_refresh"),
    Command(
        "owner_change_detail",
        "ctrl+e",
        "apply",
        "owner_change_ui.keys.apply",
        id="owner_change_apply",
    ),
    Command(
        "owner_change_detail",
        "ctrl+x",
        "reject",
        "owner_change_ui.keys.reject",
        id="owner_change_reject",
    ),
    Command(
        "owner_change_detail",
        "ctrl+w",
        "withdraw",
        "owner_change_ui.keys.withdraw",
        id="owner_change_withdraw",
    ),
    Command(
        "owner_change_detail",
        "ctrl+r",
        "refresh",
        "keys.refresh",
        id="owner_change_detail_refresh",
        show=False,
    ),
    Command("owner_change_detail", "escape", "back", "repair_ui.keys.back", id="owner_change_back"),
    Command("passes", "ctrl+n", "new_pass", "keys.new", id="pass_new"),
    Command("passes", "enter", "open_pass", "keys.open", id="pass_open"),
    Command("passes", "ctrl+l", "reconcile", "passes_ui.keys.reconcile", id="pass_reconcile"),
    Command("passes", "ctrl+r", "refresh", "keys.refresh", id="pass_refresh"),
    Command(
        "renovation_detail",
        "ctrl+d",
        "complete",
        "renovation_ui.keys.complete",
        id="renovation_complete",
    ),
    Command(
        "renovation_detail",
        "ctrl+g",
        "to_engineering",
        "renovation_ui.keys.to_engineering",
        id="renovation_to_engineering",
    ),
    Command(
        "renovation_detail",
        "ctrl+a",
        "approve",
        "renovation_ui.keys.approve",
        id="renovation_approve",
    ),
    Command(
        "renovation_detail", "ctrl+u", "refuse", "renovation_ui.keys.refuse", id="renovation_refuse"
    ),
    Command(
        "renovation_detail",
        "ctrl+k",
        "issue_permit",
        "renovation_ui.keys.issue_permit",
        id="renovation_issue_permit",
    ),
    Command(
        "renovation_detail",
        "ctrl+b",
        "start_works",
        "renovation_ui.keys.start_works",
        id="renovation_start_works",
    ),
    Command(
        "renovation_detail", "ctrl+l", "visit", "renovation_ui.keys.visit", id="renovation_visit"
    ),
    Command(
        "renovation_detail", "ctrl+y", "resume", "renovation_ui.keys.resume", id="renovation_resume"
    ),
    Command(
        "renovation_detail", "ctrl+e", "finish", "renovation_ui.keys.finish", id="renovation_finish"
    ),
    Command(
        "renovation_detail",
        "ctrl+t",
        "inspect",
        "renovation_ui.keys.inspect",
        id="renovation_inspect",
    ),
    Command(
        "renovation_detail", "ctrl+f", "rebook", "renovation_ui.keys.rebook", id="renovation_rebook"
    ),
    Command(
        "renovation_detail", "ctrl+n", "refund", "renovation_ui.keys.refund", id="renovation_refund"
    ),
    Command(
        "renovation_detail",
        "ctrl+s",
        "archive",
        "renovation_ui.keys.archive",
        id="renovation_archive",
    ),
    Command(
        "renovation_detail",
        "ctrl+x",
        "withdraw",
        "renovation_ui.keys.withdraw",
        id="renovation_withdraw",
    ),
    Command("renovation_detail", "ctrl+w", "print_permit", "keys.print", id="renovation_print"),
    # its workers' passes (a letter, as on the board: the page has no field to type in)
    Command(
        "renovation_detail",
        "w",
        "worker_passes",
        "worker_pass_ui.keys.open",
        id="renovation_worker_passes",
    ),
    Include("renovation_detail", "record_new"),
    Command(
        "renovation_detail",
        "ctrl+r",
        "refresh",
        "keys.refresh",
        id="renovation_detail_refresh",
        show=False,
    ),
    Command("renovation_detail", "escape", "back", "repair_ui.keys.back", id="renovation_back"),
    # the daily patrol (日常巡查): its list, a round's page, and the findings panel any record
    # page that finds things includes (desk.screens.findings_panel)
    Command("patrols", "ctrl+n", "new_round", "keys.new", id="patrol_new"),
    Command("patrols", "enter", "open_record", "keys.open", id="patrol_open"),
    Command("patrols", "ctrl+f", "toggle_all", "patrol_ui.keys.toggle_all", id="patrol_all"),
    Command("patrols", "ctrl+r", "refresh", "keys.refresh", id="patrol_refresh"),
    Command("patrol_detail", "ctrl+k", "point_ok", "patrol_ui.keys.ok", id="patrol_point_ok"),
    Command(
        "patrol_detail", "ctrl+f", "point_finding", "patrol_ui.keys.finding", id="patrol_finding"
    ),
    Command("patrol_detail", "ctrl+e", "finish", "patrol_ui.keys.finish", id="patrol_finish"),
    Include("patrol_detail", "findings_panel"),
    Command("patrol_detail", "ctrl+r", "refresh", "keys.refresh", id="patrol_detail_refresh"),
    Command("patrol_detail", "escape", "back", "repair_ui.keys.back", id="patrol_back"),
    # move-ins (入伙) and 托管: the list (m on the board) and a case's page; the findings panel's
    # keys (ctrl+g d y u x) raise and follow the inspection's problems
    Command("move_ins", "ctrl+n", "new_move_in", "keys.new", id="move_in_new"),
    Command("move_ins", "enter", "open_record", "keys.open", id="move_in_open"),
    Command("move_ins", "ctrl+f", "toggle_all", "move_in_ui.keys.toggle_all", id="move_in_all"),
    Command("move_ins", "ctrl+r", "refresh", "keys.refresh", id="move_in_refresh"),
    Command(
        "move_in_detail",
        "ctrl+a",
        "check_documents",
        "move_in_ui.keys.documents",
        id="move_in_documents",
    ),
    Command("move_in_detail", "ctrl+e", "papers", "move_in_ui.keys.papers", id="move_in_papers"),
    Command("move_in_detail", "ctrl+l", "meters", "move_in_ui.keys.meters", id="move_in_meters"),
    Command("move_in_detail", "ctrl+v", "inspect", "move_in_ui.keys.inspect", id="move_in_inspect"),
    Command(
        "move_in_detail",
        "ctrl+b",
        "book_reinspection",
        "move_in_ui.keys.reinspection",
        id="move_in_reinspection",
    ),
    Command(
        "move_in_detail", "ctrl+k", "complete", "move_in_ui.keys.complete", id="move_in_complete"
    ),
    # 托管 begins and ends on one key: the case's state says which
    Command("move_in_detail", "ctrl+t", "custody", "move_in_ui.keys.custody", id="move_in_custody"),
    Command(
        "move_in_detail",
        "ctrl+n",
        "custody_patrol",
        "move_in_ui.keys.patrol",
        id="move_in_patrol",
    ),
    Command("move_in_detail", "ctrl+f", "tell_owner", "move_in_ui.keys.tell", id="move_in_tell"),
    Command("move_in_detail", "ctrl+w", "print_archive", "keys.print", id="move_in_print"),
    # a booking called off (a supervisor's, with the reason)
    Command(
        "move_in_detail", "delete", "cancel_move_in", "move_in_ui.keys.cancel", id="move_in_cancel"
    ),
    Include("move_in_detail", "findings_panel"),
    Command("move_in_detail", "ctrl+r", "refresh", "keys.refresh", id="move_in_detail_refresh"),
    Command("move_in_detail", "escape", "back", "repair_ui.keys.back", id="move_in_back"),
    Command(
        "findings_panel", "ctrl+g", "raise_finding", "findings_ui.keys.raise", id="finding_raise"
    ),
    Command("findings_panel", "ctrl+d", "send_finding", "findings_ui.keys.send", id="finding_send"),
    Command(
        "findings_panel",
        "ctrl+y",
        "finding_rectified",
        "findings_ui.keys.rectified",
        id="finding_rectified",
    ),
    Command(
        "findings_panel",
        "ctrl+u",
        "recheck_finding",
        "findings_ui.keys.recheck",
        id="finding_recheck",
    ),
    Command(
        "findings_panel",
        "ctrl+x",
        "withdraw_finding",
        "findings_ui.keys.withdraw",
        id="finding_withdraw",
    ),
    # paid convenience services: the list, a booking's page (one key per step of its LIFECYCLE)
    Command("services", "ctrl+n", "new_booking", "keys.new", id="service_new"),
    Command("services", "enter", "open_record", "keys.open", id="service_open"),
    Command("services", "ctrl+f", "toggle_all", "renovation_ui.keys.toggle_all", id="service_all"),
    Command("services", "ctrl+w", "print_list", "services_ui.keys.print_list", id="service_print"),
    Command("services", "ctrl+r", "refresh", "keys.refresh", id="service_refresh"),
    Command(
        "service_detail", "ctrl+g", "reagree", "services_ui.keys.reagree", id="service_reagree"
    ),
    Command("service_detail", "ctrl+d", "send", "services_ui.keys.send", id="service_send"),
    Command("service_detail", "ctrl+e", "done", "services_ui.keys.done", id="service_done"),
    Command("service_detail", "ctrl+y", "accept", "services_ui.keys.accept", id="service_accept"),
    Command("service_detail", "ctrl+u", "redo", "services_ui.keys.redo", id="service_redo"),
    Command("service_detail", "ctrl+k", "pay", "services_ui.keys.pay", id="service_pay"),
    Command(
        "service_detail",
        "ctrl+b",
        "call_back",
        "services_ui.keys.call_back",
        id="service_call_back",
    ),
    Command("service_detail", "ctrl+l", "close", "services_ui.keys.close", id="service_close"),
    Command("service_detail", "ctrl+x", "cancel", "services_ui.keys.cancel", id="service_cancel"),
    Command(
        "service_detail",
        "ctrl+r",
        "refresh",
        "keys.refresh",
        id="service_detail_refresh",
        show=False,
    ),
    Command("service_detail", "escape", "back", "repair_ui.keys.back", id="service_back"),
    Command("renovations", "ctrl+n", "new_renovation", "keys.new", id="renovation_new"),
    Command("renovations", "enter", "open_record", "keys.open", id="renovation_open"),
    Command(
        "renovations",
        "ctrl+f",
        "toggle_all",
        "renovation_ui.keys.toggle_all",
        id="renovation_toggle_all",
    ),
    Command("renovations", "ctrl+r", "refresh", "keys.refresh", id="renovation_refresh"),
    Command("renovations", "ctrl+t", "reveal", "reveal.key", id="renovation_reveal", show=False),
    Command("worker_passes", "ctrl+n", "new_pass", "keys.new", id="worker_pass_new"),
    Command(
        "worker_passes", "ctrl+x", "revoke", "worker_pass_ui.keys.revoke", id="worker_pass_revoke"
    ),
    Command("worker_passes", "ctrl+w", "print_pass", "keys.print", id="worker_pass_print"),
    Command(
        "worker_passes", "ctrl+f", "filter", "worker_pass_ui.keys.filter", id="worker_pass_filter"
    ),
    Command("worker_passes", "ctrl+r", "refresh", "keys.refresh", id="worker_pass_refresh"),
    Command("worker_passes", "escape", "back", "repair_ui.keys.back", id="worker_pass_back"),
    Command("reception", "ctrl+s", "save", "keys.save", id="reception_save"),
    Command("reception", "ctrl+n", "new", "keys.new", id="new"),
    Command("reception", "escape", "escape", "reception_ui.key_escape", id="escape"),
    Command("reception", "ctrl+g", "insert_reply", "reply_picker.key", id="insert_reply"),
    Command("reception", "ctrl+t", "reveal", "reveal.key", id="reception_reveal", show=False),
    Command("reason_dialog", "ctrl+s", "save", "keys.save"),
    Command("reason_dialog", "escape", "cancel", "keys.cancel"),
    Command("reception_detail", "escape", "back", "reception_detail.key_back", id="back"),
    Include("reception_detail", "record_new"),
    Command("reception_detail", "ctrl+y", "answer", "reception_detail.key_answer", id="answer"),
    Command("reception_detail", "ctrl+x", "close_entry", "reception_detail.key_close", id="close"),
    Command(
        "reception_detail",
        "ctrl+l",
        "make_linked",
        "reception_detail.key_link",
        id="reception_link",
    ),
    Command("reception_detail", "ctrl+n", "correct", "correct.key", id="reception_correct"),
    Command("repair_detail", "ctrl+d", "dispatch", "repair_ui.keys.dispatch", id="repair_dispatch"),
    Command("repair_detail", "ctrl+a", "arrive", "repair_ui.keys.arrive", id="repair_arrive"),
    Command("repair_detail", "ctrl+e", "complete", "repair_ui.keys.complete", id="repair_complete"),
    Command("repair_detail", "ctrl+b", "callback", "repair_ui.keys.callback", id="repair_callback"),
    Command(
        "repair_detail", "ctrl+x", "cancel_order", "repair_ui.keys.cancel_order", id="repair_cancel"
    ),
    Command(
        "repair_detail", "ctrl+t", "refer_out", "repair_ui.keys.refer_out", id="repair_refer_out"
    ),
    Command(
        "repair_detail", "ctrl+l", "reschedule", "repair_ui.keys.reschedule", id="repair_reschedule"
    ),
    Command("repair_detail", "ctrl+w", "print_slip", "keys.print", id="repair_print"),
    Command(
        "repair_detail", "ctrl+g", "agree_price", "repair_ui.keys.agree_price", id="repair_price"
    ),
    Command("repair_detail", "ctrl+u", "bill", "repair_ui.keys.bill", id="repair_bill"),
    Command("repair_detail", "ctrl+y", "pay", "repair_ui.keys.pay", id="repair_pay"),
    Command(
        "repair_detail",
        "ctrl+k",
        "correct_charges",
        "repair_ui.keys.correct_charges",
        id="repair_correct_charges",
    ),
    Command(
        "repair_detail", "ctrl+r", "refresh", "keys.refresh", id="repair_detail_refresh", show=False
    ),
    Command("repair_detail", "escape", "back", "repair_ui.keys.back", id="repair_back"),
    Command("repair_detail", "ctrl+n", "correct", "correct.key", id="repair_correct"),
    Include("repair_detail", "record_new"),
    Command("table", "home", "scroll_top", "keys.first_row", id="first_row", show=False),
    Command("table", "end", "scroll_bottom", "keys.last_row", id="last_row", show=False),
    Command(
        "record_new",
        "f3",
        "new_repair_here",
        "keys.new_repair_here",
        id="new_repair_here",
        show=False,
    ),
    Command("repairs", "ctrl+n", "new_order", "keys.new", id="repair_new"),
    Command("repairs", "enter", "open_order", "keys.open", id="repair_open"),
    Command("repairs", "ctrl+f", "toggle_all", "repair_ui.keys.toggle_all", id="repair_toggle_all"),
    Command("repairs", "ctrl+r", "refresh", "keys.refresh", id="repair_refresh"),
    Command("repairs", "ctrl+t", "reveal", "reveal.key", id="repair_reveal", show=False),
    Command("standard_replies", "ctrl+n", "new_reply", "keys.new", id="reply_new"),
    Command("standard_replies", "enter", "open_reply", "keys.open", id="reply_open"),
    Command("standard_replies", "ctrl+y", "approve", "replies.keys.approve", id="reply_approve"),
    Command("standard_replies", "ctrl+x", "retire", "replies.keys.retire", id="reply_retire"),
    Command(
        "standard_replies",
        "ctrl+f",
        "toggle_retired",
        "replies.keys.toggle_retired",
        id="reply_toggle",
    ),
    Command("standard_replies", "ctrl+r", "refresh", "keys.refresh", id="reply_refresh"),
    Command("reply_picker_dialog", "escape", "cancel", "keys.cancel", id="reply_pick_cancel"),
    Command("estate_chooser_dialog", "escape", "cancel", "keys.cancel", id="estate_cancel"),
    Command("reply_picker_dialog", "down", "move(1)", "", show=False),
    Command("reply_picker_dialog", "up", "move(-1)", "", show=False),
    Command("report", "ctrl+r", "count", "report_ui.keys.show", id="report_count"),
    Command("report", "ctrl+s", "write", "report_ui.keys.write", id="report_write"),
    Command("report", "ctrl+l", "period", "report_ui.keys.period", id="report_period"),
    Command("room_history", "escape", "back", "lookup_ui.keys.close", id="history_back"),
    Command("room_history", "ctrl+y", "phones", "lookup_ui.keys.phones", id="history_phones"),
    Command("room_history", "enter", "open_record", "lookup_ui.keys.open", show=False),
    Command(
        "settings", "ctrl+e", "edit_calendar", "settings.keys.edit_calendar", id="settings_calendar"
    ),
    Command("settings", "escape", "app.pop_screen", "keys.cancel"),
    # (rows end)
)


def rows(*places: str) -> list[Command]:
    """The keys of `places`, in the order they are declared, included places spliced in."""
    found: list[Command] = []
    for place in places:
        for entry in COMMANDS:
            if entry.where != place:
                continue
            found.extend(rows(entry.place) if isinstance(entry, Include) else [entry])
    return found


def bindings(*places: str) -> list[BindingType]:
    """The Textual bindings of `places` (a screen's BINDINGS); a place with no keys is a
    mistyped name, refused as the class is made."""
    unknown = set(places) - set(all_places())
    if unknown:
        raise ValueError(f"no keys declared for {', '.join(sorted(unknown))}")
    return [command.binding() for command in rows(*places)]


def all_places() -> list[str]:
    """Every place that has keys, in the order first declared."""
    return list(dict.fromkeys(entry.where for entry in COMMANDS))
