"""Objects of the kinds a console lists beyond the workloads of a scenario: a Job and its
CronJob, an Ingress, a PersistentVolumeClaim, a HorizontalPodAutoscaler and a custom
resource (a cert-manager Certificate), one of each per cluster in one namespace."""

from __future__ import annotations

from collections.abc import Callable

from kubechat_tui.sim.builders import Ids, meta
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.store import Obj

Add = Callable[[str, Obj], Obj]
NAMESPACE = "payments"
JOB_IMAGE = "registry.example/ledger-reconcile:1.2"


def add_catalog(add: Add, ids: Ids, cluster: str, start: float) -> None:
    """Store one object of each kind (created days before `start`, the Job an hour ago)."""
    created = start - 30 * 86400
    labels = {"app": "ledger-reconcile"}
    containers = [{"name": "reconcile", "image": JOB_IMAGE, "resources": {},
                   "terminationMessagePath": "/dev/termination-log",
                   "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}]
    pod_spec = {"containers": containers, "restartPolicy": "OnFailure"}
    cron = add("cronjobs.batch", {
        "kind": "CronJob", "apiVersion": "batch/v1",
        "metadata": meta("ledger-reconcile", NAMESPACE, created, ids, generation=1),
        "spec": {"schedule": "0 * * * *", "concurrencyPolicy": "Forbid", "suspend": False,
                 "jobTemplate": {"spec": {"template": {"metadata": {"labels": labels},
                                                       "spec": pod_spec}}},
                 "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1},
        "status": {"lastScheduleTime": rfc3339(start - 3600),
                   "lastSuccessfulTime": rfc3339(start - 3540)}})
    owner = {"apiVersion": "batch/v1", "kind": "CronJob", "name": "ledger-reconcile",
             "uid": cron["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
    job_uid = ids.uid()
    add("jobs.batch", {
        "kind": "Job", "apiVersion": "batch/v1",
        "metadata": meta(f"ledger-reconcile-{int(start - 3600) // 60}", NAMESPACE,
                         start - 3600, ids, uid=job_uid, generation=1,
                         labels={**labels, "controller-uid": job_uid},
                         ownerReferences=[owner]),
        "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6,
                 "selector": {"matchLabels": {"controller-uid": job_uid}},
                 "template": {"metadata": {"labels": {**labels, "controller-uid": job_uid}},
                              "spec": pod_spec}},
        "status": {"conditions": [{"type": "Complete", "status": "True",
                                   "lastProbeTime": rfc3339(start - 3540),
                                   "lastTransitionTime": rfc3339(start - 3540)}],
                   "startTime": rfc3339(start - 3600), "completionTime": rfc3339(start - 3540),
                   "succeeded": 1, "ready": 0}})
    add("ingresses.networking.k8s.io", {
        "kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
        "metadata": meta("payments", NAMESPACE, created, ids, generation=1),
        "spec": {"ingressClassName": "nginx",
                 "tls": [{"hosts": [f"payments.{cluster}.example"],
                          "secretName": "payments-tls"}],
                 "rules": [{"host": f"payments.{cluster}.example", "http": {"paths": [{
                     "path": "/", "pathType": "Prefix", "backend": {"service": {
                         "name": "payments-api", "port": {"number": 80}}}}]}}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}})
    add("persistentvolumeclaims", {
        "kind": "PersistentVolumeClaim", "apiVersion": "v1",
        "metadata": meta("ledger-data", NAMESPACE, created, ids),
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                 "resources": {"requests": {"storage": "20Gi"}},
                 "volumeName": f"pvc-{ids.stable_uid(cluster, 'ledger-data')}",
                 "volumeMode": "Filesystem"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                   "capacity": {"storage": "20Gi"}}})
    add("horizontalpodautoscalers.autoscaling", {
        "kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
        "metadata": meta("payments-api", NAMESPACE, created, ids, generation=1),
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "name": "payments-api"},
                 "minReplicas": 2, "maxReplicas": 10,
                 "metrics": [{"type": "Resource", "resource": {
                     "name": "cpu", "target": {"type": "Utilization",
                                               "averageUtilization": 70}}}]},
        "status": {"currentReplicas": 3, "desiredReplicas": 3, "currentMetrics": [{
            "type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": 41, "averageValue": "41m"}}}]}})
    add("certificates.cert-manager.io", {
        "kind": "Certificate", "apiVersion": "cert-manager.io/v1",
        "metadata": meta("payments-tls", NAMESPACE, created, ids, generation=1),
        "spec": {"secretName": "payments-tls", "dnsNames": [f"payments.{cluster}.example"],
                 "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}},
        "status": {"conditions": [{"type": "Ready", "status": "True",
                                   "reason": "Ready",
                                   "message": "Certificate is up to date and has not expired",
                                   "lastTransitionTime": rfc3339(created)}]}})
