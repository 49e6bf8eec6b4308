"""The office's operations, used by the bot (channels, web server, CLI) and the console alike.

Officer handoff (`office.handoff`), application status changes that tell the citizen
(`office.status`), reports (`office.reports` over the pure `office.report_math`), receipts
(`office.receipts`), telling a citizen something on their channel (`office.notifications`) and
the in-process live hub with its topic names (`office.live`). `Office` bundles the services the
composition root (`bot.app`) builds. Depends on dialogs, permit_rules and storage only; never on
bot or console.
"""

from office.services import Office

__all__ = ["Office"]
