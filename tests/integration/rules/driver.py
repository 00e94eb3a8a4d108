# Runs each case of cases.py in its own container (trigger, then benign) and
# writes a manifest: rule, variant, container id (from --cidfile).
#   driver.py WORKDIR PODMAN_RUN... > manifest.jsonl
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES

work = sys.argv[1]
podman = sys.argv[2:]
only = os.environ.get("HH_RULES_ONLY", "")
for n, (rule, trig, benign) in enumerate(CASES):
    if only and rule not in only.split(","):
        continue
    if trig is None:
        print(json.dumps({"rule": rule, "skip": benign}), flush=True)
        continue
    for variant, cmd in (("trigger", trig), ("benign", benign)):
        cid = os.path.join(work, "cid-%d-%s" % (n, variant))
        args = podman + ["--rm", "--cidfile", cid, "-v", work + ":/hh:ro", "--rootfs", "/:O", "sh", "-c", cmd]
        t0 = time.time()
        r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        if not os.path.exists(cid):
            sys.exit("%s %s: container did not start: %s" % (rule, variant, r.stderr.decode()[-400:]))
        print(json.dumps({"rule": rule, "variant": variant, "cid": open(cid).read().strip(),
                          "rc": r.returncode, "seconds": round(time.time() - t0, 2)}), flush=True)
