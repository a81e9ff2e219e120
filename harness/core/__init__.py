"""Lowest layer: errors, repository layout, YAML, parsed manifests and the queries over them; imports nothing above."""
