"""A warm ``dossier`` process: the libraries imported once, each ``dossier check`` run in a fork of it.

A ``dossier check`` spends ~2.7 CPU-seconds importing its libraries (``import prefect`` alone is
~1.6 s) before it reads a page: more than a cached re-check of a dossier takes. So next to the local
Prefect server (:mod:`flows.server`) runs this small server, ``python -m flows.warm``: it imports
the third-party libraries once (Prefect, OpenCV, NumPy, pypdf, Typer, ...), then waits on a Unix
socket in the user's data folder. For each run the ``dossier`` launcher (:mod:`pipeline.launch`)
connects, hands over its arguments, working folder, environment and its stdin/stdout/stderr; this
process forks, and the fork runs the ordinary ``dossier`` command line on the user's terminal with
those. The launcher forwards Ctrl-C to the fork and exits with its exit code.

So a run behaves exactly as if started directly (same code, same output, same Ctrl-C); the
command-line module itself is imported afresh in every fork (it captures the terminal), and the
OCR models are loaded in the warm process already. A change to our source files, to the installed
packages, to the interpreter or to Prefect's settings (``PREFECT_*``, profiles) starts a new warm
process on the next run (:func:`fingerprint`); the old one finishes its runs and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import gc
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import selectors
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from flows import server

OWN_PACKAGES = ("pipeline", "validators", "flows")
"""Our packages: their source files are part of the fingerprint (an edit starts a new warm process)."""
PRELOAD = (
    "pipeline.cli", "flows.check", "pipeline.api", "pipeline.report",
    "prefect.flow_engine", "prefect.task_engine", "prefect.task_runners", "prefect.logging.handlers",
    "prefect.events.clients", "prefect.events.worker", "prefect.client.orchestration", "prefect.results",
)
"""Imported by the warm process, with everything they import, so that a run finds them loaded."""
FRESH = ("pipeline.cli", "pipeline.launch")
"""Imported afresh by each run: the command line captures its terminal when imported (Rich consoles)."""
ENV_THAT_SHAPES_IMPORTS = ("DO_NOT_TRACK", "OMP_THREAD_LIMIT", "PYTHONPATH", "TESSDATA_PREFIX")
"""Variables read when the libraries are imported (besides ``PREFECT_*``): part of the fingerprint."""
READY_TIMEOUT_S = 90.0
"""How long the launcher waits for a new warm process to import its libraries."""
_HEADER = struct.Struct("!Q")
_INTERRUPTED = 130


@dataclasses.dataclass(frozen=True, slots=True)
class WarmProcess:
    """The running warm process, as recorded in ``runner.json``."""

    pid: int
    socket: str
    fingerprint: str
    started_at: float


def supported() -> bool:
    """Forking and passing file descriptors over Unix sockets (Linux, macOS)."""
    return hasattr(os, "fork") and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


def _state_path() -> Path:
    return server.data_dir() / "runner.json"


def log_path() -> Path:
    """Where the warm process writes (only its own problems: runs write to the user's terminal)."""
    return server.data_dir() / "runner.log"


def _sources() -> list[str]:
    """Name, size and modification time of every file of our packages (~1 ms: ``stat`` only)."""
    rows = []
    for package in OWN_PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                for name in filenames:
                    with contextlib.suppress(OSError):
                        stat = (Path(dirpath) / name).stat()
                        rows.append(f"{dirpath}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return sorted(rows)


def fingerprint(env: Mapping[str, str], api_url: str) -> str:
    """What the warm process's imports depend on: our sources, interpreter, installed packages, settings."""
    parts: list[str] = [sys.executable, sys.version, api_url, *_sources()]
    spec = importlib.util.find_spec("prefect")
    if spec is not None and spec.origin:
        site = Path(spec.origin).parent.parent  # changes when packages are installed or removed
        parts.append(str(site.stat().st_mtime_ns))
    parts += [f"{k}={v}" for k, v in sorted(env.items()) if k.startswith("PREFECT_") or k in ENV_THAT_SHAPES_IMPORTS]
    profiles = Path(env.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser() / "profiles.toml"
    with contextlib.suppress(OSError):
        parts.append(str(profiles.stat().st_mtime_ns))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def read_state() -> WarmProcess | None:
    """The warm process recorded in the data folder, whether or not it still runs."""
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
        return WarmProcess(int(data["pid"]), str(data["socket"]), str(data["fingerprint"]), float(data["started_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_running(process: WarmProcess) -> bool:
    """The recorded warm process still exists and still listens."""
    return server._is_our_process(process.pid, b"flows.warm") and Path(process.socket).exists()


def ensure_running(api_url: str) -> WarmProcess | None:
    """The warm process for this environment, started if needed; None if it cannot start (run locally).

    A warm process with another fingerprint is told to retire: it finishes its runs, then exits.
    """
    wanted = fingerprint(os.environ, api_url)
    with server.locked():
        known = read_state()
        if known is not None and is_running(known):
            if known.fingerprint == wanted:
                return known
            with contextlib.suppress(ProcessLookupError):
                os.kill(known.pid, signal.SIGTERM)  # retire: runs in progress go on
        env = dict(os.environ)
        env["PREFECT_API_URL"] = api_url
        env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # what the command line sets when not --verbose
        env.setdefault("OMP_THREAD_LIMIT", "1")
        server.quiet_prefect(env)
        argv = [sys.executable, "-P", "-m", "flows.warm", wanted]  # -P: never import from the run's folder
        try:
            pid = server.spawn_detached(argv, env, log_path(), server.data_dir())
        except (OSError, server.ServerError):
            return None
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        ready = read_state()
        if ready is not None and ready.pid == pid and Path(ready.socket).exists():
            return ready
        if not server._alive(pid):
            return None
        time.sleep(0.05)
    return None


def stop() -> WarmProcess | None:
    """Retire the warm process (runs in progress finish); None if none ran."""
    with server.locked():
        known = read_state()
        _state_path().unlink(missing_ok=True)
    if known is None or not is_running(known):
        return None
    server.terminate(known.pid, server.STOP_TIMEOUT_S)
    return known


# --------------------------------------------------------------------------- the launcher's side


def delegate(process: WarmProcess, argv: Sequence[str]) -> int | None:
    """Run ``dossier ARGV`` in a fork of the warm process, on this terminal; its exit code.

    Returns None when the warm process cannot take the run (then run it here). Ctrl-C and
    SIGTERM/SIGHUP are passed on to the run.
    """
    try:
        payload = json.dumps({"argv": list(argv), "cwd": str(Path.cwd()), "env": dict(os.environ)}).encode()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(process.socket)
        socket.send_fds(conn, [_HEADER.pack(len(payload))], _stdio())
        conn.sendall(payload)
        answers = conn.makefile("rb")
        started = json.loads(answers.readline() or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(started, dict) or "pid" not in started:
        return None
    child = int(started["pid"])

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        line = answers.readline()
    except OSError:
        line = b""
    with contextlib.suppress(ValueError):
        finished = json.loads(line or b"null")
        if isinstance(finished, dict) and "exit" in finished:
            return int(finished["exit"])
    sys.stderr.write("error: the warm dossier process went away during the run (see `dossier server status`)\n")
    return 1


def _stdio() -> list[int]:
    """This process's stdin, stdout and stderr (``/dev/null`` for a closed one)."""
    fds = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            fds.append(os.open(os.devnull, os.O_RDWR))
    return fds


# --------------------------------------------------------------------------- the warm process


def _preload() -> None:
    """Import what a run needs and load the OCR models; forget the modules a run must import itself."""
    for name in PRELOAD:
        importlib.import_module(name)
    for name in FRESH:
        sys.modules.pop(name, None)
    from pipeline import api
    from pipeline.context import RunOptions

    try:
        api.prepare_engine(RunOptions())
    except Exception:  # noqa: BLE001 - a missing model is reported by the run itself, with its advice
        logging.getLogger(__name__).warning("OCR models not preloaded", exc_info=True)


@dataclasses.dataclass
class _Run:
    conn: socket.socket
    pid: int
    watched: bool = True


class _WarmServer:
    """Accept runs on a Unix socket, fork one process per run, report each exit code."""

    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.path = server.data_dir() / f"runner-{os.getpid()}.sock"
        self.listener: socket.socket | None = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.path.unlink(missing_ok=True)
        old_umask = os.umask(0o177)  # the socket: this user only
        try:
            self.listener.bind(str(self.path))
        finally:
            os.umask(old_umask)
        self.listener.listen(16)
        self.runs: dict[int, _Run] = {}
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        self.selector.register(self.wake_r, selectors.EVENT_READ, self._on_signal)
        signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        self.retiring = False
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._note_signal)
        self.pending: list[int] = []

    def _note_signal(self, signum: int, frame: object) -> None:
        self.pending.append(signum)

    def announce(self) -> None:
        """Record this process in ``runner.json`` (the launcher waits for that)."""
        state = WarmProcess(os.getpid(), str(self.path), self.fingerprint, time.time())
        path = _state_path()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(state)), encoding="utf-8")
        tmp.replace(path)

    def serve(self) -> None:
        """Until retired (SIGTERM) and every run has finished."""
        while not (self.retiring and not self.runs):
            for key, _ in self.selector.select(timeout=5.0):
                callback: Callable[[], None] = key.data
                callback()
            self._on_signal()

    def _on_signal(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self.wake_r.recv(256):
                pass
        signals, self.pending = self.pending, []
        if any(s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP) for s in signals):
            self._retire()
        self._reap()

    def _retire(self) -> None:
        if self.retiring or self.listener is None:
            return
        self.retiring = True
        self.selector.unregister(self.listener)
        self.listener.close()
        self.listener = None
        self.path.unlink(missing_ok=True)
        known = read_state()
        if known is not None and known.pid == os.getpid():
            _state_path().unlink(missing_ok=True)

    def _reap(self) -> None:
        while self.runs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.runs.pop(pid, None)
            if run is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):
                run.conn.sendall(json.dumps({"exit": code if code >= 0 else 128 - code}).encode() + b"\n")
            if run.watched:
                self.selector.unregister(run.conn)
            run.conn.close()

    def _client_gone(self, run: _Run) -> Callable[[], None]:
        def check() -> None:
            try:
                if run.conn.recv(4096, socket.MSG_DONTWAIT):
                    return  # the launcher says nothing after its request: ignore stray bytes
            except BlockingIOError:
                return
            except OSError:
                pass
            # The launcher went away (killed): the run would write to nobody; stop it.
            with contextlib.suppress(ProcessLookupError):
                os.kill(run.pid, signal.SIGTERM)
            self.selector.unregister(run.conn)
            run.watched = False

        return check

    def _accept(self) -> None:
        assert self.listener is not None
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            conn.settimeout(10.0)
            header, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 3)
            (size,) = _HEADER.unpack(header)
            payload = b""
            while len(payload) < size:
                chunk = conn.recv(min(1 << 20, size - len(payload)))
                if not chunk:
                    raise ConnectionError("the launcher hung up")
                payload += chunk
            request = json.loads(payload)
            if len(fds) != 3:
                raise ValueError("expected stdin, stdout and stderr")
        except (OSError, ValueError, struct.error) as exc:
            logging.getLogger(__name__).warning("refused a run: %s", exc)
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            try:
                self._become_run(conn, fds, request)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        conn.settimeout(None)
        run = _Run(conn, pid)
        self.runs[pid] = run
        try:
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:
            os.kill(pid, signal.SIGTERM)
        self.selector.register(conn, selectors.EVENT_READ, self._client_gone(run))

    def _become_run(self, conn: socket.socket, fds: list[int], request: dict[str, object]) -> None:
        """In the fork: become ``dossier ARGV`` on the launcher's terminal, then exit with its code."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        for run in self.runs.values():
            run.conn.close()
        self.selector.close()
        conn.close()
        self.wake_r.close()
        self.wake_w.close()
        if self.listener is not None:
            self.listener.close()
        os.setpgid(0, 0)  # its own group: stopping it reaches its helpers (pdftoppm) too
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        argv = [str(a) for a in request.get("argv", [])]  # type: ignore[attr-defined]
        env = {str(k): str(v) for k, v in request.get("env", {}).items()}  # type: ignore[attr-defined]
        os.environ.clear()
        os.environ.update(env)
        server.quiet_prefect()
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        os.chdir(str(request.get("cwd", "/")))
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(line_buffering=stream.isatty())  # type: ignore[union-attr]
        root = logging.getLogger()  # as in a fresh process: the command line sets up its own handler
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.setLevel(logging.WARNING)
        sys.argv = ["dossier", *argv]
        code = 1
        try:
            from pipeline import cli

            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
        except KeyboardInterrupt:
            code = _INTERRUPTED
        except BaseException:  # noqa: BLE001 - as an uncaught exception would end a process
            import traceback

            traceback.print_exc()
        finally:
            _finish(code)


def _finish(code: int) -> None:
    """Exit the fork as an interpreter would, without tearing down the inherited heap (slow, copy-on-write)."""
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m flows.warm FINGERPRINT``: import the libraries, announce, serve until retired."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _preload()
    gc.collect()
    gc.freeze()  # runs share the imported heap: keep the collector from touching (copying) it
    warm = _WarmServer(args[0] if args else fingerprint(os.environ, os.environ.get("PREFECT_API_URL", "")))
    warm.announce()
    warm.serve()


if __name__ == "__main__":
    main()
