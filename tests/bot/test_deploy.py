"""deploy/ starts the same processes as `tremplin run --rasa-replicas N`: the gateway, the
notifier, N Rasa servers all listed in RASA_URL, M action servers, PostgreSQL and Redis; Rasa's
endpoints there have the stores bot/stack.py generates (SQL trackers, Redis locks)."""
from __future__ import annotations

import yaml

from bot.stack import endpoints_yaml
from tremplin.settings import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def test_compose_runs_every_process_and_lists_every_rasa() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"gateway", "notifier", "actions", "postgres", "redis", "migrate"} <= set(services)
    rasa = sorted(name for name in services if name.startswith("rasa-"))
    assert len(rasa) >= 2
    listed = compose["x-app"]["environment"]["RASA_URL"].split(",")
    assert listed == [f"http://{name}:5005" for name in rasa]
    assert services["gateway"]["command"] == ["tremplin", "bot"]
    assert services["notifier"]["command"] == ["tremplin", "notifier"]
    assert services["actions"]["command"][:3] == ["python", "-m", "rasa_sdk"]


def test_kubernetes_lists_every_rasa_pod() -> None:
    docs = [d for f in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    by_kind = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for wanted in [("StatefulSet", "rasa"), ("Deployment", "actions"), ("Deployment", "gateway"),
                   ("Deployment", "notifier"), ("StatefulSet", "postgres"), ("Deployment", "redis"),
                   ("Job", "tremplin-migrate")]:
        assert wanted in by_kind
    rasa = next(d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "rasa")
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    urls = config["data"]["RASA_URL"].split(",")
    assert urls == [f"http://rasa-{i}.rasa:5005" for i in range(rasa["spec"]["replicas"])]


def test_rasa_endpoints_have_the_generated_stores() -> None:
    deployed = yaml.safe_load((DEPLOY / "rasa-endpoints.yml").read_text().replace("${", "").replace("}", ""))
    generated = yaml.safe_load(endpoints_yaml("http://a:5055", "postgresql://x/y", "redis://r:6379/0"))
    assert set(deployed) == set(generated) == {"action_endpoint", "tracker_store", "lock_store"}
    for store in ("tracker_store", "lock_store"):
        assert deployed[store]["type"] == generated[store]["type"]
