"""Tremplin's front ends: the Telegram gateway, the terminal chat and the notifier.

Every front end relays what the user says to the Rasa server (REST channel) under a pseudonymous
sender id and renders Rasa's answers natively; the notifier delivers the domain's outbox."""
