"""Prefect flows and tasks: a thin layer over the pipeline core."""
