/** Start a synthesized registry Deployment as a local process, from certificates to readiness. */
import { randomInt } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../../lib/config/schema";
import type { CertificateAuthorityFiles, ServerCertificateFiles } from "./pki";
import {
  registryProcessEnv,
  runHtpasswdScript,
  startAuthProxy,
  startRegistry,
  unrecognizedVariables,
  waitForRegistry,
  type SynthesizedRegistry,
} from "./registry";
import { freePorts, type ManagedProcess } from "./tools";

export interface User {
  readonly username: string;
  readonly password: string;
}

export interface Credentials {
  readonly push: User;
  readonly pull: User;
  /** Keys of the credentials Secret (`push-username`, …) as the htpasswd script reads them. */
  readonly secretKeys: Readonly<Record<string, string>>;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Like random_password with special = false. */
export function randomPassword(length = 32): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
}

/** The config's user names with fresh passwords (what the stack's random_password makes). */
export function generateCredentials(config: Config): Credentials {
  const push = { username: config.registry.pushUser, password: randomPassword() };
  const pull = { username: config.registry.pullUser, password: randomPassword() };
  return {
    push,
    pull,
    secretKeys: {
      "push-username": push.username,
      "push-password": push.password,
      "pull-username": pull.username,
      "pull-password": pull.password,
    },
  };
}

export interface LaunchOptions {
  readonly registry: SynthesizedRegistry;
  /** Working folder of this registry (htpasswd, data, logs). */
  readonly dir: string;
  readonly ca: CertificateAuthorityFiles;
  readonly server: ServerCertificateFiles;
  readonly credentials: Credentials;
  readonly replace?: Readonly<Record<string, string>>;
  readonly drop?: Readonly<Record<string, string>>;
  readonly add?: Readonly<Record<string, string>>;
  /** Run the auth proxy without Basic auth, with the reason. */
  readonly proxyWithoutAuth?: string;
  /** Values of Secret-sourced variables (registryProcessEnv `secretValues`). */
  readonly secretValues?: Readonly<Record<string, string>>;
}

export interface RunningRegistry {
  readonly name: string;
  /** The auth proxy's TLS port: what clients use. */
  readonly port: number;
  /** Distribution's own port, plain HTTP on loopback (only the proxy uses it). */
  readonly backendPort: number;
  readonly debugPort: number;
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  /** Distribution (`docker-registry serve`). */
  readonly process: ManagedProcess;
  /** nginx, the auth proxy; its stdout is the access log. */
  readonly proxy: ManagedProcess;
  readonly env: Readonly<Record<string, string>>;
  /** Folder of the htpasswd files the init script wrote (read, write, nobody). */
  readonly usersDir: string;
  /** Storage root (REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY). */
  readonly dataDir: string;
}

/**
 * htpasswd files from the emitted script, Distribution with the emitted env, nginx with the
 * emitted config in front, then wait until a request crosses both over TLS.
 */
export async function launchRegistry(options: LaunchOptions): Promise<RunningRegistry> {
  const { registry, dir } = options;
  mkdirSync(dir, { recursive: true });
  const [port, backendPort, debugPort] = await freePorts(3);
  const usersDir = runHtpasswdScript(
    registry.htpasswdScript,
    join(dir, "init"),
    options.credentials.secretKeys,
  );
  const data = join(dir, "data");
  mkdirSync(data, { recursive: true });
  const { env, notes } = registryProcessEnv(registry, {
    files: { data, upstreamCa: options.ca.certificate },
    backendPort,
    debugPort,
    replace: options.replace,
    drop: options.drop,
    add: options.add,
    secretValues: options.secretValues,
  });
  for (const note of notes) console.log(`${registry.name} (127.0.0.1:${port}): ${note}`);
  const process = startRegistry(registry.name, env, dir);
  if (options.proxyWithoutAuth !== undefined) {
    console.log(`${registry.name} auth proxy without Basic auth: ${options.proxyWithoutAuth}`);
  }
  const proxy = startAuthProxy(
    registry,
    {
      files: {
        certificate: options.server.certificate,
        privateKey: options.server.privateKey,
        usersDir,
        data,
        runtimeDir: join(dir, "proxy-runtime"),
      },
      port,
      backendPort,
      withoutAuth: options.proxyWithoutAuth,
    },
    dir,
  );
  await waitForRegistry(port, readFileSync(options.ca.certificate, "utf8"), process, proxy);
  // 2.8 starts even with keys it does not know: an emitted key it ignores must not go unseen.
  const ignored = unrecognizedVariables(process.logs());
  if (ignored.length > 0) {
    throw new Error(
      `${registry.name}: Distribution 2.8 ignored ${ignored.join(", ")}. If registry:3 knows them, list them in V3_ONLY_KEYS (support/registry.ts) with the reason; else the emitted env is wrong.`,
    );
  }
  return {
    name: registry.name,
    port,
    backendPort,
    debugPort,
    host: `127.0.0.1:${port}`,
    process,
    proxy,
    env,
    usersDir,
    dataDir: data,
  };
}
