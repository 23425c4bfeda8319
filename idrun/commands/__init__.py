"""One module per CLI command: thin, each drives the pipeline and a view."""
