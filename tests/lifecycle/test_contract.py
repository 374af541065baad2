"""The columns the ops store writes are the dataset contract's (lifecycle._contract)."""

from __future__ import annotations

from matchmaker.io import EXTENSION_COLUMNS, contract_columns
from matchmaker.lifecycle._contract import (
    AVAILABILITY_COLUMNS,
    CUSTOMER_COLUMNS,
    EXTRA_JOB_COLUMNS,
    HOME_CARE_CUSTOMER_COLUMNS,
    HOME_CARE_WORKER_COLUMNS,
    JOB_COLUMNS,
    UNCARRIED_COLUMNS,
    WORKER_COLUMNS,
)


def test_columns_are_the_contracts_in_order() -> None:
    """The written-out column lists equal the contract's columns (io.contract_columns), in
    the contract's order, then the optional columns the store carries."""
    assert [*contract_columns("workers"), *HOME_CARE_WORKER_COLUMNS] == WORKER_COLUMNS
    assert [*contract_columns("customers"), *HOME_CARE_CUSTOMER_COLUMNS] == CUSTOMER_COLUMNS
    assert list(contract_columns("availability")) == AVAILABILITY_COLUMNS
    extra = [c for c in EXTENSION_COLUMNS["jobs"] if c not in UNCARRIED_COLUMNS]
    assert extra == EXTRA_JOB_COLUMNS
    assert [*contract_columns("jobs"), *extra] == JOB_COLUMNS


def test_every_optional_column_of_the_contract_is_carried_or_named_uncarried() -> None:
    """Each optional column the contract adds to workers and customers is written by the
    store or listed as one it does not keep, so a new one cannot be dropped silently."""
    for table, columns in (("workers", WORKER_COLUMNS), ("customers", CUSTOMER_COLUMNS)):
        for column in EXTENSION_COLUMNS[table]:
            assert column in columns or column in UNCARRIED_COLUMNS, (table, column)
