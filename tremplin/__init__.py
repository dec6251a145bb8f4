"""Tremplin: the domain of the stage d'observation de 3e (offers, applications, follow-up)."""
