"""The few settings the console reads, as plain values given by whoever mounts it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    session_secret: str  # signs the sign-in cookies; "" = a random one per process
    session_hours: float  # a sign-in lasts this long after the last request
    public_url: str  # the server's public address ("https://..." makes cookies Secure)
    max_upload_bytes: int  # largest file an officer may send or attach
