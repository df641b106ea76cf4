"""The plain-Python core of dossier: models, stages, engines and the CLI."""

from __future__ import annotations

import importlib.metadata

try:
    __version__ = importlib.metadata.version("dossier")
except importlib.metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
