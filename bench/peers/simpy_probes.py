#!/usr/bin/python3
"""The baseline a user would otherwise write: the scale workload's probes and
traffic in SimPy (Debian's python3-simpy3), nothing else.

D Deployments x R pods, each with a readiness and a liveness probe every 10 s
from a random phase, and a Poisson client (10 req/s) on every tenth
Deployment's pods, for 30 simulated minutes. No scheduler, no controllers, no
rollout, no endpoints delay: a lower bound of the model kubesim runs
(scenarios/scale/generate.py), so the ratio bench/peers/side-by-side.sh prints
flatters this script.

    bench/peers/simpy_probes.py --deployments 150 --replicas 100
"""
import argparse
import random
import simpy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deployments", type=int, required=True)
    ap.add_argument("--replicas", type=int, default=100)
    ap.add_argument("--until", type=float, default=1800.0, help="simulated seconds")
    ap.add_argument("--rate", type=float, default=10.0, help="requests/s per client")
    a = ap.parse_args()
    rng = random.Random(1)
    env = simpy.Environment()
    ready = {}
    counts = {"probes": 0, "requests": 0, "failed": 0}

    def probe(pod, period, readiness):
        yield env.timeout(rng.uniform(0, period))
        while True:
            counts["probes"] += 1
            if readiness:
                ready[pod] = True  # the process serves: the probe succeeds
            yield env.timeout(period)

    def client(pods):
        while True:
            yield env.timeout(rng.expovariate(a.rate))
            counts["requests"] += 1
            if not ready.get(rng.choice(pods)):
                counts["failed"] += 1

    for d in range(a.deployments):
        pods = [(d, r) for r in range(a.replicas)]
        for pod in pods:
            env.process(probe(pod, 10.0, True))
            env.process(probe(pod, 10.0, False))
        if d % 10 == 0:
            env.process(client(pods))
    env.run(until=a.until)
    print(f"pods={a.deployments * a.replicas} probes={counts['probes']} "
          f"requests={counts['requests']} failed={counts['failed']}")


if __name__ == "__main__":
    main()
