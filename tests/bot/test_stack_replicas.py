"""`tremplin run` with replicas: the topology (ports from the base port, Rasa i → action server
i mod M), endpoints with a Redis lock store only when several Rasa servers share trackers, the
`--rasa-replicas` option, a taken port refused with a French sentence (never silently reused),
and the rolling restart that drains one server at a time."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from bot import stack
from bot.routing import Drain
from bot.supervisor import Service
from bot.bootstrap import build_parser
from tremplin.settings import get_settings


def test_topology_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:6005")
    monkeypatch.setenv("RASA_ACTION_SERVER_URL", "http://127.0.0.1:6055")
    get_settings.cache_clear()
    topo = stack.topology(get_settings(), replicas=3, action_servers=2)
    assert topo.rasa_urls == ["http://127.0.0.1:6005", "http://127.0.0.1:6006", "http://127.0.0.1:6007"]
    assert topo.action_urls == ["http://127.0.0.1:6055", "http://127.0.0.1:6056"]
    assert [topo.action_for(i) for i in range(3)] == topo.action_urls + topo.action_urls[:1]
    monkeypatch.setenv("TREMPLIN_RASA_BASE_PORT", "7000")
    monkeypatch.setenv("TREMPLIN_RASA_REPLICAS", "2")
    get_settings.cache_clear()
    topo = stack.topology(get_settings())
    assert topo.rasa_urls == ["http://127.0.0.1:7000", "http://127.0.0.1:7001"]
    assert topo.action_urls == ["http://127.0.0.1:6055"]  # one action server unless asked


def test_several_rasa_servers_share_a_redis_lock_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://:s%40cret@cache.local:6380/3")
    get_settings.cache_clear()
    services = stack.rasa_services(tmp_path / "model.tar.gz", replicas=2, action_servers=2)
    assert [s.name for s in services] == ["actions", "actions-2", "rasa", "rasa-2"]
    files = [Path(s.argv[s.argv.index("--endpoints") + 1]) for s in services[2:]]
    first, second = (f.read_text() for f in files)
    assert "type: redis" in first and 'url: "cache.local"' in first and "port: 6380" in first
    assert "db: 3" in first and 'password: "s@cret"' in first and 'key_prefix: "tremplin"' in first
    assert "5055/webhook" in first and "5056/webhook" in second
    single = stack.rasa_services(tmp_path / "model.tar.gz", replicas=1)
    assert "lock_store" not in Path(single[1].argv[single[1].argv.index("--endpoints") + 1]).read_text()


def test_run_accepts_the_replica_options() -> None:
    args = build_parser().parse_args(["run", "--rasa-replicas", "2", "--action-servers", "2"])
    assert (args.rasa_replicas, args.action_servers, args.no_rasa) == (2, 2, False)
    assert args.handler.__name__ == "run_stack"
    assert build_parser().parse_args(["reload-model"]).handler.__name__ == "reload_model"


def test_a_taken_port_is_refused_not_reused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A leftover action server from a killed run answers on 5055: we say so and stop."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        monkeypatch.setenv("RASA_ACTION_SERVER_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing there
        monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        monkeypatch.setattr(stack, "latest_model", lambda: tmp_path / "model.tar.gz")
        monkeypatch.setattr(stack, "setup_logging", lambda *a, **k: None)
        started: list[str] = []
        monkeypatch.setattr(Service, "start", lambda self: started.append(self.name))
        assert stack.run() == 1
    out = capsys.readouterr().out
    assert f"le port {port} est déjà pris" in out and "serveur d'actions" in out
    assert "TREMPLIN_RASA_EXTERNAL=1" in out and started == []


def fake_rasa_service(name: str, port: int, tmp: Path) -> Service:
    """An HTTP server with Rasa's command-line shape (« --model … », ignored by the script)."""
    script = ("import http.server as h, sys; "
              f"h.ThreadingHTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler).serve_forever()")
    return Service(name, [sys.executable, "-c", script, "--model", "old.tar.gz"],
                   f"http://127.0.0.1:{port}/", tmp / f"{name}.log", tmp)


def test_rolling_restart_drains_one_server_at_a_time(tmp_path: Path) -> None:
    servers = []
    for name in ("rasa", "rasa-2"):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            servers.append(fake_rasa_service(name, s.getsockname()[1], tmp_path))
    seen: list[tuple[str, frozenset[str]]] = []
    try:
        for server in servers:
            server.start()
            assert stack._wait_up(server, 20)
        assert stack.rolling_restart(servers, tmp_path / "new.tar.gz", timeout=20,
                                     progress=lambda text: seen.append((text, Drain.current())))
        assert all(stack._wait_up(server, 5) for server in servers)
    finally:
        for server in servers:
            server.stop()
    loading = [drained for text, drained in seen if "chargement" in text]
    assert [len(d) for d in loading] == [1, 1]  # exactly one server out of the ring at a time
    assert loading[0] != loading[1] and Drain.current() == frozenset()
    assert all(s.argv[s.argv.index("--model") + 1].endswith("new.tar.gz") for s in servers)


def test_reload_model_signals_the_running_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import signal
    import subprocess
    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    assert stack.request_reload().startswith("aucun « tremplin run »")
    marker = tmp_path / "hup"
    child = subprocess.Popen([sys.executable, "-c", (
        "import signal, sys, time, pathlib\n"
        f"signal.signal(signal.SIGHUP, lambda *a: (pathlib.Path({str(marker)!r}).write_text('ok'), sys.exit(0)))\n"
        "print('ready', flush=True)\ntime.sleep(30)")], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        stack.pid_file(get_settings()).parent.mkdir(parents=True)
        stack.pid_file(get_settings()).write_text(str(child.pid))
        assert "demandé au processus" in stack.request_reload()
        child.wait(10)
        assert marker.read_text() == "ok"
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
