"""What leaves the repository: lint, chart versioning, packaging, the policy scan, Helm 3/4 compatibility."""
