"""`python -m bot chat|bot|notifier|run`."""
import sys

from bot.commands import main

sys.exit(main())
