"""The P2PNetwork API: spec model, planner, and the Kubernetes operator.

spec/        the spec model, its validation and the CRD generated from it
planner/     spec + seed -> identities, bootstrap set, NAT groups, churn schedule
render/      pure: network + plan + churn state -> manifests (pods, Service,
             ConfigMap, NAT and partition NetworkPolicies)
reconcile/   pure: the churn cursor, and desired-vs-observed diff -> actions
status/      pure: phase, conditions, churn counters
kubeapi.py   the few API calls (official client, plain dicts)
controller.py, churn_timer.py   the glue: read, run the pure parts, write
handlers.py  thin kopf handlers: `kopf run -m p2pnet_operator.handlers`
settings.py, metrics.py, rbac.py   what the Helm chart needs (see operator/RBAC.md)
"""
