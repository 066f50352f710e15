"""``python -m bot`` runs the ``replywatch`` command line."""

import sys

from bot.cli import main

sys.exit(main())
