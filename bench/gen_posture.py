#!/usr/bin/env python3
"""Generates the posture/audit benchmark corpus (deterministic, seeded).

usage: gen_posture.py OUTDIR N_OBJECTS N_EVENTS
OUTDIR/manifests/*.yaml: multi-document files of 50 objects each, a mix of
every workload kind (some privileged, hostPath, capabilities, miner args),
RBAC and Services. OUTDIR/audit.jsonl: N_EVENTS audit events, one per line:
Deployment -> ReplicaSet -> Pod chains, exec, RBAC, anonymous requests."""
import json
import os
import random
import sys

out, n_obj, n_ev = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
os.makedirs(f"{out}/manifests", exist_ok=True)
kinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"]


def container(i):
    c = {"name": f"c{i}", "image": rnd.choice(["nginx:1.25", "someone/app:latest", "registry.k8s.io/pause:3.9",
                                              "ghcr.io/org/svc@sha256:" + "a" * 64, "busybox"])}
    if rnd.random() < 0.5:
        c["resources"] = {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m"}}
    sc = {}
    if rnd.random() < 0.1:
        sc["privileged"] = True
    if rnd.random() < 0.1:
        sc["capabilities"] = {"add": [rnd.choice(["SYS_ADMIN", "NET_ADMIN", "CHOWN"])], "drop": ["ALL"]}
    if rnd.random() < 0.5:
        sc["allowPrivilegeEscalation"] = False
        sc["runAsNonRoot"] = True
    if sc:
        c["securityContext"] = sc
    if rnd.random() < 0.02:
        c["args"] = ["-o", "stratum+tcp://pool.example.net:3333"]
    c["env"] = [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": str(i)}]
    c["ports"] = [{"containerPort": 8080 + i}]
    return c


def podspec():
    s = {"containers": [container(i) for i in range(rnd.randint(1, 3))]}
    if rnd.random() < 0.2:
        s["initContainers"] = [container(9)]
    if rnd.random() < 0.05:
        s["hostPID"] = True
    if rnd.random() < 0.05:
        s["hostNetwork"] = True
    if rnd.random() < 0.1:
        s["volumes"] = [{"name": "h", "hostPath": {"path": rnd.choice(["/var", "/srv/data", "/var/run/docker.sock", "/etc"])}}]
        s["containers"][0]["volumeMounts"] = [{"name": "h", "mountPath": "/h", "readOnly": rnd.random() < 0.5}]
    return s


def workload(k, i):
    meta = {"name": f"{k.lower()}-{i}", "namespace": f"ns{i % 17}", "labels": {"app": f"a{i}", "tier": "web"}}
    spec = podspec()
    if k == "Pod":
        return {"apiVersion": "v1", "kind": k, "metadata": meta, "spec": spec}
    tmpl = {"metadata": {"labels": meta["labels"]}, "spec": spec}
    if k == "CronJob":
        return {"apiVersion": "batch/v1", "kind": k, "metadata": meta,
                "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": tmpl}}}}
    return {"apiVersion": "apps/v1", "kind": k, "metadata": meta,
            "spec": {"replicas": 2, "selector": {"matchLabels": meta["labels"]}, "template": tmpl}}


def other(i):
    r = rnd.random()
    if r < 0.4:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}"},
                "spec": {"type": rnd.choice(["ClusterIP", "NodePort"]), "ports": [{"port": 80}], "selector": {"app": f"a{i}"}}}
    if r < 0.7:
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": rnd.choice(["Role", "ClusterRole"]),
                "metadata": {"name": f"role-{i}"},
                "rules": [{"apiGroups": [""], "resources": [rnd.choice(["pods", "pods/exec", "*", "secrets"])],
                           "verbs": rnd.choice([["get"], ["*"], ["create", "get"]])}]}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"b-{i}"},
            "roleRef": {"kind": "ClusterRole", "name": rnd.choice(["view", "cluster-admin"])},
            "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "default"}]}


def to_yaml(v, ind=0):
    """Block-style YAML, as kubectl and Helm write it."""
    sp = "  " * ind
    if isinstance(v, dict):
        lines = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{sp}{k}:")
                lines.append(to_yaml(x, ind + 1))
            else:
                lines.append(f"{sp}{k}: {json.dumps(x)}")
        return "\n".join(lines)
    if isinstance(v, list):
        lines = []
        for x in v:
            if isinstance(x, (dict, list)) and x:
                body = to_yaml(x, ind + 1).split("\n")
                lines.append(f"{sp}- {body[0].lstrip()}")
                lines.extend(body[1:])
            else:
                lines.append(f"{sp}- {json.dumps(x)}")
        return "\n".join(lines)
    return sp + json.dumps(v)


per_file = 50
for f in range((n_obj + per_file - 1) // per_file):
    docs = []
    for j in range(per_file):
        i = f * per_file + j
        if i >= n_obj:
            break
        o = workload(kinds[i % len(kinds)], i) if i % 5 else other(i)
        docs.append(f"# Source: chart/templates/t{i}.yaml\n" + to_yaml(o))
    with open(f"{out}/manifests/m{f:05d}.yaml", "w") as fp:
        fp.write("---\n" + "\n---\n".join(docs) + "\n")

with open(f"{out}/audit.jsonl", "w") as fp:
    t = 1767225600.0
    for i in range(n_ev):
        t += 0.01
        ts = f"2026-01-01T00:{int((t - 1767225600) // 60) % 60:02d}:{(t % 60):09.6f}Z"
        r = i % 10
        ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
              "auditID": f"id-{i}", "stage": "ResponseComplete", "verb": "get",
              "user": {"username": f"user{i % 50}", "groups": ["system:authenticated"]},
              "sourceIPs": [f"10.0.{i % 200}.{i % 250}"], "responseStatus": {"code": 200},
              "requestReceivedTimestamp": ts, "stageTimestamp": ts,
              "annotations": {"authorization.k8s.io/decision": "allow"},
              "objectRef": {"resource": "pods", "namespace": f"ns{i % 17}", "name": f"p{i}", "apiVersion": "v1"},
              "requestURI": f"/api/v1/namespaces/ns{i % 17}/pods/p{i}"}
        if r == 0:
            ev.update(verb="create", responseStatus={"code": 201})
            ev["objectRef"].update(resource="deployments", name=f"d{i}")
            ev["requestObject"] = workload("Deployment", i)
        elif r == 1:
            ev.update(verb="create", responseStatus={"code": 201},
                      user={"username": "system:serviceaccount:kube-system:deployment-controller"})
            rs = workload("ReplicaSet", i)
            rs["metadata"].update(name=f"d{i-1}-rs", namespace=f"ns{(i-1) % 17}",
                                  ownerReferences=[{"kind": "Deployment", "name": f"d{i-1}", "controller": True}])
            ev["objectRef"].update(resource="replicasets", name=f"d{i-1}-rs", namespace=f"ns{(i-1) % 17}")
            ev["requestObject"] = rs
        elif r == 2:
            ev.update(verb="create", responseStatus={"code": 201},
                      user={"username": "system:serviceaccount:kube-system:replicaset-controller"})
            p = workload("Pod", i)
            p["metadata"].update(namespace=f"ns{(i-2) % 17}",
                                 ownerReferences=[{"kind": "ReplicaSet", "name": f"d{i-2}-rs", "controller": True}])
            ev["objectRef"].update(namespace=f"ns{(i-2) % 17}")
            del ev["objectRef"]["name"]
            ev["requestObject"] = p
        elif r == 3 and i % 7 == 0:
            ev["objectRef"]["subresource"] = "exec"
            ev.update(verb="create", responseStatus={"code": 101})
        elif r == 4 and i % 13 == 0:
            ev["user"] = {"username": "system:anonymous", "groups": ["system:unauthenticated"]}
        elif r == 5:
            ev.update(verb="create", responseStatus={"code": 201})
            ev["objectRef"].update(resource="clusterroles", name=f"cr{i}", namespace=None)
            ev["requestObject"] = other(i)
        fp.write(json.dumps(ev, separators=(",", ":")) + "\n")
