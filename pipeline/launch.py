"""The ``dossier`` command: hand ``dossier check`` to the warm local server, or run the command line here.

``dossier check`` without a Prefect API of the user's own (``PREFECT_API_URL`` or a Prefect
profile) uses the local Prefect server (:mod:`flows.server`), starting it in the background the
first time, and runs in a fork of the warm process next to it (:mod:`flows.warm`), which has the
libraries imported already. Every other command, ``--help`` and ``--verbose`` runs (the most
faithful for debugging) run in this process as before.

``DOSSIER_SERVER`` chooses: ``warm`` (default), ``server`` (the local server, but the run in this
process), ``off`` (neither: Prefect starts a temporary server for each run, as it does by default).
This module imports only the standard library until it knows where the run goes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

MODES = ("warm", "server", "off")


def mode() -> str:
    """``$DOSSIER_SERVER``, or ``warm``."""
    value = os.environ.get("DOSSIER_SERVER", "warm").strip().lower() or "warm"
    return value if value in MODES else "warm"


def uses_local_server(argv: Sequence[str]) -> bool:
    """A ``check`` run, no help wanted, no Prefect API of the user's own, the local server not switched off."""
    from flows.server import configured_api_url

    return (
        bool(argv) and argv[0] == "check"
        and not {"--help", "-h"} & set(argv)
        and mode() != "off"
        and configured_api_url() is None
    )


def run_with_local_server(argv: Sequence[str]) -> int | None:
    """Start the local server if needed and run the check in a warm fork; None: run it in this process.

    Raises:
        ServerError: the server cannot be started.
    """
    from flows import server, warm

    def say(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    local, started = server.ensure_started(say)
    if not started:
        say(f"Prefect UI: {local.ui_url}")
    wants_warm = mode() == "warm" and warm.supported() and not {"--verbose", "-v"} & set(argv)
    process = warm.ensure_running(local.api_url) if wants_warm else None
    os.environ["PREFECT_API_URL"] = local.api_url  # for the run, here or in the fork
    if process is None:
        return None
    return warm.delegate(process, argv)


def main() -> None:
    """Console-script entry point (``dossier``)."""
    argv = sys.argv[1:]
    if uses_local_server(argv):
        from pipeline.errors import DossierError

        try:
            code = run_with_local_server(argv)
        except DossierError as exc:
            sys.stderr.write(f"error: {exc}\n")
            sys.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            sys.stderr.write("\ninterrupted\n")
            sys.exit(130)
        if code is not None:
            sys.exit(code)
    from pipeline.cli import main as run_here

    run_here()


if __name__ == "__main__":
    main()
