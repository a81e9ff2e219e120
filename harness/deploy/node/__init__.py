"""The local cluster's real node: containerd, runc, CNI, kubelet and the rest in a sandbox of
network and mount namespaces the harness makes (see docs/real-node.md)."""
