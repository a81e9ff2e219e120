"""The only layer that starts other programs (helm, helmfile, git, kwokctl, kubectl, go, checkov,
helm-docs; the real node's ip, unshare, nsenter, ctr and its daemons): one module per tool, each
call behind `process.run` (or `process.spawn` for a daemon), whose `ToolError` turns a missing
binary, a timeout or a failed call into one sentence. It imports nothing above core."""
