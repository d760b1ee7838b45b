"""``python -m bot`` is the ``faqbot`` command."""

import sys

from bot.cli import main

sys.exit(main())
