"""The runtime on top of the office: composition root (`bot.app`), settings, the message path
(`bot.pipeline`), the outbox sender (`bot.outbox`), the channel adapters (`bot.channels`), the
web server (`bot.web`, which also mounts the console) and the `siketan` command line
(`bot.cli`). Nothing below it (office, dialogs, nlu, permit_rules, storage) imports it."""
