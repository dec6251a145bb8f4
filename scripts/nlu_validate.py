"""`rasa data validate`, made strict (run with .venv-rasa/bin/python).

Rasa 3.6 always warns about two things that are not problems here, and this script lets only them
through; any other warning or error fails:

* "The utterance 'utter_ask_<slot>' / 'utter_invalid_<slot>' is not used in any story or rule":
  forms utter the questions themselves and the validate_<form> actions send the hints, which the
  validator cannot see;
* "The utterance 'utter_default' / 'utter_inform_without_context' is not used in any story or rule":
  action_use_what_was_said (actions/routing.py) sends them when a message holds nothing usable;
  the same for 'utter_nothing_to_cancel', sent by action_cancel_outside_forms (actions/student_explore.py)
  when « annuler » comes outside forms and no quiz question waits;
* "duplicated intents ... across multiple domain files: faq": the importer adds retrieval intents
  found in the NLU data to the domain a second time, even though the domain must declare them.

    .venv-rasa/bin/python scripts/nlu_validate.py
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
DATA = ["data/nlu", "data/rules", "data/stories.yml"]
KNOWN = [
    re.compile(r"The utterance 'utter_(ask|invalid)_\w+' is not used in any story or rule\."),
    re.compile(r"The utterance 'utter_(default|inform_without_context|nothing_to_cancel)' is not used in any "
               r"story or rule\."),
    re.compile(r"The following duplicated intents have been found across multiple domain files: faq$"),
]


def main() -> int:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore::DeprecationWarning",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    cmd = [str(RASA), "data", "validate", "--domain", "domain", "--config", "config.yml", "--data", *DATA]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    problems, tolerated = [], 0
    for match in re.finditer(r"(UserWarning|WARNING|ERROR|Error|Exception)[: ]+(.*)", text):
        message = match.group(2).strip()
        if "Deprecat" in message or "pkg_resources" in message or "SQLAlchemy" in message:
            continue
        if any(k.search(message) for k in KNOWN):
            tolerated += 1
            continue
        problems.append(f"{match.group(1)}: {message}")
    if out.returncode != 0 or problems:
        print(f"rasa data validate: {len(problems)} problem(s), exit code {out.returncode}")
        for problem in problems:
            print("  " + problem)
        if out.returncode != 0 and not problems:
            print(text[-3000:])
        return 1
    print(f"rasa data validate: clean ({tolerated} known Rasa false positives about form questions/hints "
          "and the retrieval intent ignored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
