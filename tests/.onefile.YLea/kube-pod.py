"""Turn the shipped Deployment (docker/kubernetes/deployment.yaml) into a
Pod that podman kube play runs here, changing only what the test machine
needs: the pod's name, the host's network (to reach the test's PostgreSQL
on 127.0.0.1), this checkout's retort image, the test's migrations mounted
over /app/migrations, restartPolicy Never, and a stand-in application
container that says it started.  Everything else (the init container's
command, environment from the Secret, security context, resources) is
played as shipped.

usage: kube-pod.py DEPLOYMENT.yaml POD-NAME IMAGE MIGRATIONS-DIR > pod.yaml
"""
import sys

import yaml

deployment, name, image, migrations = sys.argv[1:5]
with open(deployment) as f:
    d = yaml.safe_load(f)
template = d["spec"]["template"]
spec = template["spec"]
spec["hostNetwork"] = True
spec["restartPolicy"] = "Never"
init = spec["initContainers"][0]
init["image"] = image
init.setdefault("volumeMounts", []).append(
    {"name": "migrations", "mountPath": "/app/migrations", "readOnly": True})
spec.setdefault("volumes", []).append(
    {"name": "migrations", "hostPath": {"path": migrations, "type": "Directory"}})
app = spec["containers"][0]
app["image"] = "docker.io/library/debian:bookworm-slim"
app["command"] = ["/bin/sh", "-c", "echo app started"]
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": name, "labels": template["metadata"]["labels"]},
       "spec": spec}
yaml.safe_dump(pod, sys.stdout, sort_keys=False)
