"""The live subject: a read-only snapshot of a deployed namespace, its helm releases, certificates and HTTP probes."""
