/**
 * The order the real cdktf CLI (cdktf-cli 0.21.0) deploys and destroys the three-sides example
 * in: the CLI schedules the stacks from the app's manifest and runs every stack whose
 * dependencies are done at once. Terraform itself is a stand-in here (TERRAFORM_BINARY_NAME,
 * read by @cdktf/commons terraform.js): a script that records when each stack's apply or
 * destroy starts and ends and takes a second doing it, so runs that overlap show.
 *
 * Shown: the sides' network stacks, which all write the one on-prem Cloud Router, never run at
 * the same time, in `deploy '*'` or in `destroy '*'`; other stacks still do (the measurement
 * sees parallelism, so the first claim is not vacuous).
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/config";
import { cleanupTempDirs, makeTempDir, run } from "./support/tools";

const STAND_IN_TERRAFORM = `#!/bin/sh
# Stand-in for terraform under the cdktf CLI: records apply/destroy runs per stack folder.
stack=$(basename "$PWD")
case "$1" in
  -v|version) echo "Terraform v1.11.4"; exit 0;;
  apply|destroy)
    echo "start $stack $(date +%s%N)" >> "$RUN_LOG"; sleep 1
    echo "end $stack $(date +%s%N)" >> "$RUN_LOG"
    echo "Apply complete! Resources: 0 added, 0 changed, 0 destroyed."; exit 0;;
  output) echo "{}"; exit 0;;
  *) exit 0;;
esac
`;

interface Interval {
  readonly stack: string;
  readonly start: bigint;
  readonly end: bigint;
}

function intervalsOf(log: string): Interval[] {
  const starts = new Map<string, bigint>();
  const intervals: Interval[] = [];
  for (const line of log.trim().split("\n")) {
    const [event, stack, time] = line.split(" ");
    if (event === "start") starts.set(stack, BigInt(time));
    else intervals.push({ stack, start: starts.get(stack) ?? 0n, end: BigInt(time) });
  }
  return intervals.sort((a, b) => (a.start < b.start ? -1 : 1));
}

const overlap = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

describe("deploy and destroy order through the real cdktf CLI (stand-in terraform)", () => {
  const dir = makeTempDir("deploy-order-");
  const terraform = join(dir, "terraform");
  const log = join(dir, "runs.log");
  writeFileSync(terraform, STAND_IN_TERRAFORM);
  chmodSync(terraform, 0o755);
  afterAll(() => cleanupTempDirs());

  const cdktf = (command: "deploy" | "destroy"): Interval[] => {
    if (existsSync(log)) rmSync(log);
    const result = run(
      "npx",
      ["--no-install", "cdktf", command, "*", "--auto-approve", "--output", join(dir, "out")],
      {
        cwd: ROOT,
        timeoutMs: 240000,
        env: {
          ...process.env,
          HYBRID_CONFIG: "examples/hybrid-three-sides.yaml",
          TERRAFORM_BINARY_NAME: terraform,
          RUN_LOG: log,
          CHECKPOINT_DISABLE: "1",
          CI: "1",
        },
      },
    );
    if (result.status !== 0) throw new Error(`cdktf ${command} failed:\n${result.output}`);
    const intervals = intervalsOf(readFileSync(log, "utf8"));
    console.log(
      `cdktf ${command} '*': ${intervals.map((interval) => interval.stack).join(" -> ")}`,
    );
    return intervals;
  };

  it.each(["deploy", "destroy"] as const)(
    "%s runs the sides' network stacks one at a time, the rest in parallel where it may",
    (command) => {
      const intervals = cdktf(command);
      expect(intervals).toHaveLength(8);
      const networks = intervals.filter((interval) => interval.stack.startsWith("cloud-network-"));
      expect(networks.map((interval) => interval.stack)).toEqual(
        command === "deploy"
          ? ["cloud-network-dev", "cloud-network-staging", "cloud-network-prod"]
          : ["cloud-network-prod", "cloud-network-staging", "cloud-network-dev"],
      );
      for (const [i, a] of networks.entries()) {
        for (const b of networks.slice(i + 1)) {
          expect({ a: a.stack, b: b.stack, overlap: overlap(a, b) }).toEqual({
            a: a.stack,
            b: b.stack,
            overlap: false,
          });
        }
      }
      const parallel = intervals.some((a, i) => intervals.slice(i + 1).some((b) => overlap(a, b)));
      expect(parallel).toBe(true);
    },
  );
});
