"""The local Prefect server that ``dossier check`` keeps warm: started once, in the background, reused after.

Without a server, every Prefect flow run starts a temporary one and stops it again (about 20 s on
the 2-core machine, and a page of ``CancelledError`` tracebacks on the way out). So the first
``dossier check`` starts ``prefect server start`` as a background process (127.0.0.1 only,
analytics off, SQLite in the user's data folder) and later runs reuse it; ``dossier server
status|start|stop`` manage it. A Prefect API the user configured (``PREFECT_API_URL`` in the
environment or in the active Prefect profile) always wins: then no local server is started.

The data folder (``$XDG_DATA_HOME/dossier``, by default ``~/.local/share/dossier``) holds::

    prefect/            the server's PREFECT_HOME; prefect/prefect.db is its SQLite database
    server.json         pid and port of the running server
    server.log          what the server prints
    lock                held while a process starts or stops the server

This module only uses the standard library: the ``dossier`` launcher imports it before anything
heavy (``import prefect`` alone costs ~1.8 s).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pipeline.errors import DossierError, ExitCode

HOST = "127.0.0.1"
"""The local server listens on the loopback interface only."""
START_TIMEOUT_S = 180.0
"""How long a run waits for a server that is starting (the first start migrates the database)."""
STOP_TIMEOUT_S = 15.0
"""Time the server gets to stop after SIGTERM before it is killed."""
QUIET_PREFECT = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
"""No telemetry: the server's analytics and the client's (whose first-run banner ignores the former)."""


class ServerError(DossierError):
    """The local Prefect server cannot be started or does not answer."""

    exit_code = ExitCode.ENGINE


def quiet_prefect(env: dict[str, str] | os._Environ[str] | None = None) -> None:
    """Turn Prefect's telemetry off in ``env`` (default: this process), unless the user decided otherwise."""
    target = os.environ if env is None else env
    for key, value in QUIET_PREFECT.items():
        target.setdefault(key, value)


def data_dir() -> Path:
    """The user's data folder for ``dossier`` (``$XDG_DATA_HOME/dossier``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dossier"


def configured_api_url(env: Mapping[str, str] | None = None) -> str | None:
    """The Prefect API the user chose: ``PREFECT_API_URL``, else the one of the active Prefect profile.

    Read without importing Prefect (profiles are TOML in ``$PREFECT_HOME/profiles.toml``).
    """
    env = os.environ if env is None else env
    if env.get("PREFECT_API_URL"):
        return env["PREFECT_API_URL"]
    home = Path(env.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(env.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    active = env.get("PREFECT_PROFILE") or profiles.get("active")
    settings = profiles.get("profiles", {}).get(active, {}) if isinstance(active, str) else {}
    url = settings.get("PREFECT_API_URL") if isinstance(settings, dict) else None
    return str(url) if url else None


@dataclasses.dataclass(frozen=True, slots=True)
class LocalServer:
    """The local Prefect server as recorded in ``server.json``."""

    pid: int
    port: int
    started_at: float
    """Unix time the process was started."""

    @property
    def api_url(self) -> str:
        """The Prefect API (what ``PREFECT_API_URL`` is set to)."""
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The Prefect UI, for people."""
        return f"http://{HOST}:{self.port}"

    def is_running(self) -> bool:
        """The recorded process still exists and is a Prefect server (not a recycled pid)."""
        return _is_our_process(self.pid, b"prefect")

    def is_up(self, timeout: float = 2.0) -> bool:
        """The API answers its health check."""
        return api_is_up(self.api_url, timeout)


def api_is_up(api_url: str, timeout: float = 2.0) -> bool:
    """A Prefect API answers ``GET /health`` at ``api_url``."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _is_our_process(pid: int, marker: bytes) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: the pid was recycled
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # not Linux: trust the pid
        return True
    try:
        return marker in cmdline.read_bytes()
    except OSError:
        return False


def _state_path() -> Path:
    return data_dir() / "server.json"


def log_path() -> Path:
    """Where the server's output goes."""
    return data_dir() / "server.log"


def prefect_home() -> Path:
    """The server's ``PREFECT_HOME`` (its SQLite database is ``prefect.db`` in there)."""
    return data_dir() / "prefect"


def read_state() -> LocalServer | None:
    """The server recorded in the data folder, whether or not it still runs."""
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
        return LocalServer(int(data["pid"]), int(data["port"]), float(data["started_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(server: LocalServer) -> None:
    path = _state_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(server)), encoding="utf-8")
    tmp.replace(path)


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """Hold the data folder's lock (one process at a time starts or stops the server)."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _pick_port(previous: int | None) -> int:
    """``$DOSSIER_SERVER_PORT``, else the port used last time (a stable UI address), else a free one."""
    wanted = os.environ.get("DOSSIER_SERVER_PORT")
    if wanted:
        return int(wanted)
    if previous and _port_is_free(previous):
        return previous
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


_DETACH = (
    "import subprocess, sys\n"
    "log = open(sys.argv[1], 'ab')\n"
    "p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)\n"
    "print(p.pid)\n"
)


def spawn_detached(argv: list[str], env: Mapping[str, str], log: Path, cwd: Path) -> int:
    """Start ``argv`` as a daemon (own session, parent gone at once) and return its pid.

    The process is not our child: Ctrl-C in this terminal, or a run that stops its children on
    the way out, leaves it running. A short-lived intermediate Python process starts it.
    """
    done = subprocess.run([sys.executable, "-c", _DETACH, str(log), *argv], env=dict(env), cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        raise ServerError(f"cannot start {argv[0]}: {done.stderr.strip()[-300:]}")
    return int(done.stdout.strip())


def server_env(port: int) -> dict[str, str]:
    """The server's environment: the user's, without their Prefect settings, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    home = prefect_home()
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_API_HOST=HOST,
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_LOGGING_LEVEL="WARNING",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    env.update(QUIET_PREFECT)
    return env


def ensure_started(say: Callable[[str], None] | None = None) -> tuple[LocalServer, bool]:
    """The local server, started in the background if it is not running (without waiting for it).

    Args:
        say: Called with one line when the server has to be started.

    Returns:
        The server and whether this call started it.
    """
    with locked():
        known = read_state()
        if known is not None and known.is_running():
            return known, False
        port = _pick_port(known.port if known else None)
        home = prefect_home()
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        argv = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port),
                "--analytics-off"]
        with log_path().open("ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on port {port}\n".encode())
        pid = spawn_detached(argv, server_env(port), log_path(), data_dir())
        server = LocalServer(pid, port, time.time())
        _write_state(server)
    if say is not None:
        say(f"Starting the local Prefect server (once, until `dossier server stop`; ~20 s): {server.ui_url}")
    return server, True


def wait_until_up(server: LocalServer, timeout_s: float = START_TIMEOUT_S) -> None:
    """Return once the server answers.

    Raises:
        ServerError: the server exited, or did not answer in time (the message quotes its log).
    """
    deadline = time.monotonic() + timeout_s
    while not server.is_up(timeout=2.0):
        if not server.is_running():
            raise ServerError(f"the local Prefect server stopped while starting; its log ({log_path()}) "
                              f"ends with:\n{_log_tail()}")
        if time.monotonic() > deadline:
            raise ServerError(f"the local Prefect server did not answer within {timeout_s:.0f} s; see {log_path()}")
        time.sleep(0.25)


def wait_if_local(api_url: str | None, timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait for the local server when ``api_url`` is its API and it is still starting (else return at once)."""
    server = read_state()
    if server is not None and api_url == server.api_url and not server.is_up(timeout=2.0):
        wait_until_up(server, timeout_s)


def _log_tail(lines: int = 15) -> str:
    try:
        return "\n".join(log_path().read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop() -> LocalServer | None:
    """Stop the local server (SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT_S`); None if none ran."""
    with locked():
        server = read_state()
        _state_path().unlink(missing_ok=True)
        if server is None or not server.is_running():
            return None
        terminate(server.pid, STOP_TIMEOUT_S)
        return server


def terminate(pid: int, timeout_s: float) -> None:
    """SIGTERM a daemon's process group (it leads one), then SIGKILL it if it outlives ``timeout_s``."""
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    _signal_group(pid, signal.SIGKILL)


def _signal_group(pid: int, signum: int) -> None:
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group == pid:  # spawn_detached made it a session (and group) leader
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone
    return True


def status() -> dict[str, Any]:
    """What ``dossier server status`` shows."""
    server = read_state()
    database = prefect_home() / "prefect.db"
    info: dict[str, Any] = {
        "configured_api": configured_api_url(),
        "running": False,
        "database": str(database),
        "database_mib": round(database.stat().st_size / 2**20, 1) if database.exists() else 0.0,
        "log": str(log_path()),
    }
    if server is not None and server.is_running():
        info.update(running=True, answering=server.is_up(), pid=server.pid, ui=server.ui_url, api=server.api_url,
                    up_for_s=round(time.time() - server.started_at))
    return info
