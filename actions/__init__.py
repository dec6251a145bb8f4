"""Rasa custom actions (rasa-sdk action server, app environment): thin handlers over the domain.

Run with `python -m rasa_sdk --actions actions`; every module of this package is registered. The
launcher sets TREMPLIN_PRELOAD_MASKER=1 so the server loads the French model — and the 34 969
communes, ≈ 0.4 s that the first pupil joining a class paid (bench/turn_profile.py) — before it says
it is up. What they leave in memory (≈ a million long-lived objects) is then frozen out of the
garbage collector's full passes, which otherwise walk it all, pausing every turn of this server
(nlu/rasa_runtime.py does the same for Rasa)."""
import gc
import os

if os.environ.get("TREMPLIN_PRELOAD_MASKER") == "1":
    from tremplin.geography import get_communes
    from tremplin.privacy import preload

    preload()
    get_communes()
    gc.collect()
    gc.freeze()
