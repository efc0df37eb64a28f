/**
 * An S3-compatible object store on 127.0.0.1 from Debian's packages: OpenStack Swift (account,
 * container and object servers with one-device rings) behind its proxy with the `s3api`
 * middleware, which speaks S3 including multipart uploads (with `slo`), tempauth for the keys,
 * and memcached, which tempauth needs. The package's /etc/swift/swift.conf (hash path
 * settings) is used as shipped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../../lib/config/schema";
import { configFrom, merge, rawEnvironment } from "../../helpers/config";
import { freePorts, requireTool, run, startProcess, waitFor, type ManagedProcess } from "./tools";

/** tempauth's user `test:tester` with key `testing`: the S3 access key id and secret. */
export const SWIFT_S3_CREDENTIALS = { accessKeyId: "test:tester", secretAccessKey: "testing" };

/** The Debian packages the store needs, as `[binary, package]`. */
export const SWIFT_TOOLS: ReadonlyArray<readonly [string, string]> = [
  ["swift-proxy-server", "swift-proxy"],
  ["swift-object-server", "swift-object"],
  ["swift-container-server", "swift-container"],
  ["swift-account-server", "swift-account"],
  ["swift-ring-builder", "python3-swift"],
  ["swift", "python3-swiftclient"],
  ["memcached", "memcached"],
];

export interface SwiftS3 {
  /** `http://127.0.0.1:<port>`: the S3 endpoint. */
  readonly endpoint: string;
  readonly processes: readonly ManagedProcess[];
  /** Create a bucket (a Swift container). */
  createBucket(name: string): void;
}

const SERVERS = ["account", "container", "object"] as const;

function serverConfig(type: string, port: number, dir: string): string {
  return [
    "[DEFAULT]",
    `devices = ${join(dir, "node")}`,
    "mount_check = false",
    "bind_ip = 127.0.0.1",
    `bind_port = ${String(port)}`,
    "workers = 0",
    `swift_dir = ${dir}`,
    "user = root",
    "[pipeline:main]",
    `pipeline = ${type}-server`,
    `[app:${type}-server]`,
    `use = egg:swift#${type}`,
    "",
  ].join("\n");
}

/** More tempauth users of account `test`, by user name: each key is also the S3 secret key. */
export type SwiftUsers = Readonly<Record<string, string>>;

function proxyConfig(
  port: number,
  memcachedPort: number,
  dir: string,
  users: SwiftUsers = {},
): string {
  const filters = [
    "catch_errors",
    "gatekeeper",
    "proxy_logging",
    "listing_formats",
    "copy",
    "slo",
    "dlo",
  ];
  return [
    "[DEFAULT]",
    "bind_ip = 127.0.0.1",
    `bind_port = ${String(port)}`,
    "workers = 0",
    `swift_dir = ${dir}`,
    "user = root",
    "[pipeline:main]",
    // s3api before the auth middleware; slo and dlo carry multipart uploads.
    "pipeline = catch_errors gatekeeper proxy_logging cache listing_formats s3api tempauth copy slo dlo proxy_logging proxy-server",
    "[app:proxy-server]",
    "use = egg:swift#proxy",
    "account_autocreate = true",
    "[filter:tempauth]",
    "use = egg:swift#tempauth",
    "user_test_tester = testing .admin",
    // paste.deploy reads values as they are (no inline comments): a key may start with #, & or *.
    ...Object.entries(users).map(([user, key]) => `user_test_${user} = ${key} .admin`),
    "[filter:s3api]",
    "use = egg:swift#s3api",
    "[filter:cache]",
    "use = egg:swift#memcache",
    `memcache_servers = 127.0.0.1:${String(memcachedPort)}`,
    ...filters.flatMap((filter) => [`[filter:${filter}]`, `use = egg:swift#${filter}`]),
    "",
  ].join("\n");
}

/** Build one-device rings, start memcached and the four servers, wait for the proxy. */
export async function startSwiftS3(dir: string, users: SwiftUsers = {}): Promise<SwiftS3> {
  for (const [binary, debianPackage] of SWIFT_TOOLS) requireTool(binary, debianPackage);
  mkdirSync(join(dir, "node", "d1"), { recursive: true });
  const [proxyPort, memcachedPort, ...serverPorts] = await freePorts(2 + SERVERS.length);
  const env = { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" };
  SERVERS.forEach((type, index) => {
    const builder = join(dir, `${type}.builder`);
    const port = serverPorts[index];
    for (const args of [
      [builder, "create", "6", "1", "1"],
      [builder, "add", `r1z1-127.0.0.1:${String(port)}/d1`, "1"],
      [builder, "rebalance"],
    ]) {
      const result = run("swift-ring-builder", args, { cwd: dir, env });
      // rebalance exits 1 with a warning on a one-device ring it could still build.
      if (result.status !== 0 && !(args[1] === "rebalance" && result.status === 1)) {
        throw new Error(`swift-ring-builder ${args.join(" ")}: ${result.output}`);
      }
    }
    writeFileSync(join(dir, `${type}-server.conf`), serverConfig(type, port, dir));
  });
  writeFileSync(join(dir, "proxy-server.conf"), proxyConfig(proxyPort, memcachedPort, dir, users));
  const processes = [
    startProcess(
      "memcached",
      requireTool("memcached", "memcached"),
      ["-u", "root", "-l", "127.0.0.1", "-p", String(memcachedPort)],
      { env, logDir: dir },
    ),
    // -v: log to the console (Swift logs to syslog otherwise, which this machine lacks).
    ...[...SERVERS, "proxy" as const].map((type) =>
      startProcess(
        `swift-${type}`,
        requireTool(`swift-${type}-server`, `swift-${type}`),
        [join(dir, `${type}-server.conf`), "-v"],
        { env, logDir: dir },
      ),
    ),
  ];
  const endpoint = `http://127.0.0.1:${String(proxyPort)}`;
  const swiftArgs = ["-A", `${endpoint}/auth/v1.0`, "-U", "test:tester", "-K", "testing"];
  await waitFor(
    "the Swift proxy to authenticate",
    async () => (run("swift", [...swiftArgs, "stat"], { env }).status === 0 ? true : undefined),
    { processes, timeoutMs: 30000 },
  );
  return {
    endpoint,
    processes,
    createBucket(name: string) {
      const result = run("swift", [...swiftArgs, "post", name], { env });
      if (result.status !== 0) throw new Error(`swift post ${name}: ${result.output}`);
    },
  };
}

/**
 * The standalone example with two registry replicas on `bucket` at `endpoint` (the address the
 * config names; tests replace it with the local store's), plus `registry` settings.
 */
export function replicatedOnSwift(
  bucket: string,
  endpoint: string,
  registry: Readonly<Record<string, unknown>> = {},
): Config {
  return configFrom(
    merge(rawEnvironment("environments/standalone-k3s.yaml"), {
      registry: {
        replicas: 2,
        storage: {
          type: "s3",
          bucket,
          endpoint,
          accessKeyId: SWIFT_S3_CREDENTIALS.accessKeyId,
          size: null,
          storageClass: null,
        },
        ...registry,
      },
    }),
  );
}
