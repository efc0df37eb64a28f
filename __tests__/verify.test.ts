import { clusterChecks } from "../lib/verify/cluster-checks";

describe("npm run verify: the cluster checks it runs", () => {
  const checks = clusterChecks({
    routers: [
      { name: "app-router", region: "europe-west1", project: "app-project-123" },
      { name: "on-prem-router", region: "europe-west1", project: "onprem-project-123" },
    ],
    appContext: "gke_app",
    appNamespace: "apps",
    registryFqdn: "registry.onprem.internal",
    sampleImage: "registry.onprem.internal/stack-labs/nginx:stable",
    toolImage: "busybox:1.37.0",
  });

  it("prints exact commands: routers by name and region, pods in the app namespace", () => {
    expect(checks.map((c) => c.command.join(" "))).toEqual([
      "gcloud compute routers get-status app-router --region europe-west1 --project app-project-123 --format=json",
      "gcloud compute routers get-status on-prem-router --region europe-west1 --project onprem-project-123 --format=json",
      "kubectl --context gke_app -n apps run verify-dns --rm -i --restart=Never --quiet --image=busybox:1.37.0 -- nslookup registry.onprem.internal",
      "kubectl --context gke_app -n apps run verify-pull --rm -i --restart=Never --quiet --image=registry.onprem.internal/stack-labs/nginx:stable --command -- true",
      "kubectl --context gke_app -n apps rollout status deployment/nginx-from-registry --timeout=120s",
    ]);
  });

  it("reads BGP session states from gcloud's JSON", () => {
    const [bgp] = checks;
    const status = (states: string[]) =>
      JSON.stringify({
        result: { bgpPeerStatus: states.map((s, i) => ({ name: `peer-${i}`, status: s })) },
      });
    expect(bgp.evaluate(status(["UP", "UP"]), 0)).toMatchObject({
      ok: true,
      detail: "2 sessions UP",
    });
    expect(bgp.evaluate(status(["UP", "DOWN"]), 0)).toMatchObject({
      ok: false,
      detail: "down: peer-1",
    });
    expect(bgp.evaluate(status([]), 0)).toMatchObject({ ok: false, detail: "no BGP peers" });
    expect(bgp.evaluate("", 1)).toMatchObject({ ok: false });
  });

  it("fails a pull whose pod did not run", () => {
    const pull = checks.find((c) => c.check === "pod pulls from the registry");
    expect(pull?.evaluate("", 1).ok).toBe(false);
    expect(pull?.evaluate("", 0).ok).toBe(true);
  });
});
