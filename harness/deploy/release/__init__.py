"""`harness release --env ENV`: preflight, diff, apply, smoke, automatic rollback, report."""
