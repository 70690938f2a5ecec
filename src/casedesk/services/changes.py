"""What a service call changed, so each screen can decide whether to reload (Anki OpChanges)."""

from __future__ import annotations

from enum import Flag, auto


class Changes(Flag):
    """Areas of data a service call changed."""

    NONE = 0
    CLIENTS = auto()
    NOTES = auto()
    INTAKE = auto()
    CONSENT = auto()
    RISK = auto()
    ASSESSMENTS = auto()
    PLANS = auto()
    REFERRALS = auto()
    DIRECTORY = auto()
    DOCUMENTS = auto()
    SETTINGS = auto()
    SYNC = auto()
    ALL = (
        CLIENTS
        | NOTES
        | INTAKE
        | CONSENT
        | RISK
        | ASSESSMENTS
        | PLANS
        | REFERRALS
        | DIRECTORY
        | DOCUMENTS
        | SETTINGS
        | SYNC
    )
