"""Reading a message as the answer to the question just asked (see readers.py)."""
from tremplin.answers.readers import (
    NUMBER_WORDS, Reader, find_commune_in_sentence, is_dont_know, looks_like_question, parse_count, read_class_name,
    read_commune, read_contact, read_counted_places, read_dates, read_dates_in_sentence, read_dates_or_dont_know,
    read_distance, read_email, read_free_text, read_metier, read_named_dates, read_one_metier, read_one_wanted,
    read_person_name, read_phone, read_places, read_siret, read_wanted, read_yes_no,
)

__all__ = ["NUMBER_WORDS", "Reader", "find_commune_in_sentence", "is_dont_know", "looks_like_question", "parse_count",
           "read_class_name", "read_commune", "read_contact", "read_counted_places", "read_dates",
           "read_dates_in_sentence", "read_dates_or_dont_know", "read_distance", "read_email", "read_free_text",
           "read_metier", "read_named_dates", "read_one_metier", "read_one_wanted", "read_person_name", "read_phone",
           "read_places", "read_siret", "read_wanted", "read_yes_no"]
