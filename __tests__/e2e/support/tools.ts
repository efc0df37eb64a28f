/**
 * Small helpers shared by the registry end-to-end suites: tools on the PATH, temporary
 * folders, free ports, child processes (always stopped in afterAll) and polling.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Set KEEP_E2E_TMP=1 to keep the temporary folders (logs, certificates, images) for a look. */
const KEEP_TMP = process.env.KEEP_E2E_TMP === "1";

/**
 * The absolute path of `binary`, or an error naming the Debian package to install: these
 * suites never skip silently when a tool is missing.
 */
export function requireTool(binary: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`missing ${binary}: apt-get install ${debianPackage}`);
}

/** The tools a registry scenario runs (the emitted registry behind its auth proxy, skopeo). */
export const REGISTRY_TOOLS: ReadonlyArray<readonly [string, string]> = [
  ["nginx", "nginx"],
  ["docker-registry", "docker-registry"],
  ["skopeo", "skopeo"],
  ["htpasswd", "apache2-utils"],
  ["openssl", "openssl"],
];

/** {@link requireTool} for each `[binary, Debian package]`. */
export function requireTools(tools: ReadonlyArray<readonly [string, string]>): void {
  for (const [binary, debianPackage] of tools) requireTool(binary, debianPackage);
}

const tempDirs: string[] = [];

/** A new folder under os.tmpdir(), removed by {@link cleanupTempDirs} unless KEEP_E2E_TMP=1. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hr-e2e-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of tempDirs.splice(0)) {
    if (KEEP_TMP) console.log(`KEEP_E2E_TMP: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP port on 127.0.0.1 nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("no port from the OS"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Several distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for error-message assertions. */
  readonly output: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

/** Run a command to completion (no shell); never throws on a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(command, [...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
  const stdout = result.stdout ?? "";
  const stderr = result.stderr ?? "";
  return { status: result.status, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** Run a command that must succeed; the error carries its output. */
export function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): RunResult {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${String(result.status)}:\n${result.output.trim()}`,
    );
  }
  return result;
}

/** A long-running child whose stdout and stderr go straight to files (no pipe to fill up). */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  /** Everything the process wrote so far, stdout then stderr. */
  logs(): string;
  /** Exit code or signal once it has exited, else undefined. */
  exited(): string | undefined;
}

const running: ManagedProcess[] = [];

export interface StartOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Folder for `<name>.stdout.log` and `<name>.stderr.log`. */
  readonly logDir: string;
  readonly cwd?: string;
}

/** Start a server process; {@link stopAll} ends it. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions,
): ManagedProcess {
  const stdoutFile = join(options.logDir, `${name}.stdout.log`);
  const stderrFile = join(options.logDir, `${name}.stderr.log`);
  const out = openSync(stdoutFile, "a");
  const err = openSync(stderrFile, "a");
  const child = spawn(command, [...args], {
    env: options.env,
    cwd: options.cwd,
    stdio: ["ignore", out, err],
  });
  closeSync(out);
  closeSync(err);
  let exit: string | undefined;
  child.on("exit", (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${String(code)}`;
  });
  child.on("error", (error) => {
    exit = `spawn error: ${error.message}`;
  });
  const handle: ManagedProcess = {
    name,
    child,
    stdoutFile,
    stderrFile,
    logs: () => `${readFileSync(stdoutFile, "utf8")}${readFileSync(stderrFile, "utf8")}`,
    exited: () => exit,
  };
  running.push(handle);
  return handle;
}

/** Stop one process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(handle: ManagedProcess, graceMs = 5000): Promise<void> {
  const index = running.indexOf(handle);
  if (index >= 0) running.splice(index, 1);
  const { child } = handle;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Stop every process started by {@link startProcess}, newest first (for afterAll). */
export async function stopAll(): Promise<void> {
  for (const handle of [...running].reverse()) await stopProcess(handle);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `probe` until it returns a value; fail with `describe()` (e.g. the server's log) after
 * `timeoutMs`, or as soon as `process` has exited.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; process?: ManagedProcess; processes?: ManagedProcess[] } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  const watched = [...(options.process ? [options.process] : []), ...(options.processes ?? [])];
  let lastError = "";
  for (;;) {
    for (const watchedProcess of watched) {
      const exited = watchedProcess.exited();
      if (exited) {
        throw new Error(
          `${what}: ${watchedProcess.name} exited (${exited}):\n${watchedProcess.logs()}`,
        );
      }
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const logs = options.process
        ? `\n${options.process.name} log:\n${options.process.logs()}`
        : "";
      throw new Error(`timed out waiting for ${what} (${lastError})${logs}`);
    }
    await sleep(200);
  }
}
