"""The render path: values matrix and helmfile environments -> helm template (cached) -> Scenarios."""
