"""The only layer that starts other programs (helm, helmfile, git, kwokctl, kubectl, go, checkov,
helm-docs): one module per tool, each call behind `process.run`, whose `ToolError` turns a missing
binary, a timeout or a failed call into one sentence. It imports nothing above core."""
