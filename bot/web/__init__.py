"""The web side of Tremplin: web chat and widget, dashboard opened by a single-use link, partners' API."""
