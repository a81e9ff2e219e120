"""The deploy path: the local cluster, smoke runs, the release flow with rollback, and the demo."""
