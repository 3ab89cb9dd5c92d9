#!/usr/bin/env python3
"""Writes tests/data/invalid/*.yaml: one broken file per rule.

Each case is text with one `@@` marking where the error must point; the
marker is removed and its 1-based LINE:COL recorded on the file's first line
as `# expect: LINE:COL: error: SUBSTRING` (binary cases get a FILE.expect).
Run from anywhere; rerun after editing a case.
"""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "invalid")

def scenario(spec_extra="", timeline="", cluster=None, docs="", traffic=None, head=None):
    cluster = cluster if cluster is not None else (
        "  cluster:\n    nodes:\n    - name: worker\n      count: 2\n"
        "      capacity: {cpu: \"4\", memory: 8Gi}\n")
    traffic = traffic if traffic is not None else (
        "  traffic:\n  - {name: client, service: web, every: 1s}\n")
    head = head if head is not None else (
        "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: broken}\n")
    return (head + "spec:\n" + cluster + spec_extra + traffic +
            "  timeline:\n  - at: 0s\n    kubectl: apply -f include/web.yaml\n" + timeline +
            ("---\n" + docs if docs else ""))

def deployment(spec_body="", name="web", labels="{app: web}", containers=None, meta_extra="",
               template_spec_extra=""):
    containers = containers if containers is not None else (
        "      - name: web\n        image: nginx:1.25\n")
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n" + meta_extra +
            "spec:\n" + spec_body +
            "  selector:\n    matchLabels: {app: web}\n"
            "  template:\n    metadata:\n      labels: " + labels + "\n    spec:\n" +
            template_spec_extra + "      containers:\n" + containers)

def container(extra):
    return "      - name: web\n        image: nginx:1.25\n" + extra

STEP = "  - at: 30s\n    kubectl: "

CASES = {
  # --- the Scenario kind -------------------------------------------------------
  "scenario-misspelled-field": (scenario(spec_extra="  @@untill: 3m\n"), 'unknown field "untill" in spec; did you mean "until"?'),
  "scenario-misspelled-timing": (scenario(cluster="  cluster:\n    nodes:\n    - {name: worker, capacity: {cpu: 1, memory: 1Gi}}\n    timing:\n      @@endpointDelai: 1s\n"), 'did you mean "endpointDelay"?'),
  "scenario-misspelled-node-field": (scenario(cluster="  cluster:\n    nodes:\n    - name: worker\n      @@cuont: 3\n      capacity: {cpu: 1, memory: 1Gi}\n"), 'did you mean "count"?'),
  "scenario-wrong-api-version": (scenario(head="apiVersion: @@kubesim/v1\nkind: Scenario\nmetadata: {name: broken}\n"), 'unknown apiVersion "kubesim/v1" for kind Scenario'),
  "scenario-two-scenarios": (scenario() + "---\n@@apiVersion: kubesim/v1alpha1\nkind: Scenario\nspec: {}\n", "a second Scenario document"),
  "scenario-missing-cluster": ("apiVersion: kubesim/v1alpha1\nkind: Scenario\nspec:\n  @@seed: 1\n", "spec.cluster: Required value"),
  "scenario-capacity-missing-cpu": (scenario(cluster="  cluster:\n    nodes:\n    - name: worker\n      capacity: @@{memory: 1Gi}\n"), "capacity.cpu: Required value"),
  "scenario-capacity-bad-quantity": (scenario(cluster="  cluster:\n    nodes:\n    - name: worker\n      capacity: {cpu: @@4 cores, memory: 1Gi}\n"), 'quantity "4 cores": unknown suffix'),
  "scenario-negative-duration": (scenario(spec_extra="  images:\n    nginx:1.25: {pull: @@-5s}\n"), "duration -5s must not be negative"),
  "scenario-malformed-duration": (scenario(spec_extra="  images:\n    nginx:1.25: {start: @@5x}\n"), '"5x"'),
  "scenario-uniform-reversed": (scenario(spec_extra="  images:\n    nginx:1.25:\n      pull: {uniform: @@[3s, 1s]}\n"), "the low bound is above the high bound"),
  "scenario-misspelled-distribution": (scenario(spec_extra="  images:\n    nginx:1.25:\n      pull: {@@normall: {mean: 1s, stddev: 1s}}\n"), 'did you mean "normal"?'),
  "scenario-negative-sigma": (scenario(spec_extra="  images:\n    nginx:1.25:\n      start: {lognormal: {median: 2s, sigma: @@-0.3}}\n"), "expected a number from 0 to 100"),
  "scenario-drain-after-shutdown": (scenario(spec_extra="  images:\n    nginx:1.25: {shutdown: 1s, drain: @@5s}\n"), "must be at most shutdown"),
  "scenario-healthy-not-bool": (scenario(spec_extra="  images:\n    nginx:1.25: {healthy: @@maybe}\n"), "expected true or false"),
  "traffic-every-and-rate": (scenario(traffic="  traffic:\n  - @@{name: c, service: web, every: 1s, rate: 5/s}\n"), "exactly one of every: (an interval) or rate:"),
  "traffic-bad-rate": (scenario(traffic="  traffic:\n  - {name: c, service: web, rate: @@200}\n"), "expected a positive rate such as 200/s"),
  "traffic-unknown-service": (scenario(traffic="  traffic:\n  - @@{name: c, service: wbe, every: 1s}\n"), 'Service "wbe" is never created by the file or a timeline step; did you mean "web"?'),
  "seed-not-integer": (scenario(spec_extra="  seed: @@one\n"), 'spec.seed: expected an integer, got the string "one"'),
  # --- timeline steps ------------------------------------------------------------
  "step-wait-unknown-condition": (scenario(timeline=STEP + "wait @@--for=condition=Complete deployment/web\n"), 'condition "Complete" is not modelled'),
  "step-two-actions": (scenario(timeline="  - @@at: 5s\n    kubectl: cordon worker-0\n    fail: node/worker-0\n"), "only one of kubectl:, fail:, recover: or sleep:"),
  "kubectl-unterminated-quote": (scenario(timeline=STEP + "patch service web -p @@'{\"spec\":{}}\n"), "unterminated single quote"),
  "kubectl-unknown-command": (scenario(timeline=STEP + "@@frobnicate deployment/web\n"), 'unknown kubectl command "frobnicate"'),
  "kubectl-shell-pipe": (scenario(timeline=STEP + "apply -f include/web.yaml @@| tee log\n"), "shell operator '|' is not supported"),
  "kubectl-unknown-flag": (scenario(timeline=STEP + "apply @@--prune -f include/web.yaml\n"), "unknown flag: --prune"),
  "kubectl-apply-missing-file": (scenario(timeline=STEP + "apply -f @@include/nothere.yaml\n"), "include/nothere.yaml: cannot open: No such file or directory"),
  "kubectl-apply-invalid-file": (scenario(timeline=STEP + "apply -f @@include/broken.yaml\n"), "include/broken.yaml is not valid (1 error above)"),
  "kubectl-set-image-unknown-container": (scenario(timeline=STEP + "set image deployment/web @@nginx=nginx:1.26\n"), 'unable to find container named "nginx"'),
  "kubectl-patch-missing-object": (scenario(timeline=STEP + "patch service @@api -p '{\"spec\":{\"selector\":{\"app\":\"x\"}}}'\n"), 'service "api" not found at 30s'),
  "kubectl-patch-invalid-json": (scenario(timeline=STEP + "patch service web -p @@'{\"spec\":[}'\n"), "the patch is not valid JSON"),
  "kubectl-patch-makes-invalid-object": (scenario(timeline="  - at: 30s\n    kubectl: @@patch deployment web --type merge -p '{\"spec\":{\"replicas\":-2}}'\n"), "after kubectl patch: Deployment \"web\" is invalid: spec.replicas: Invalid value: -2"),
  "kubectl-scale-negative": (scenario(timeline=STEP + "scale deployment/web @@--replicas=-1\n"), "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"),
  "kubectl-scale-missing-deployment": (scenario(timeline=STEP + "scale deployment/@@webb --replicas=3\n"), 'deployment "webb" not found at 30s'),
  "kubectl-undo-without-history": (scenario(timeline=STEP + "rollout undo deployment/@@web\n"), 'no rollout history found for deployment "web"'),
  "kubectl-resume-not-paused": (scenario(timeline=STEP + "rollout resume deployment/@@web\n"), 'deployment "web" is not paused'),
  "kubectl-drain-unknown-node": (scenario(timeline=STEP + "drain @@worker-7\n"), 'node "worker-7" not found'),
  "step-fail-unknown-node": (scenario(timeline="  - at: 30s\n    fail: node/@@worker-9\n"), 'node "worker-9" not found'),
  "step-fail-malformed": (scenario(timeline="  - at: 30s\n    fail: @@worker-0\n"), 'expected node/NAME, got "worker-0"'),
  "step-delete-missing": (scenario(timeline=STEP + "delete deployment @@api\n"), 'deployment "api" not found at 30s'),
  "expect-unknown-metric": (scenario(spec_extra="  expect:\n  - @@resources.peakCPU <= 4\n"), 'unknown metric "resources.peakCPU"'),
  "expect-unknown-service": (scenario(spec_extra="  expect:\n  - @@services.api.downtimeSeconds <= 0\n"), 'no Service "api" in this scenario'),
  "expect-not-a-comparison": (scenario(spec_extra="  expect:\n  - @@services.web.downtimeSeconds is zero\n"), "expected METRIC OP VALUE"),
  "namespace-not-found": (scenario(docs=deployment(meta_extra="  namespace: @@shop\n", name="shop-web")), 'namespaces "shop" not found'),
  # --- Kubernetes validation (pkg/apis/apps/validation, pkg/apis/core/validation) ---
  "k8s-selector-mismatch": (scenario(docs=deployment(name="api", labels="@@{app: api}")), "`selector` does not match template `labels`"),
  "k8s-surge-and-unavailable-zero": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: @@0}\n", name="api")), "may not be 0 when `maxSurge` is 0"),
  "k8s-surge-zero-unavailable-zero-percent": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxSurge: 0, maxUnavailable: @@0%}\n", name="api")), "maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0"),
  "k8s-unavailable-over-100-percent": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxUnavailable: @@150%}\n", name="api")), "must not be greater than 100%"),
  "k8s-negative-surge": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxSurge: @@-1}\n", name="api")), "maxSurge: Invalid value: -1: must be greater than or equal to 0"),
  "k8s-percent-without-sign": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxSurge: @@\"25\"}\n", name="api")), "a valid percent string must be a numeric string followed by an ending '%'"),
  "k8s-malformed-percent": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxUnavailable: @@abc%}\n", name="api")), "a valid percent string"),
  "k8s-float-surge": (scenario(docs=deployment("  strategy:\n    rollingUpdate: {maxSurge: @@1.5}\n", name="api")), "expected an integer or a percentage"),
  "k8s-missing-image": (scenario(docs=deployment(name="api", containers="      - @@name: web\n")), "containers[0].image: Required value"),
  "k8s-missing-container-name": (scenario(docs=deployment(name="api", containers="      - @@image: nginx:1.25\n")), "containers[0].name: Required value"),
  "k8s-no-containers": (scenario(docs=deployment(name="api", containers="")).replace("      containers:\n", "      @@containers:\n"), "spec.template.spec.containers: Required value"),
  "k8s-probe-without-handler": (scenario(docs=deployment(name="api", containers=container("        readinessProbe: @@{periodSeconds: 5}\n"))), "readinessProbe: Required value: must specify a handler type"),
  "k8s-probe-two-handlers": (scenario(docs=deployment(name="api", containers=container("        livenessProbe: @@{tcpSocket: {port: 80}, httpGet: {port: 80}}\n"))), "may not specify more than 1 handler type"),
  "k8s-liveness-success-threshold": (scenario(docs=deployment(name="api", containers=container("        livenessProbe: {tcpSocket: {port: 80}, successThreshold: @@2}\n"))), "livenessProbe.successThreshold: Invalid value: 2: must be 1"),
  "k8s-startup-success-threshold": (scenario(docs=deployment(name="api", containers=container("        startupProbe: {exec: {command: [cat, /tmp/ok]}, successThreshold: @@3}\n"))), "startupProbe.successThreshold: Invalid value: 3: must be 1"),
  "k8s-negative-period": (scenario(docs=deployment(name="api", containers=container("        readinessProbe: {tcpSocket: {port: 80}, periodSeconds: @@-1}\n"))), "periodSeconds: Invalid value: -1: must be greater than or equal to 0"),
  "k8s-probe-bad-port": (scenario(docs=deployment(name="api", containers=container("        readinessProbe: {httpGet: {port: @@70000}}\n"))), "must be between 1 and 65535, inclusive"),
  "k8s-deployment-name": (scenario(docs=deployment(name="@@Web_App")), "a lowercase RFC 1123 subdomain"),
  "k8s-service-name": (scenario(docs="apiVersion: v1\nkind: Service\nmetadata:\n  name: @@1api\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n"), "a DNS-1035 label"),
  "k8s-service-without-ports": (scenario(docs="apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  @@selector: {app: web}\n"), "spec.ports: Required value"),
  "k8s-replicas-string": (scenario(docs=deployment("  replicas: @@\"3\"\n", name="api")), 'spec.replicas: expected an integer, got the string "3"'),
  "k8s-replicas-huge": (scenario(docs=deployment("  replicas: @@99999999999999999999999\n", name="api")), "is out of range"),
  "k8s-negative-replicas": (scenario(docs=deployment("  replicas: @@-1\n", name="api")), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
  "k8s-label-value-number": (scenario(docs=deployment(name="api", meta_extra="  labels:\n    version: @@1.0\n")), "expected a string, got the number 1.0"),
  "k8s-empty-selector": (scenario(docs="apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: @@{}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: nginx}]\n"), "empty selector is invalid for deployment"),
  "k8s-match-expression-without-values": (scenario(docs="apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector:\n    matchExpressions:\n    - @@{key: app, operator: In}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: nginx}]\n"), "must be specified when `operator` is 'In' or 'NotIn'"),
  "k8s-match-expression-bad-operator": (scenario(docs="apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector:\n    matchExpressions:\n    - {key: app, operator: @@Equals, values: [api]}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: nginx}]\n"), 'Unsupported value: "Equals"'),
  "k8s-wrong-api-version": (scenario(docs="apiVersion: @@extensions/v1beta1\nkind: Deployment\nmetadata: {name: api}\n"), 'no matches for kind "Deployment" in version "extensions/v1beta1"'),
  "k8s-missing-kind": (scenario(docs="@@apiVersion: v1\nmetadata: {name: api}\n"), "error validating data: kind not set"),
  "k8s-recreate-with-rolling-update": (scenario(docs=deployment("  strategy:\n    type: Recreate\n    rollingUpdate: @@{maxSurge: 1}\n", name="api")), "may not be specified when strategy `type` is 'Recreate'"),
  "k8s-unknown-strategy": (scenario(docs=deployment("  strategy:\n    type: @@BlueGreen\n", name="api")), 'Unsupported value: "BlueGreen"'),
  "k8s-requests-above-limits": (scenario(docs=deployment(name="api", containers=container("        resources:\n          limits: {cpu: 500m}\n          requests: {cpu: @@1}\n"))), "must be less than or equal to cpu limit of 500m"),
  "k8s-bad-quantity": (scenario(docs=deployment(name="api", containers=container("        resources:\n          requests: {memory: @@1.5Gb}\n"))), 'quantity "1.5Gb": unknown suffix "Gb"'),
  "k8s-negative-quantity": (scenario(docs=deployment(name="api", containers=container("        resources:\n          requests: {memory: @@-1Gi}\n"))), "must be greater than or equal to 0"),
  "k8s-container-port-range": (scenario(docs=deployment(name="api", containers=container("        ports:\n        - containerPort: @@70000\n"))), "containerPort: Invalid value: 70000: must be between 1 and 65535"),
  "k8s-progress-deadline": (scenario(docs=deployment("  minReadySeconds: 30\n  progressDeadlineSeconds: @@10\n", name="api")), "must be greater than minReadySeconds"),
  "k8s-prestop-sleep-too-long": (scenario(docs=deployment(name="api", containers=container("        lifecycle:\n          preStop:\n            sleep: {seconds: @@40}\n"))), "must be non-negative and less than terminationGracePeriodSeconds (30)"),
  "k8s-duplicate-container": (scenario(docs=deployment(name="api", containers="      - name: web\n        image: nginx\n      - name: @@web\n        image: nginx\n")), 'Duplicate value: "web"'),
  "k8s-restart-policy-never": (scenario(docs=deployment(name="api", template_spec_extra="      restartPolicy: @@Never\n")), 'Unsupported value: "Never": supported values: "Always"'),
  "k8s-negative-grace-period": (scenario(docs=deployment(name="api", template_spec_extra="      terminationGracePeriodSeconds: @@-5\n")), "terminationGracePeriodSeconds: Invalid value: -5"),
  "k8s-init-container-probe": (scenario(docs=deployment(name="api", template_spec_extra="      initContainers:\n      - name: migrate\n        image: migrate:1\n        readinessProbe: @@{tcpSocket: {port: 80}}\n")), "may not be set for init containers without restartPolicy=Always"),
  "k8s-container-restart-policy": (scenario(docs=deployment(name="api", containers=container("        restartPolicy: @@Always\n"))), "may not be set for non-init containers"),
  "k8s-toleration-seconds-effect": (scenario(docs=deployment(name="api", template_spec_extra="      tolerations:\n      - {key: k, operator: Exists, effect: @@NoSchedule, tolerationSeconds: 30}\n")), "effect must be 'NoExecute' when `tolerationSeconds` is set"),
  "k8s-spread-max-skew": (scenario(docs=deployment(name="api", template_spec_extra="      topologySpreadConstraints:\n      - {maxSkew: @@0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n")), "maxSkew: Invalid value: 0: must be greater than zero"),
  "k8s-pod-anti-affinity-topology-key": (scenario(docs=deployment(name="api", template_spec_extra="      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - @@labelSelector: {matchLabels: {app: web}}\n")), "topologyKey: Required value: can not be empty"),
  "k8s-node-affinity-operator": (scenario(docs=deployment(name="api", template_spec_extra="      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions: [{key: zone, operator: @@Near, values: [a]}]\n")), 'Unsupported value: "Near": supported values: "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"'),
  "k8s-pdb-both-fields": (scenario(docs="---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 1\n  maxUnavailable: @@1\n  selector: {matchLabels: {app: web}}\n"), "minAvailable and maxUnavailable cannot be both set"),
  "scenario-taint-effect": (scenario(cluster="  cluster:\n    nodes:\n    - name: worker\n      capacity: {cpu: \"4\", memory: 8Gi}\n      taints: [{key: k, value: v, effect: @@NoEntry}]\n"), 'Unsupported value: "NoEntry": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
  # --- YAML and files --------------------------------------------------------------
  "yaml-duplicate-key": (scenario(docs=deployment("  replicas: 1\n  @@replicas: 2\n", name="api")), 'mapping key "replicas" already defined at line'),
  "yaml-syntax-error": (scenario(spec_extra="  seed: [1, 2\n", traffic="  traffic@@:\n  - {name: client, service: web, every: 1s}\n"), "YAML syntax error: end of sequence flow not found"),
  "yaml-plain-text": ("@@this is just some text, not a scenario\n", "this document is not a mapping but plain text"),
  "yaml-document-is-a-list": ("@@- apiVersion: v1\n- kind: Service\n", "this document is a list, not a mapping"),
  "yaml-empty-file": ("", "the file is empty"),  # 1:1, set in main()
  "yaml-alias-cycle": ("a: &a [@@*a]\n", "this alias refers to a node that contains it (a cycle)"),
  "yaml-deep-nesting": ("a: " + "[" * 63 + "@@[" + "]" * 64 + "\n", "nests more than 64 levels deep"),
  "yaml-alias-bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
      f"a{i}: &a{i} [" + ", ".join([("*a" if i == 1 else f"*a{i-1}")] * 10) + "]\n" for i in range(1, 5)) +
      "a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, @@*a4, *a4, *a4]\n", "expands to more than 1000000 YAML nodes"),
  "yaml-control-character": ("apiVersion: v1\nkind: @@\x01Service\n", "control character 0x01 is not allowed"),
}

BINARY = {
  "binary-nul-bytes": (b"MZ\x00\x00\x90garbage", "1:3: error: the file contains a NUL byte"),
  "binary-invalid-utf8": (b"apiVersion: v1\nkind: \xff\xfeService\n", "2:7: error: byte 0xFF is not UTF-8 text"),
}

def main():
    for name in os.listdir(HERE):
        if name.endswith(".yaml") or name.endswith(".expect"):
            os.remove(os.path.join(HERE, name))
    count = 0
    for name, (text, message) in sorted(CASES.items()):
        if message is None:
            continue
        text = "# (placeholder)\n" + text
        if "@@" not in text:
            text = "@@" + text  # a whole-file error: 1:1
        at = text.index("@@")
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        text = text.replace("@@", "", 1)
        first = f"# expect: {line}:{col}: error: {message}\n"
        text = first + text[text.index("\n") + 1:]
        with open(os.path.join(HERE, name + ".yaml"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        count += 1
    for name, (data, message) in sorted(BINARY.items()):
        with open(os.path.join(HERE, name + ".yaml"), "wb") as f:
            f.write(data)
        with open(os.path.join(HERE, name + ".yaml.expect"), "w") as f:
            f.write(message + "\n")
        count += 1
    print(f"{count} broken files in {HERE}")

if __name__ == "__main__":
    main()
