/**
 * The registry the workloads stack emits, run for real: the Deployment's container env and
 * its init container's htpasswd script are read from the synthesized JSON (in-process, with
 * the test helpers), turned into a process environment for Debian's `docker-registry serve`
 * (CNCF Distribution 2.8; base config = /etc/docker/registry/config.yml without its auth
 * section, see writeBaseConfig), and the registry is started on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request as plainHttpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { Config } from "../../../lib/config/schema";
import { CREDENTIALS_DIR, HTPASSWD_DIR } from "../../../lib/registry/htpasswd";
import { REGISTRY_CONTAINER_PORT } from "../../../lib/registry/ports";
import { AUTH_PROXY_PATHS } from "../../../lib/registry/auth-proxy-config";
import {
  REGISTRY_BACKEND_ADDRESS,
  REGISTRY_DEBUG_PORT,
} from "../../../lib/registry/distribution-listeners";
import { REGISTRY_PATHS } from "../../../lib/registry/registry-paths";
import { WORKLOADS_STACK } from "../../../lib/contract/stack-names";
import { loadEnvironment } from "../../helpers/config";
import { resourcesOf } from "../../helpers/json";
import { synthAll } from "../../helpers/synth";
import { requireTool, run, startProcess, waitFor, type ManagedProcess } from "./tools";

export const DEFAULT_ENVIRONMENT = "environments/example.yaml";
/** The default layout with the pull-through cache enabled. */
export const CACHE_ENVIRONMENT = "__tests__/fixtures/artifact-registry.yaml";
/** Debian's configuration file, the base of the one the tests run with. */
export const DEBIAN_CONFIG = "/etc/docker/registry/config.yml";

/** One entry of a container's `env` in the synthesized JSON. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly value_from?: {
    readonly secret_key_ref?: { readonly name: string; readonly key: string };
  };
}

interface Container {
  readonly name?: string;
  readonly env?: EnvVar[];
  readonly command?: string[];
}

/** The parts of a synthesized `kubernetes_deployment_v1` this support reads. */
interface DeploymentBody {
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly template?: {
      readonly spec?: { readonly container?: Container[]; readonly init_container?: Container[] };
    };
  };
}

/** A Distribution Deployment as emitted: its `registry` container env and htpasswd script. */
export interface SynthesizedRegistry {
  /** Deployment name, e.g. `registry` or `registry-cache`. */
  readonly name: string;
  readonly env: readonly EnvVar[];
  /** command[2] of the `htpasswd` init container (`/bin/sh -c <script>`). */
  readonly htpasswdScript: string;
  /** The auth proxy's nginx.conf, from the `<name>-auth-proxy` ConfigMap. */
  readonly authProxyConfig: string;
  /** The `auth-proxy` container's command. */
  readonly authProxyCommand: readonly string[];
}

export interface SynthesizedEnvironment {
  readonly config: Config;
  readonly registries: Readonly<Record<string, SynthesizedRegistry>>;
}

const synthesized = new Map<string, SynthesizedEnvironment>();

/** Synthesize an environment in-process and collect its registry Deployments. */
export function synthesizedEnvironment(environment: string): SynthesizedEnvironment {
  const hit = synthesized.get(environment);
  if (hit) return hit;
  const result = synthesizedConfig(loadEnvironment(environment));
  synthesized.set(environment, result);
  return result;
}

/** Synthesize a config in-process and collect its registry Deployments. */
export function synthesizedConfig(config: Config): SynthesizedEnvironment {
  const workloads = synthAll(config)[WORKLOADS_STACK];
  if (!workloads) throw new Error(`no ${WORKLOADS_STACK} stack synthesized`);
  const registries: Record<string, SynthesizedRegistry> = {};
  const configMaps = resourcesOf(workloads, "kubernetes_config_map_v1").map(
    ([, body]) => body as { metadata?: { name?: string }; data?: Record<string, string> },
  );
  for (const [id, raw] of resourcesOf(workloads, "kubernetes_deployment_v1")) {
    const body = raw as DeploymentBody;
    const name = body.metadata?.name;
    const podSpec = body.spec?.template?.spec;
    const registry = podSpec?.container?.find((container) => container.name === "registry");
    if (!name || !registry) continue;
    const init = podSpec?.init_container?.find((container) => container.name === "htpasswd");
    const script = init?.command?.[2];
    if (!init || init.command?.[0] !== "/bin/sh" || init.command[1] !== "-c" || !script) {
      throw new Error(`deployment ${id}: no "htpasswd" init container running /bin/sh -c <script>`);
    }
    const proxy = podSpec?.container?.find((container) => container.name === "auth-proxy");
    const nginxConf = configMaps.find((map) => map.metadata?.name === `${name}-auth-proxy`)?.data?.[
      "nginx.conf"
    ];
    if (!proxy?.command || nginxConf === undefined) {
      throw new Error(
        `deployment ${id}: no "auth-proxy" container with its ${name}-auth-proxy config`,
      );
    }
    registries[name] = {
      name,
      env: registry.env ?? [],
      htpasswdScript: script,
      authProxyConfig: nginxConf,
      authProxyCommand: proxy.command,
    };
  }
  return { config, registries };
}

/** The named registry Deployment of an environment, or a clear error. */
export function synthesizedRegistry(environment: string, name: string): SynthesizedRegistry {
  const { registries } = synthesizedEnvironment(environment);
  const registry = registries[name];
  if (!registry) {
    throw new Error(
      `no Deployment "${name}" with a "registry" container in ${environment}; found: ${Object.keys(registries).join(", ")}`,
    );
  }
  return registry;
}

/** Local files standing in for the registry container's mounts (REGISTRY_PATHS). */
export interface RegistryFiles {
  readonly data: string;
  /** Only for a pull-through cache. */
  readonly upstreamCa?: string;
}

export interface RegistryEnvOptions {
  readonly files: RegistryFiles;
  /** Where the API listens (behind the auth proxy). */
  readonly backendPort: number;
  readonly debugPort: number;
  /** New values for variables the emitted env has (each must be there). */
  readonly replace?: Readonly<Record<string, string>>;
  /** Variables to leave out, each with the reason (each must be there). */
  readonly drop?: Readonly<Record<string, string>>;
  /** Variables the test adds (none may be in the emitted env). */
  readonly add?: Readonly<Record<string, string>>;
  /**
   * Values for variables that come from a Secret, by variable name (e.g. one
   * REGISTRY_HTTP_SECRET for all replicas). @default generated where SECRET_VALUES knows how
   */
  readonly secretValues?: Readonly<Record<string, string>>;
}

/**
 * Keys Distribution 2.8 ignores although registry:3 knows them: dropped with a message. Add
 * `NAME: "reason"` here when the emitted env gains another v3-only variable.
 */
export const V3_ONLY_KEYS: Readonly<Record<string, string>> = {
  // configuration/configuration.go `Proxy.TTL` (yaml "ttl") exists since v3.0.0 (commit
  // 8fe4ca403); 2.8 always expires cached content after 168h, the value emitted by default.
  REGISTRY_PROXY_TTL: "proxy.ttl is new in Distribution 3 (2.8 has a fixed 168h expiry)",
};

/** Names Distribution reported as "Ignoring unrecognized environment variable" (it still starts). */
export function unrecognizedVariables(log: string): string[] {
  const found = log.matchAll(/Ignoring unrecognized environment variable (\w+)/g);
  return [...new Set([...found].map((match) => match[1]))];
}

/** Variables whose value comes from a Secret, and what the test uses instead. */
const SECRET_VALUES: Readonly<Record<string, () => string>> = {
  // Distribution's http.secret: any random string shared by the replicas.
  REGISTRY_HTTP_SECRET: () => randomBytes(24).toString("hex"),
};

/** Variables whose value is a URL path, not a file: kept as they are. */
const URL_PATH_VARIABLES: ReadonlySet<string> = new Set(["REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH"]);

/** Path values the pod mounts → the file standing in for each. */
function pathMapping(files: RegistryFiles): Map<string, string | undefined> {
  return new Map<string, string | undefined>([
    [REGISTRY_PATHS.data, files.data],
    [REGISTRY_PATHS.upstreamCa, files.upstreamCa],
  ]);
}

export interface RegistryProcessEnv {
  /** Only what the registry needs: PATH plus the mapped variables. */
  readonly env: Record<string, string>;
  /** What was changed or left out, for the test log. */
  readonly notes: string[];
}

/**
 * The emitted container env as a process env for `docker-registry serve`: literal REGISTRY_*
 * values kept, in-container paths remapped, listen addresses moved to 127.0.0.1, secret values
 * generated. Any variable this function does not know how to map is an error, so a change of
 * the emitted config is noticed here.
 */
export function registryProcessEnv(
  registry: Pick<SynthesizedRegistry, "name" | "env">,
  options: RegistryEnvOptions,
): RegistryProcessEnv {
  const names = new Set(registry.env.map((variable) => variable.name));
  for (const name of [...Object.keys(options.replace ?? {}), ...Object.keys(options.drop ?? {})]) {
    if (!names.has(name))
      throw new Error(`${registry.name}: the emitted env has no ${name} any more`);
  }
  for (const name of Object.keys(options.add ?? {})) {
    if (names.has(name)) throw new Error(`${registry.name}: ${name} is emitted now; replace it`);
  }
  const paths = pathMapping(options.files);
  const env: Record<string, string> = {};
  const notes: string[] = [];
  for (const variable of registry.env) {
    const { name } = variable;
    const where = `${registry.name} env ${name}`;
    const dropReason = options.drop?.[name] ?? V3_ONLY_KEYS[name];
    if (dropReason !== undefined) {
      notes.push(`dropped ${name}: ${dropReason}`);
      continue;
    }
    const replacement = options.replace?.[name];
    if (replacement !== undefined) {
      env[name] = replacement;
      notes.push(`replaced ${name}=${variable.value ?? "<secret>"} by ${replacement}`);
      continue;
    }
    // OTEL_TRACES_EXPORTER=none switches off Distribution 3's tracing; 2.8 has none: passed as is.
    if (
      !name.startsWith("REGISTRY_") &&
      name !== "SSL_CERT_FILE" &&
      name !== "OTEL_TRACES_EXPORTER"
    ) {
      throw new Error(`${where}: not a REGISTRY_* variable and not known to the e2e support`);
    }
    if (variable.value_from !== undefined || variable.value === undefined) {
      const given = options.secretValues?.[name];
      const secret = given !== undefined ? () => given : SECRET_VALUES[name];
      const key = variable.value_from?.secret_key_ref?.key;
      if (!secret || key === undefined) {
        throw new Error(
          `${where}: value from ${JSON.stringify(variable.value_from)} is not mapped`,
        );
      }
      env[name] = secret();
      continue;
    }
    const value = variable.value;
    if (value.includes("${"))
      throw new Error(`${where}: Terraform expression ${value}, no literal`);
    if (name === "REGISTRY_HTTP_ADDR") {
      // Loopback only: nothing but the auth proxy reaches the API.
      if (value !== REGISTRY_BACKEND_ADDRESS) throw new Error(`${where}: unexpected ${value}`);
      env[name] = `127.0.0.1:${options.backendPort}`;
    } else if (name === "REGISTRY_HTTP_DEBUG_ADDR") {
      if (value !== `:${REGISTRY_DEBUG_PORT}`) throw new Error(`${where}: unexpected ${value}`);
      env[name] = `127.0.0.1:${options.debugPort}`;
    } else if (name.endsWith("_ADDR")) {
      throw new Error(`${where}: an address the e2e support does not map (${value})`);
    } else if (URL_PATH_VARIABLES.has(name)) {
      env[name] = value;
    } else if (paths.has(value)) {
      const file = paths.get(value);
      if (file === undefined) throw new Error(`${where}: no local file given for ${value}`);
      env[name] = file;
    } else if (value.startsWith("/")) {
      throw new Error(`${where}: in-container path ${value} is not in REGISTRY_PATHS`);
    } else {
      env[name] = value;
    }
  }
  for (const [name, value] of Object.entries(options.add ?? {})) {
    env[name] = value;
    notes.push(`added ${name}=${value}`);
  }
  return { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, notes };
}

/** Credential keys (`push-username`, …) the htpasswd script reads from CREDENTIALS_DIR. */
export function credentialKeysOf(script: string): string[] {
  const keys = [...script.matchAll(new RegExp(`${CREDENTIALS_DIR}/([A-Za-z0-9._-]+)`, "g"))];
  return [...new Set(keys.map((match) => match[1]))];
}

/**
 * Run the init container's exact script with /bin/sh, after rewriting only its folders
 * (CREDENTIALS_DIR, HTPASSWD_DIR) to `dir`. The credential files are written first, without a
 * trailing newline like the keys of a Kubernetes Secret. Returns the folder of the htpasswd
 * files (HTPASSWD_DIR).
 */
export function runHtpasswdScript(
  script: string,
  dir: string,
  credentials: Readonly<Record<string, string>>,
): string {
  requireTool("htpasswd", "apache2-utils");
  const credentialsDir = join(dir, "credentials");
  const authDir = join(dir, "auth");
  mkdirSync(credentialsDir, { recursive: true });
  mkdirSync(authDir, { recursive: true });
  for (const key of credentialKeysOf(script)) {
    const value = credentials[key];
    if (value === undefined) throw new Error(`the htpasswd script reads ${key}: no value given`);
    writeFileSync(join(credentialsDir, key), value, { mode: 0o400 });
  }
  const rewritten = script
    .split(`${CREDENTIALS_DIR}/`)
    .join(`${credentialsDir}/`)
    .split(`${HTPASSWD_DIR}/`)
    .join(`${authDir}/`);
  const leftover = new RegExp(`(?<![\\w./-])(${CREDENTIALS_DIR}|${HTPASSWD_DIR})(?![\\w.-])`);
  const found = leftover.exec(rewritten);
  if (found) throw new Error(`the htpasswd script uses ${found[1]} in a way the test cannot remap`);
  const result = run("/bin/sh", ["-c", rewritten], { cwd: dir });
  if (result.status !== 0) {
    throw new Error(`htpasswd script failed (${String(result.status)}):\n${result.output}`);
  }
  return authDir;
}

/**
 * Debian's config.yml without its `auth:` section (htpasswd with path /etc/docker/registry),
 * written to `dir`: the registry:3 image's built-in config has no auth section either, so
 * whether the registry asks for credentials depends only on the emitted REGISTRY_AUTH* env.
 * Everything that matters comes from the env.
 */
export function writeBaseConfig(dir: string): string {
  const config: unknown = parse(readFileSync(DEBIAN_CONFIG, "utf8"));
  if (typeof config !== "object" || config === null || !("version" in config)) {
    throw new Error(`${DEBIAN_CONFIG} is not a Distribution configuration`);
  }
  const withoutAuth = Object.fromEntries(Object.entries(config).filter(([key]) => key !== "auth"));
  const path = join(dir, "config.yml");
  writeFileSync(path, stringify(withoutAuth));
  return path;
}

/** `docker-registry serve <base config>` with exactly `env`; stop it with stopProcess/stopAll. */
export function startRegistry(name: string, env: Record<string, string>, dir: string) {
  const binary = requireTool("docker-registry", "docker-registry");
  return startProcess(name, binary, ["serve", writeBaseConfig(dir)], { env, logDir: dir });
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  /** Trusted CA (PEM) for https. */
  readonly ca?: string;
  /** Basic auth as `user:password`. */
  readonly auth?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

/** One HTTP(S) request (https trusting only `ca`), the whole response body as text. */
export function httpRequest(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const handle = (response: import("node:http").IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      response.on("error", reject);
    };
    const common = {
      method: options.method ?? "GET",
      auth: options.auth,
      headers: options.headers,
      timeout: 5000,
    };
    const request = url.startsWith("https:")
      ? httpsRequest(url, { ...common, ca: options.ca }, handle)
      : plainHttpRequest(url, common, handle);
    request.on("timeout", () => request.destroy(new Error(`timeout on ${url}`)));
    request.on("error", reject);
    request.end(options.body);
  });
}

/** GET over https (trusting only `ca`) or http. */
export function httpGet(url: string, ca?: string): Promise<HttpResponse> {
  return httpRequest(url, { ca });
}

/**
 * Wait until https://127.0.0.1:<port>/ answers 200 (the proxy's readiness probe: nginx and the
 * registry behind it) with TLS from `ca`; fail early when either process exits.
 */
export async function waitForRegistry(
  port: number,
  caPem: string,
  registry: ManagedProcess,
  proxy?: ManagedProcess,
): Promise<void> {
  const probe = async () =>
    (await httpGet(`https://127.0.0.1:${port}/`, caPem)).status === 200 ? true : undefined;
  await waitFor(`https://127.0.0.1:${port}/`, probe, {
    processes: [registry, ...(proxy ? [proxy] : [])],
    timeoutMs: 30000,
  });
}

/** Local stand-ins for the auth proxy container's mounts (AUTH_PROXY_PATHS). */
export interface AuthProxyFiles {
  readonly certificate: string;
  readonly privateKey: string;
  /** The htpasswd files' folder (runHtpasswdScript's result). */
  readonly usersDir: string;
  /** The registry's storage root (the proxy sees the maintenance flag there). */
  readonly data: string;
  /** pid and temp files. */
  readonly runtimeDir: string;
}

export interface AuthProxyOptions {
  readonly files: AuthProxyFiles;
  readonly port: number;
  readonly backendPort: number;
  /**
   * Serve without Basic auth, with the reason (Distribution 2.8's proxy cannot log in to an
   * upstream with Basic auth, see E2E-NOTES).
   */
  readonly withoutAuth?: string;
}

/**
 * The emitted nginx.conf with only its in-container paths and ports remapped: every path of
 * AUTH_PROXY_PATHS, HTPASSWD_DIR and the data root must be mapped, else this fails, so a
 * change of the emitted config is noticed here.
 */
export function authProxyConfigFor(
  registry: SynthesizedRegistry,
  options: AuthProxyOptions,
): string {
  const { files } = options;
  const replacements: Array<[string, string]> = [
    [
      `listen ${String(REGISTRY_CONTAINER_PORT)} ssl;`,
      `listen 127.0.0.1:${String(options.port)} ssl;`,
    ],
    [REGISTRY_BACKEND_ADDRESS, `127.0.0.1:${String(options.backendPort)}`],
    [AUTH_PROXY_PATHS.certificate, files.certificate],
    [AUTH_PROXY_PATHS.privateKey, files.privateKey],
    [`${HTPASSWD_DIR}/`, `${files.usersDir}/`],
    [`${REGISTRY_PATHS.data}/`, `${files.data}/`],
    [`${AUTH_PROXY_PATHS.runtimeDir}/`, `${files.runtimeDir}/`],
  ];
  // Only a registry on a volume has maintenance flags (on the data root) to remap.
  const optional = new Set([`${REGISTRY_PATHS.data}/`]);
  let config = registry.authProxyConfig;
  for (const [from, to] of replacements) {
    if (!config.includes(from) && !optional.has(from)) {
      throw new Error(`${registry.name} nginx.conf: no ${from} any more`);
    }
    config = config.split(from).join(to);
  }
  if (options.withoutAuth !== undefined) {
    // Without Basic auth every request is the empty user: let it write, as the writers may.
    const readsForEveryone = '    "~^read:" 0;';
    if (!config.includes(readsForEveryone)) {
      throw new Error(`${registry.name} nginx.conf: no ${readsForEveryone.trim()} any more`);
    }
    config = config
      .split("\n")
      .filter((line) => !/^\s*auth_basic(_user_file)? /.test(line))
      .join("\n")
      .replace(readsForEveryone, `${readsForEveryone}\n    "~^write:" 0;`);
  }
  const leftover =
    /(?<![\w./-])(\/certs|\/auth|\/run\/nginx|\/var\/lib\/registry|\/etc\/registry-auth-proxy)(?![\w-])/.exec(
      config,
    );
  if (leftover)
    throw new Error(`${registry.name} nginx.conf: in-container path ${leftover[1]} left`);
  return config;
}

/**
 * Start Debian's nginx with the emitted command (`nginx -e stderr -c <config>`) on the remapped
 * config. As root, nginx's workers would run as `nobody` and could not read the 0600 files the
 * init script writes; in the pod everything runs as uid 1000, so here the workers keep root.
 */
export function startAuthProxy(
  registry: SynthesizedRegistry,
  options: AuthProxyOptions,
  dir: string,
): ManagedProcess {
  const binary = requireTool("nginx", "nginx");
  const [command, ...args] = registry.authProxyCommand;
  const configIndex = args.indexOf(AUTH_PROXY_PATHS.config);
  if (command !== "nginx" || configIndex < 0) {
    throw new Error(
      `${registry.name}: auth-proxy command ${JSON.stringify(registry.authProxyCommand)}`,
    );
  }
  mkdirSync(options.files.runtimeDir, { recursive: true });
  const configFile = join(dir, "nginx.conf");
  writeFileSync(configFile, authProxyConfigFor(registry, options));
  const localArgs = args.map((arg, index) => (index === configIndex ? configFile : arg));
  const asRoot = process.getuid?.() === 0 ? ["-g", "user root;"] : [];
  return startProcess(`${registry.name}-auth-proxy`, binary, [...localArgs, ...asRoot], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    logDir: dir,
  });
}
