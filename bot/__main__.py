"""`python -m bot …`: the `tremplin` command (bot/bootstrap.py)."""
import sys

from bot.bootstrap import main

sys.exit(main())
