"""Local stand-ins for the servers the front ends talk to (Rasa's REST channel, Telegram's Bot API)."""
