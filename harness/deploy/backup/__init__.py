"""Backups in a cluster: the restore drill run on demand (`harness backup verify`)."""
