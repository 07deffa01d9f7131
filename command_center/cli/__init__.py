"""``python run_wall.py [serve|validate|kiosk|agency-tokens|bridge-tokens|bridge-client|reset-password|
users|audit|rotate-keys|credentials|unlock] …``: the wall's commands.

    entry.py       the entry point: parse, then run one command (``run-wall`` script)
    arguments.py   every command's flags (the README lists them; ``test_docs`` checks both ways)
    arg_types.py   parsing one flag's value, refusing a bad one with what was expected
    serve.py       ``serve`` (the default): the server until SIGINT/SIGTERM, a hard deadline after
    validate.py    ``validate``: wall, preset, feed and bridge-point specs, every problem at once
    devices.py     device credentials: ``kiosk``, ``agency-tokens``, ``bridge-tokens``,
                   ``rotate-keys``, ``credentials``
    users.py       accounts and the audit: ``users``, ``reset-password``, ``unlock``, ``audit``
    actor.py       who ran a command, for the audit trail
"""

from command_center.cli.arguments import parser
from command_center.cli.entry import command_words, main
from command_center.cli.serve import EXIT_DEADLINE

__all__ = ["EXIT_DEADLINE", "command_words", "main", "parser"]
