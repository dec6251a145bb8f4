"""Rasa custom actions (rasa-sdk action server, app environment): thin handlers over the domain.

Run with `python -m rasa_sdk --actions actions`; every module of this package is registered."""
