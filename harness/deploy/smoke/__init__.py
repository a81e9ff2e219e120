"""Smoke checks against a deployed environment: Kubernetes API state, TLS material, HTTP behaviour."""
