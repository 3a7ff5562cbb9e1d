"""Invitation tokens sent by e-mail (delegation members, co-authors, booth staff).

The token is random and only its SHA-256 is stored, so a leaked database cannot be used to
join, and a forged token matches nothing. One rule for every app that invites.
"""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
