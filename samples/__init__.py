"""Deterministic generator of sample dossiers and capture sets (PIL, numpy, OpenCV)."""
