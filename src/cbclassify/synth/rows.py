"""Columnar posting rows: the generator's internal form of ``transactions``.

Rows are dicts of equal-length numpy arrays with small integer codes; ``assemble`` turns them
into the contract frame once. ``gline`` is the global line index (-1: claim-level posting).
A payer posting's check/EFT is identified by its *payment key* (payer, ``key_day``, ``key_era``):
all rows with one key share a trace number, and an era_id where ``has_era``.
"""

from __future__ import annotations

import numpy as np

from cbclassify.contract.enums import GROUP_CODES, TXN_KINDS, TXN_METHODS

KIND = {name: i for i, name in enumerate(TXN_KINDS)}
PAYER_SRC, PATIENT_SRC = 0, 1
METHOD = {name: i for i, name in enumerate(TXN_METHODS)}
GROUP = {name: i for i, name in enumerate(GROUP_CODES)}
REASONS: tuple[str, ...] = ("1", "2", "3", "16", "23", "27", "29", "45", "50", "197", "253")
REASON = {code: i for i, code in enumerate(REASONS)}
NO_AMOUNT = np.iinfo(np.int64).min  # allowed_amount absent

#: Trace kinds: none, a payer payment key (EFT/check), a patient receipt, a refund check.
TRACE_NONE, TRACE_KEY, TRACE_RECEIPT, TRACE_REFUND = 0, 1, 2, 3

#: posted_by users: index 0..2 systems, then front desks, then billers.
SYSTEM_USERS: tuple[str, ...] = ("era-autopost", "lockbox-import", "patient-portal")
N_FRONT_DESKS, N_BILLERS = 8, 8
USERS: tuple[str, ...] = (
    SYSTEM_USERS
    + tuple(f"frontdesk{i + 1:02d}" for i in range(N_FRONT_DESKS))
    + tuple(f"biller{i + 1:02d}" for i in range(N_BILLERS))
)
USER_ERA, USER_LOCKBOX, USER_PORTAL = 0, 1, 2
FRONT_DESK0 = len(SYSTEM_USERS)
BILLER0 = FRONT_DESK0 + N_FRONT_DESKS

#: Roles of base rows, for marking evidence (bit ``1 << role`` in an evidence mask).
ROLE_OTHER, ROLE_PAY, ROLE_CO45, ROLE_SEQ, ROLE_PR, ROLE_TOS, ROLE_STMT, ROLE_SEC = range(8)

_FIELDS: dict[str, tuple[type, object]] = {
    "claim": (np.int64, None),
    "gline": (np.int64, -1),
    "kind": (np.int8, None),
    "source": (np.int8, None),
    "payer": (np.int32, -1),
    "amount": (np.int64, None),
    "group": (np.int8, -1),
    "reason": (np.int16, -1),
    "allowed": (np.int64, NO_AMOUNT),
    "trace_kind": (np.int8, TRACE_NONE),
    "trace_num": (np.int64, -1),
    "key_day": (np.int64, -1),
    "key_era": (np.bool_, False),
    "has_era": (np.bool_, False),
    "in_remit": (np.bool_, True),
    "method": (np.int8, None),
    "posted_day": (np.int64, None),
    "posted_by": (np.int16, None),
    "evid": (np.int64, -1),
    "phase": (np.int8, 0),
    "role": (np.int8, ROLE_OTHER),
}
FIELDS: tuple[str, ...] = tuple(_FIELDS)
Rows = dict[str, np.ndarray]


def make_rows(n: int, **cols: object) -> Rows:
    """``n`` rows; each column is an array of length ``n`` or a scalar broadcast to it."""
    unknown = set(cols) - set(_FIELDS)
    if unknown:
        raise KeyError(f"unknown row fields: {sorted(unknown)}")
    out: Rows = {}
    for name, (dtype, default) in _FIELDS.items():
        value = cols.get(name, default)
        if value is None:
            raise KeyError(f"row field {name!r} is required")
        arr = np.asarray(value)
        if arr.ndim == 0:
            arr = np.full(n, arr, dtype=dtype)
        elif len(arr) != n:
            raise ValueError(f"row field {name!r} has {len(arr)} values, expected {n}")
        out[name] = arr.astype(dtype, copy=False)
    return out


def concat_rows(parts: list[Rows]) -> Rows:
    """Concatenate row chunks (an empty list gives zero rows)."""
    parts = [p for p in parts if len(p["claim"])]
    if not parts:
        return make_rows(
            0, claim=[], kind=[], source=[], amount=[], method=[], posted_day=[], posted_by=[]
        )
    return {name: np.concatenate([p[name] for p in parts]) for name in FIELDS}


def take_rows(rows: Rows, mask_or_index: np.ndarray) -> Rows:
    """A subset of rows by boolean mask or index array."""
    return {name: values[mask_or_index] for name, values in rows.items()}


class RowSink:
    """Collects row chunks."""

    def __init__(self) -> None:
        self.parts: list[Rows] = []

    def add(self, n: int, **cols: object) -> None:
        """Add ``n`` rows (nothing when ``n`` is 0)."""
        if n:
            self.parts.append(make_rows(n, **cols))

    def extend(self, rows: Rows) -> None:
        """Add already-built rows."""
        if len(rows["claim"]):
            self.parts.append(rows)

    def rows(self) -> Rows:
        """All rows collected so far, concatenated."""
        return concat_rows(self.parts)
