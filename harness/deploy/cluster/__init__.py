"""The local cluster: a real control plane with kwok-simulated nodes, started with kwokctl."""
