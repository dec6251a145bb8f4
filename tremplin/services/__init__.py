"""Domain services: every rule of the stage lives here, enforced in code and backed by the database."""
