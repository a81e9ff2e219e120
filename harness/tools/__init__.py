"""The tools layer: the harness's calls out to external commands."""
