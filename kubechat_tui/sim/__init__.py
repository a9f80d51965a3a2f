"""A simulated multi-cluster fleet speaking the real Kubernetes HTTP API (demo + tests).

    server = SimServer("incident").start()        # or "scale": 50 clusters, 30k pods
    server.write_kubeconfig(path)                   # contexts: prod-eu, viewer@prod-eu, ...
    server.faults("prod-us").set(latency_ms=200)    # throttle, error_rate, unreachable, ...
    server.requests("prod-eu")                      # what each cluster was asked
    server.stop()

Each cluster has its own HTTPS port on 127.0.0.1 (`https://127.0.0.1:PORT`, TLS with a
throwaway CA embedded in the kubeconfig: kubectl sends bearer tokens only over TLS), so an
unreachable cluster really refuses connections; a plain-HTTP control endpoint
(`control_url`, see control.py) sets faults at runtime. Scenarios are data files in
`scenarios/`; the layers are: app (faults, auth, RBAC) -> reads / writes / watch /
subresources / logs / execs / metrics -> store + controllers.
Nothing here is shared with kubechat's client side (kube/, engine/, planner/).
"""

from kubechat_tui.sim.server import SCENARIOS, SimServer

__all__ = ["SCENARIOS", "SimServer"]
