"""Seed data for demonstrations (everything it creates is fictional and flagged ``is_demo``)."""
from tremplin.seed.demo import DEMO_CHANNEL, SEED_PATH, load_seed, seed_demo, week_of

__all__ = ["DEMO_CHANNEL", "SEED_PATH", "load_seed", "seed_demo", "week_of"]
