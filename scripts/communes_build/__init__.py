"""The steps of ``scripts/build_communes.py``: read the sources, match names, place and approximate points."""
