/**
 * A throwaway containerd (root, state and sockets in a temp folder; CRI registry config_path
 * set) and `ctr` against it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  requireTool,
  run,
  startProcess,
  waitFor,
  type ManagedProcess,
  type RunResult,
} from "./tools";

export interface Containerd {
  readonly socket: string;
  readonly process: ManagedProcess;
  /** `ctr --address <socket> <args>`; never throws on failure. */
  ctr(args: readonly string[]): RunResult;
}

/** containerd's TOML config: everything under `dir`, unneeded snapshotters off. */
export function containerdConfig(dir: string, hostsDir: string): string {
  const quote = (value: string) => JSON.stringify(value);
  return [
    "version = 2",
    `root = ${quote(join(dir, "root"))}`,
    `state = ${quote(join(dir, "state"))}`,
    // Snapshotters that need kernel modules or special file systems; "native" is used.
    `disabled_plugins = ${JSON.stringify([
      "io.containerd.snapshotter.v1.aufs",
      "io.containerd.snapshotter.v1.btrfs",
      "io.containerd.snapshotter.v1.devmapper",
      "io.containerd.snapshotter.v1.zfs",
    ])}`,
    "[grpc]",
    `  address = ${quote(join(dir, "containerd.sock"))}`,
    "[ttrpc]",
    `  address = ${quote(join(dir, "containerd.sock.ttrpc"))}`,
    "[debug]",
    '  address = ""',
    "[metrics]",
    '  address = ""',
    '[plugins."io.containerd.grpc.v1.cri".registry]',
    `  config_path = ${quote(hostsDir)}`,
    "",
  ].join("\n");
}

/** Start containerd as root with its own folders; stop it with stopProcess/stopAll. */
export async function startContainerd(dir: string, hostsDir: string): Promise<Containerd> {
  const binary = requireTool("containerd", "containerd");
  const ctrBinary = requireTool("ctr", "containerd");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "config.toml");
  writeFileSync(config, containerdConfig(dir, hostsDir));
  const socket = join(dir, "containerd.sock");
  const process = startProcess("containerd", binary, ["--config", config], {
    env: { PATH: globalThis.process.env.PATH },
    logDir: dir,
  });
  const ctr = (args: readonly string[]) =>
    run(ctrBinary, ["--address", socket, "--connect-timeout", "5s", ...args], {
      env: { PATH: globalThis.process.env.PATH },
      timeoutMs: 180000,
    });
  await waitFor(
    "containerd's socket",
    async () => (ctr(["version"]).status === 0 ? true : undefined),
    {
      process,
      timeoutMs: 30000,
    },
  );
  return { socket, process, ctr };
}
