"""Exceptions for a broken system (bad content becomes a Finding, never an exception)."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes of the ``dossier`` command."""

    OK = 0
    BAD_ARGS = 2
    INPUT_FILE = 3
    MISSING_DEPENDENCY = 4
    ENGINE = 5
    CONFIG = 6
    DOSSIER_UNREADABLE = 7
    """The run completed and wrote its reports, but a dossier could not be read or checked."""
    OUTPUT = 8
    """The reports cannot be written (``--out`` not writable, disk full); earlier reports are unchanged."""
    INTERNAL = 10
    INTERRUPTED = 130
    """Stopped by Ctrl-C (128 + SIGINT, the shell convention)."""


class DossierError(Exception):
    """Base class: a user message that says how to fix the problem."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputFileError(DossierError):
    """The input path itself cannot be read (not a single file inside it)."""

    exit_code = ExitCode.INPUT_FILE


class MissingDependencyError(DossierError):
    """A system program or language pack is missing."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class EngineError(DossierError):
    """An engine (tesseract, OpenCV) failed in a way that is not about the content."""

    exit_code = ExitCode.ENGINE


class ConfigError(DossierError):
    """Case facts, options or a rule pack are invalid."""

    exit_code = ExitCode.CONFIG


class OutputError(DossierError):
    """The reports cannot be written where ``--out`` says."""

    exit_code = ExitCode.OUTPUT
