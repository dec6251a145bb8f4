"""Privacy: pseudonymous identifiers and sealed addresses (identifiers), and the one entry point for
free text that reaches another person: `mask(text, audience, known_names)` → `Masked` (the text as it
will be read, and what was hidden, by kind). Actions and services call only `mask`."""
from tremplin.privacy.masker import Audience, Masked, mask, preload

__all__ = ["Audience", "Masked", "mask", "preload", "public_text"]


def public_text(text: str | None, audience: Audience = Audience.EMPLOYER_TO_PUPILS) -> str:
    """Just the masked text, for display lines (an offer's title shown to pupils)."""
    return mask(text, audience).text
