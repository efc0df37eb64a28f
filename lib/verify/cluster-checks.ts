import type { CheckResult } from "./registry-check";

/**
 * A command check's result; `next` is a further command whose result replaces this one (e.g.
 * the log of a Job found failed).
 */
export type CommandOutcome = CheckResult & { readonly next?: CommandCheck };

/** A check done by running a command (gcloud, kubectl) and reading its result. */
export interface CommandCheck {
  readonly check: string;
  readonly command: readonly string[];
  readonly evaluate: (stdout: string, status: number | null) => CommandOutcome;
}

/** What running a command gave: its stdout and exit status (null: it did not run). */
export interface CommandRun {
  readonly stdout: string;
  readonly status: number | null;
}

/**
 * Runs each check's command (and the commands its outcomes ask for next), printing every
 * command before it runs and every final result; returns the final results in order.
 */
export function runCommandChecks(
  checks: readonly CommandCheck[],
  execute: (command: readonly string[]) => CommandRun,
  report: {
    readonly command: (command: readonly string[]) => void;
    readonly result: (result: CheckResult) => void;
  },
): CheckResult[] {
  return checks.map((first) => {
    let check: CommandCheck = first;
    for (;;) {
      report.command(check.command);
      const ran = execute(check.command);
      const { next, ...result } = check.evaluate(ran.stdout, ran.status);
      if (!next) {
        report.result(result);
        return result;
      }
      check = next;
    }
  });
}

export interface ClusterCheckProps {
  /** Cloud Routers whose BGP sessions must be up. */
  readonly routers: ReadonlyArray<{
    readonly name: string;
    readonly region: string;
    readonly project: string;
  }>;
  /** kubectl context of the application cluster (undefined: the current context). */
  readonly appContext?: string;
  readonly appNamespace: string;
  readonly registryFqdn: string;
  /** `<registry>/<repository>:<tag>` a one-off pod pulls. */
  readonly sampleImage?: string;
  /** Busybox-like image with nslookup for the DNS check. */
  readonly toolImage: string;
}

/**
 * The post-deploy checks done from a workstation with gcloud and kubectl: BGP sessions up on
 * every router, the registry name resolving inside the application cluster, a pod pulling from
 * the registry with the namespace's credentials, the sample app rolled out.
 */
export function clusterChecks(props: ClusterCheckProps): CommandCheck[] {
  const kubectl = (...args: string[]) => [
    "kubectl",
    ...(props.appContext ? ["--context", props.appContext] : []),
    ...args,
  ];
  const checks: CommandCheck[] = props.routers.map((router) => ({
    check: `BGP ${router.name}`,
    command: [
      "gcloud",
      "compute",
      "routers",
      "get-status",
      router.name,
      "--region",
      router.region,
      "--project",
      router.project,
      "--format=json",
    ],
    evaluate: (stdout, status) => {
      if (status !== 0) return { ok: false, check: `BGP ${router.name}`, detail: "gcloud failed" };
      const peers =
        (
          JSON.parse(stdout) as {
            result?: { bgpPeerStatus?: Array<{ name: string; status: string }> };
          }
        ).result?.bgpPeerStatus ?? [];
      const down = peers.filter((peer) => peer.status !== "UP").map((peer) => peer.name);
      return {
        ok: peers.length > 0 && down.length === 0,
        check: `BGP ${router.name}`,
        detail:
          peers.length === 0
            ? "no BGP peers"
            : down.length
              ? `down: ${down.join(", ")}`
              : `${peers.length} sessions UP`,
      };
    },
  }));
  checks.push({
    check: "registry name in the app cluster",
    command: kubectl(
      "-n",
      props.appNamespace,
      "run",
      "verify-dns",
      "--rm",
      "-i",
      "--restart=Never",
      "--quiet",
      `--image=${props.toolImage}`,
      "--",
      "nslookup",
      props.registryFqdn,
    ),
    evaluate: (stdout, status) => ({
      ok: status === 0 && /Address/.test(stdout),
      check: "registry name in the app cluster",
      detail: status === 0 ? (stdout.trim().split("\n").slice(-1)[0] ?? "") : "did not resolve",
    }),
  });
  if (props.sampleImage) {
    checks.push({
      check: "pod pulls from the registry",
      command: kubectl(
        "-n",
        props.appNamespace,
        "run",
        "verify-pull",
        "--rm",
        "-i",
        "--restart=Never",
        "--quiet",
        `--image=${props.sampleImage}`,
        "--command",
        "--",
        "true",
      ),
      evaluate: (_stdout, status) => ({
        ok: status === 0,
        check: "pod pulls from the registry",
        detail:
          status === 0
            ? `${props.sampleImage} pulled and ran`
            : "the pod did not run (see kubectl describe pod)",
      }),
    });
    checks.push({
      check: "sample app running",
      command: kubectl(
        "-n",
        props.appNamespace,
        "rollout",
        "status",
        "deployment/nginx-from-registry",
        "--timeout=120s",
      ),
      evaluate: (stdout, status) => ({
        ok: status === 0,
        check: "sample app running",
        detail: stdout.trim().split("\n").slice(-1)[0] ?? "",
      }),
    });
  }
  return checks;
}
