"""Privacy helpers: pseudonymous identifiers, sealed addresses and free-text scrubbing."""
