"""Order lifecycle and operations: state machines, events, store, feedback, analytics.

The company's process (docs/design.md section 1) as frozen dataclasses driven by events:

- :mod:`~matchmaker.lifecycle._states`: the transition tables (order, visit, complaint,
  worker, customer), all in one place;
- :mod:`~matchmaker.lifecycle._events` / :mod:`~matchmaker.lifecycle._schema`: events and
  their validated JSONL format;
- one module per entity (``_order``, ``_visit``, ``_complaint``, ``_worker``,
  ``_customer``: state and ``apply(event)``), each beside the payload models of its events
  (``_<entity>_schema``); shared bases in ``_entity_base`` and ``_schema_base``;
- :mod:`~matchmaker.lifecycle._entities` and :mod:`~matchmaker.lifecycle._ledger`: any
  entity's ``apply(event)``, replay;
- :mod:`~matchmaker.lifecycle._store`: the SQLite event store (the default),
  :mod:`~matchmaker.lifecycle._store_pg` the same on PostgreSQL, both on
  :mod:`~matchmaker.lifecycle._store_sql`; :mod:`~matchmaker.lifecycle._readmodel`: the
  read models (current state per entity) kept in the same transaction as the events;
  :mod:`~matchmaker.lifecycle._operations`: one transaction per command;
- :mod:`~matchmaker.lifecycle._feedback` and :mod:`~matchmaker.lifecycle._policy`: the rules
  that turn ratings, complaints, declines and rework into matching input;
- :mod:`~matchmaker.lifecycle._pricing`, :mod:`~matchmaker.lifecycle._recurring`,
  :mod:`~matchmaker.lifecycle._followups`, :mod:`~matchmaker.lifecycle._analytics`;
- :mod:`~matchmaker.lifecycle._seed`, :mod:`~matchmaker.lifecycle._export` and
  :mod:`~matchmaker.lifecycle._plans`: the dispatch contracts in and out.

The public names load on first use, so a command that appends one event does not wait
for pandas, the dataset contract or OR-Tools (the report, an export or a placement do).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchmaker.lifecycle import _analytics as analytics
    from matchmaker.lifecycle._analytics_report import Report, report
    from matchmaker.lifecycle._complaint import Complaint
    from matchmaker.lifecycle._customer import CustomerRecord
    from matchmaker.lifecycle._entities import apply
    from matchmaker.lifecycle._events import (
        Command,
        Event,
        StoredEvent,
        event_from_mapping,
        make_event,
        read_events_jsonl,
        validation_issues,
    )
    from matchmaker.lifecycle._export import (
        ExportSummary,
        ReleasedPin,
        UnlinkedVisit,
        export_dataset,
        export_jobs,
    )
    from matchmaker.lifecycle._feedback import RULES, Rule, derive
    from matchmaker.lifecycle._followups import (
        FOLLOWUP_COLUMNS,
        FollowUp,
        followup_done,
        followup_rows,
        followups,
        followups_due,
        followups_frame,
    )
    from matchmaker.lifecycle._kpi_read import ledger_report, store_report
    from matchmaker.lifecycle._kpi_report import KpiReport
    from matchmaker.lifecycle._ledger import Ledger
    from matchmaker.lifecycle._live import (
        DiffApplied,
        apply_diff,
        recommend_visit,
        store_changes,
        store_round,
    )
    from matchmaker.lifecycle._money import contract_prices
    from matchmaker.lifecycle._money_lines import MoneyLine, PayLine
    from matchmaker.lifecycle._money_report import money_by_service_month, visit_margins
    from matchmaker.lifecycle._operations import Operations
    from matchmaker.lifecycle._order import Order
    from matchmaker.lifecycle._placement import PlacementRecord, PlacementSettlement, Stint
    from matchmaker.lifecycle._placement_ops import (
        DAYS_PER_MONTH,
        FOLLOW_UP_DAYS,
        PlacementFollowUp,
        ledger_commitments,
        open_shortlist_counts,
        placement_followups,
        placement_ops_kpis,
        recheck_holds,
        settle_month,
        settlement_lines,
        shortlist_placement,
    )
    from matchmaker.lifecycle._plans import ApplyPlanSummary, apply_plan
    from matchmaker.lifecycle._policy import (
        OpsPolicy,
        PayPolicy,
        PayRate,
        WorkerPay,
        load_ops_policy,
    )
    from matchmaker.lifecycle._pricing import (
        PaymentMethod,
        PriceBook,
        PriceUnit,
        Quote,
        QuoteLine,
        ServicePrice,
        Settlement,
        Statement,
        load_price_book,
        monthly_statement,
        quote_visit,
        quote_visits,
    )
    from matchmaker.lifecycle._readmodel import LazyLedger, RebuildSummary, rebuild_read_models
    from matchmaker.lifecycle._recurring import Recurrence, VisitTemplate, expand, jobs_frame
    from matchmaker.lifecycle._screening import missing_steps
    from matchmaker.lifecycle._seed import ImportSummary, import_dataset
    from matchmaker.lifecycle._statement import CustomerStatement, StatementLine, customer_statement
    from matchmaker.lifecycle._states import (
        COMPLAINT_TABLE,
        CUSTOMER_TABLE,
        ORDER_TABLE,
        PLACEMENT_TABLE,
        TABLES,
        VISIT_TABLE,
        WORKER_TABLE,
        ComplaintState,
        CustomerState,
        EntityType,
        OrderState,
        PlacementState,
        TransitionTable,
        VisitState,
        WorkerState,
    )
    from matchmaker.lifecycle._store import EventStore, StoreError, is_postgres_url, open_store
    from matchmaker.lifecycle._store_pg import PostgresStore
    from matchmaker.lifecycle._store_reads import store_followups_due, store_statement
    from matchmaker.lifecycle._store_sql import SqlStore
    from matchmaker.lifecycle._visit import JobSpec, Visit
    from matchmaker.lifecycle._worker import WorkerRecord

_SURFACE: dict[str, tuple[str, ...]] = {
    "matchmaker.lifecycle._analytics_report": (
        "Report",
        "report",
    ),
    "matchmaker.lifecycle._complaint": ("Complaint",),
    "matchmaker.lifecycle._customer": ("CustomerRecord",),
    "matchmaker.lifecycle._entities": ("apply",),
    "matchmaker.lifecycle._events": (
        "Command",
        "Event",
        "StoredEvent",
        "event_from_mapping",
        "make_event",
        "read_events_jsonl",
        "validation_issues",
    ),
    "matchmaker.lifecycle._export": (
        "ExportSummary",
        "ReleasedPin",
        "UnlinkedVisit",
        "export_dataset",
        "export_jobs",
    ),
    "matchmaker.lifecycle._kpi_read": ("ledger_report", "store_report"),
    "matchmaker.lifecycle._store_reads": ("store_followups_due", "store_statement"),
    "matchmaker.lifecycle._kpi_report": ("KpiReport",),
    "matchmaker.lifecycle._feedback": (
        "RULES",
        "Rule",
        "derive",
    ),
    "matchmaker.lifecycle._followups": (
        "FOLLOWUP_COLUMNS",
        "FollowUp",
        "followup_done",
        "followup_rows",
        "followups",
        "followups_due",
        "followups_frame",
    ),
    "matchmaker.lifecycle._ledger": ("Ledger",),
    "matchmaker.lifecycle._live": (
        "DiffApplied",
        "apply_diff",
        "recommend_visit",
        "store_changes",
        "store_round",
    ),
    "matchmaker.lifecycle._money": ("contract_prices",),
    "matchmaker.lifecycle._money_lines": (
        "MoneyLine",
        "PayLine",
    ),
    "matchmaker.lifecycle._money_report": (
        "money_by_service_month",
        "visit_margins",
    ),
    "matchmaker.lifecycle._screening": ("missing_steps",),
    "matchmaker.lifecycle._statement": (
        "CustomerStatement",
        "StatementLine",
        "customer_statement",
    ),
    "matchmaker.lifecycle._operations": ("Operations",),
    "matchmaker.lifecycle._order": ("Order",),
    "matchmaker.lifecycle._placement": (
        "PlacementRecord",
        "PlacementSettlement",
        "Stint",
    ),
    "matchmaker.lifecycle._placement_ops": (
        "DAYS_PER_MONTH",
        "FOLLOW_UP_DAYS",
        "PlacementFollowUp",
        "ledger_commitments",
        "open_shortlist_counts",
        "placement_followups",
        "placement_ops_kpis",
        "recheck_holds",
        "settle_month",
        "settlement_lines",
        "shortlist_placement",
    ),
    "matchmaker.lifecycle._plans": (
        "ApplyPlanSummary",
        "apply_plan",
    ),
    "matchmaker.lifecycle._policy": (
        "OpsPolicy",
        "PayPolicy",
        "PayRate",
        "WorkerPay",
        "load_ops_policy",
    ),
    "matchmaker.lifecycle._pricing": (
        "PaymentMethod",
        "PriceBook",
        "PriceUnit",
        "Quote",
        "QuoteLine",
        "ServicePrice",
        "Settlement",
        "Statement",
        "load_price_book",
        "monthly_statement",
        "quote_visit",
        "quote_visits",
    ),
    "matchmaker.lifecycle._readmodel": (
        "LazyLedger",
        "RebuildSummary",
        "rebuild_read_models",
    ),
    "matchmaker.lifecycle._recurring": (
        "Recurrence",
        "VisitTemplate",
        "expand",
        "jobs_frame",
    ),
    "matchmaker.lifecycle._seed": (
        "ImportSummary",
        "import_dataset",
    ),
    "matchmaker.lifecycle._states": (
        "COMPLAINT_TABLE",
        "CUSTOMER_TABLE",
        "ORDER_TABLE",
        "PLACEMENT_TABLE",
        "TABLES",
        "VISIT_TABLE",
        "WORKER_TABLE",
        "ComplaintState",
        "CustomerState",
        "EntityType",
        "OrderState",
        "PlacementState",
        "TransitionTable",
        "VisitState",
        "WorkerState",
    ),
    "matchmaker.lifecycle._store": (
        "EventStore",
        "StoreError",
        "is_postgres_url",
        "open_store",
    ),
    "matchmaker.lifecycle._store_pg": ("PostgresStore",),
    "matchmaker.lifecycle._store_sql": ("SqlStore",),
    "matchmaker.lifecycle._visit": (
        "JobSpec",
        "Visit",
    ),
    "matchmaker.lifecycle._worker": ("WorkerRecord",),
}
_HOME = {name: module for module, names in _SURFACE.items() for name in names}
_HOME["analytics"] = "matchmaker.lifecycle._analytics"  # the module itself


__all__ = [
    "COMPLAINT_TABLE",
    "CUSTOMER_TABLE",
    "DAYS_PER_MONTH",
    "FOLLOWUP_COLUMNS",
    "FOLLOW_UP_DAYS",
    "ORDER_TABLE",
    "PLACEMENT_TABLE",
    "RULES",
    "TABLES",
    "VISIT_TABLE",
    "WORKER_TABLE",
    "ApplyPlanSummary",
    "Command",
    "Complaint",
    "ComplaintState",
    "CustomerRecord",
    "CustomerState",
    "CustomerStatement",
    "DiffApplied",
    "EntityType",
    "Event",
    "EventStore",
    "ExportSummary",
    "FollowUp",
    "ImportSummary",
    "JobSpec",
    "KpiReport",
    "LazyLedger",
    "Ledger",
    "MoneyLine",
    "Operations",
    "OpsPolicy",
    "Order",
    "OrderState",
    "PayLine",
    "PayPolicy",
    "PayRate",
    "PaymentMethod",
    "PlacementFollowUp",
    "PlacementRecord",
    "PlacementSettlement",
    "PlacementState",
    "PostgresStore",
    "PriceBook",
    "PriceUnit",
    "Quote",
    "QuoteLine",
    "RebuildSummary",
    "Recurrence",
    "ReleasedPin",
    "Report",
    "Rule",
    "ServicePrice",
    "Settlement",
    "SqlStore",
    "Statement",
    "StatementLine",
    "Stint",
    "StoreError",
    "StoredEvent",
    "TransitionTable",
    "UnlinkedVisit",
    "Visit",
    "VisitState",
    "VisitTemplate",
    "WorkerPay",
    "WorkerRecord",
    "WorkerState",
    "analytics",
    "apply",
    "apply_diff",
    "apply_plan",
    "contract_prices",
    "customer_statement",
    "derive",
    "event_from_mapping",
    "expand",
    "export_dataset",
    "export_jobs",
    "followup_done",
    "followup_rows",
    "followups",
    "followups_due",
    "followups_frame",
    "import_dataset",
    "is_postgres_url",
    "jobs_frame",
    "ledger_commitments",
    "ledger_report",
    "load_ops_policy",
    "load_price_book",
    "make_event",
    "missing_steps",
    "money_by_service_month",
    "monthly_statement",
    "open_shortlist_counts",
    "open_store",
    "placement_followups",
    "placement_ops_kpis",
    "quote_visit",
    "quote_visits",
    "read_events_jsonl",
    "rebuild_read_models",
    "recheck_holds",
    "recommend_visit",
    "report",
    "settle_month",
    "settlement_lines",
    "shortlist_placement",
    "store_changes",
    "store_followups_due",
    "store_report",
    "store_round",
    "store_statement",
    "validation_issues",
    "visit_margins",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'matchmaker.lifecycle' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if name == "analytics" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
