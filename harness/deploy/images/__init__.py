"""The local cluster's images: index of the builds, the chart contract they meet, values pinning them."""
