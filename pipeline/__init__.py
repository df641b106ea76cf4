"""The plain-Python core of dossier: models, stages, engines and the CLI."""
