"""Print the hash that names the trained model: every input of `rasa train` goes into it.

config.yml, domain/, data/nlu/ (examples, lookups, synonyms), data/rules/, data/stories.yml,
the custom components (nlu/*.py) and the Rasa pins (requirements-rasa.txt). Same inputs, same
hash: scripts/nlu_eval.sh then reuses models/tremplin-<hash>.tar.gz instead of training again.
Standard library only.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ["config.yml", "domain", "data/nlu", "data/rules", "data/stories.yml", "nlu",
          "requirements-rasa.txt"]
RUNTIME_ONLY = {"nlu/rasa_runtime.py", "nlu/tracker_store.py"}  # the running server, not what the model learns


def model_hash() -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if ("__pycache__" in file.parts or file.suffix == ".pyc" or not file.exists()
                    or str(file.relative_to(ROOT)) in RUNTIME_ONLY):
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    print(model_hash())
