"""The office's operations, used by the bot (channels, web server, CLI) and the console alike.

- `office.handoff`: officer handoff (queue, claim, live reply, transfer, close, tickets).
- `office.status`: application status changes that tell the citizen.
- `office.notifications`: telling a citizen something on their channel (transcript + outbox).
- `office.reports` (figures), `office.report_export` (CSV/XLSX/JSON), `office.report_math`
  (the pure arithmetic).
- `office.receipts`: the application receipt (PDF).
- `office.accounts`: officer accounts (password hashes, creation, sign-in).
- `office.live`: the in-process live hub and its topic names.

`Office` bundles the services the composition root (`bot.app`) builds. This package depends on
dialogs, permit_rules and storage only; never on bot or console (tests/unit/test_architecture.py).
"""

from office.services import Office

__all__ = ["Office"]
