/**
 * skopeo with a private policy (accept anything: the tests check TLS and auth, not
 * signatures) and no ambient credentials (HOME, auth file and runtime dir in a temp folder).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireTool, run, type RunResult } from "./tools";

export class Skopeo {
  private readonly binary = requireTool("skopeo", "skopeo");
  private readonly policy: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(workDir: string) {
    mkdirSync(workDir, { recursive: true });
    this.policy = join(workDir, "policy.json");
    writeFileSync(this.policy, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    this.env = {
      PATH: process.env.PATH,
      HOME: workDir,
      XDG_RUNTIME_DIR: workDir,
      // Never read a login of the machine: an absent file means no stored credentials.
      REGISTRY_AUTH_FILE: join(workDir, "no-auth.json"),
      TMPDIR: workDir,
    };
  }

  /** `skopeo <args>` with the private policy; never throws on failure. */
  run(args: readonly string[]): RunResult {
    return run(this.binary, ["--policy", this.policy, ...args], {
      env: this.env,
      timeoutMs: 180000,
    });
  }

  /** Like run, but a failure is an error carrying skopeo's output. */
  runOk(args: readonly string[]): RunResult {
    const result = this.run(args);
    if (result.status !== 0) {
      throw new Error(
        `skopeo ${args.join(" ")} failed (${String(result.status)}):\n${result.output}`,
      );
    }
    return result;
  }
}
