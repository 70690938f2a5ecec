"""Identity of reference data, and which of several rows sharing a natural key is the one.

Reference data is what every device creates on its own, before it has talked to any other:
the built-in assessment domain set is registered on each device the first time it is needed.
Such a row must be the *same* row everywhere, or two devices of one worker end with two rows
for one thing. So its id is derived from its natural key (UUIDv5 in a fixed namespace) and its
bookkeeping times are a fixed instant: two devices create byte-identical rows, the hub keeps the
first and acknowledges the second as already there, and nothing conflicts.

Rows made before this rule (random ids), and rows a worker makes under a chosen natural key on
two devices at once (a copied domain set called ``my-set`` on both laptops), can still share a
natural key with different ids. Neither can be removed: they are append-only on the hub and
assessments may point at either. Every device therefore keeps all of them and treats the one
:func:`canonical_id` picks as *the* row of that key; the choice depends only on the set of
ids, so every device that holds the same rows picks the same one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

# Never change these: every device must derive the same ids and times forever.
REFERENCE_NAMESPACE = uuid.UUID("6f1d3c52-4a8e-5b7f-9c21-0d4e8a6b3f10")
REFERENCE_STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def reference_id(kind: str, *natural_key: object) -> str:
    """The id every device gives the reference row ``kind`` with this natural key.

    Args:
        kind: what the row is (its table name), so two kinds never share an id.
        natural_key: the values that identify it, e.g. a domain set's key and version.
    """
    name = "\x1f".join([kind, *(str(part) for part in natural_key)])
    return str(uuid.uuid5(REFERENCE_NAMESPACE, name))


def canonical_id(ids: Iterable[str], reference: str | None = None) -> str:
    """The row that stands for a natural key held by several rows.

    The derived reference id wins when present (new devices all have it); otherwise the
    smallest id, which for time-ordered UUIDv7 ids is the row created first.

    Raises:
        ValueError: ``ids`` is empty.
    """
    candidates = set(ids)
    if not candidates:
        raise ValueError("no rows to choose from")
    if reference is not None and reference in candidates:
        return reference
    return min(candidates)
