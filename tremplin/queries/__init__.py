"""Read-side queries (cosmicpython's `views.py`): what the conversation shows, read in one place and
never written here. Rules that change something live in `tremplin.services`; actions call both and
only word the answer, so no action builds SQL of its own."""
