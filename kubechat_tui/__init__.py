"""kubechat: a keyboard-driven terminal console for multi-cluster Kubernetes triage."""

__version__ = "0.1.0"
