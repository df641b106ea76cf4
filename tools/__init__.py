"""Evaluation and calibration tools (not shipped in the wheel)."""
