"""Start the wall: ``python run_wall.py`` (see ``--help`` for the other commands)."""

import sys

from command_center.cli import main

if __name__ == "__main__":
    sys.exit(main())
