/**
 * Authorisation by the emitted auth proxy (nginx, Debian's package) in front of the emitted
 * registry (Distribution 2.8, Debian's docker-registry): the pulling user may only read, the
 * pushing user may read and write, nobody may delete, anonymous requests and wrong passwords
 * get 401, an authenticated user's refused request gets 403 with a registry-API DENIED error
 * (which skopeo reports as denied, not as a wrong password), and the maintenance flag turns writes away with 503 while reads go on. The access
 * log the proxy writes is summed up by user, method and status at the end.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/access-control.e2e.ts`.
 * Needs (Debian) `nginx docker-registry skopeo apache2-utils openssl`; downloads nothing.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../../lib/registry/registry-paths";
import { manifestDigestInLayout, OCI_MANIFEST, readBlob } from "./support/oci-image";
import { DEFAULT_ENVIRONMENT, httpRequest } from "./support/registry";
import {
  startRegistryScenario,
  type RegistryScenario,
  credentialsOf,
  pullAsPuller,
} from "./support/scenario";
import {
  cleanupTempDirs,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTools,
  stopAll,
} from "./support/tools";

interface AccessLine {
  readonly user: string;
  readonly method: string;
  readonly status: number;
}

/** Lines of the emitted log_format (`registry_access ... user="u" method=M ... status=S`). */
function accessLines(log: string): AccessLine[] {
  return [...log.matchAll(/registry_access .*?user="([^"]*)" method=(\w+) .*?status=(\d+)/g)].map(
    (match) => ({ user: match[1] || "-", method: match[2], status: Number(match[3]) }),
  );
}

describe("access control by the auth proxy, with nginx and Distribution 2.8", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let repository: string;

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS]);
    tmp = makeTempDir("access");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    repository = scenario.reference.slice(scenario.registry.host.length + 1).split(":")[0];
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  const creds = (user: "push" | "pull") => credentialsOf(scenario, user);
  const push = (user: "push" | "pull") =>
    scenario.skopeo.run([
      "copy",
      "--dest-cert-dir",
      scenario.caDir,
      "--dest-creds",
      creds(user),
      `oci:${scenario.image.dir}:${scenario.tag}`,
      `docker://${scenario.reference}`,
    ]);
  const request = (method: string, path: string, auth?: string, body?: string) =>
    httpRequest(`https://${scenario.registry.host}${path}`, {
      method,
      ca: scenario.caPem,
      auth,
      body,
      // Distribution answers 404 for an OCI manifest a client does not accept.
      headers: {
        Accept: OCI_MANIFEST,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
    });

  test("the pulling user's push is refused as denied, not as a wrong password, and stores nothing", async () => {
    const result = push("pull");
    expect(result.status).not.toBe(0);
    // Before: 401 with an HTML body, "unauthorized: authentication required".
    expect(result.output).toMatch(/denied: requested access to the resource is denied/);
    expect(result.output).not.toMatch(/authentication required/);
    const manifest = await request(
      "GET",
      `/v2/${repository}/manifests/${scenario.tag}`,
      creds("push"),
    );
    expect(manifest.status).toBe(404);
    console.log(
      `push as ${scenario.credentials.pull.username} refused: ${result.output.trim().split("\n").pop() ?? ""}`,
    );
  });

  test("the pushing user's push succeeds", () => {
    const result = push("push");
    expect(result.status).toBe(0);
  });

  test("the pulling user pulls the image byte for byte", () => {
    const target = join(tmp, "pulled");
    pullAsPuller(scenario, scenario.reference, target);
    const { image } = scenario;
    expect(manifestDigestInLayout(target, scenario.tag)).toBe(image.manifest.digest);
    for (const blob of [image.config, image.layer]) {
      expect(readBlob(target, blob.digest).equals(readBlob(image.dir, blob.digest))).toBe(true);
    }
  });

  test("each identity gets exactly its methods", async () => {
    const { image } = scenario;
    const manifestPath = `/v2/${repository}/manifests/${scenario.tag}`;
    const uploads = `/v2/${repository}/blobs/uploads/`;
    const cases: Array<[string, string, string | undefined]> = [
      ["GET", "/v2/", undefined],
      ["HEAD", manifestPath, undefined],
      ["GET", `/v2/${repository}/blobs/${image.layer.digest}`, undefined],
      ["POST", uploads, undefined],
      ["PATCH", `${uploads}00000000-0000-0000-0000-000000000000`, "{}"],
      ["PUT", `/v2/${repository}/manifests/overwrite`, "{}"],
      ["DELETE", `/v2/${repository}/manifests/${image.manifest.digest}`, undefined],
    ];
    const identities: Record<string, string | undefined> = {
      anonymous: undefined,
      "puller (wrong password)": `${creds("pull")}x`,
      puller: creds("pull"),
      pusher: creds("push"),
    };
    const table: string[] = [];
    const statuses: Record<string, Record<string, number>> = {};
    for (const [identity, auth] of Object.entries(identities)) {
      statuses[identity] = {};
      for (const [method, path, body] of cases) {
        const response = await request(method, path, auth, body);
        statuses[identity][`${method} ${path}`] = response.status;
        table.push(`${identity.padEnd(24)} ${method.padEnd(6)} ${path} -> ${response.status}`);
      }
    }
    console.log(`requests through the auth proxy:\n${table.join("\n")}`);
    for (const [method, path] of cases) {
      const key = `${method} ${path}`;
      // No credential passes without the right password, whatever the method.
      expect(statuses.anonymous[key]).toBe(401);
      expect(statuses["puller (wrong password)"][key]).toBe(401);
      const read = method === "GET" || method === "HEAD";
      const write = method === "POST" || method === "PATCH" || method === "PUT";
      // The proxy answers 403 after authentication; anything else came from the registry.
      expect(statuses.puller[key] === 403).toBe(!read);
      expect(statuses.pusher[key] === 403).toBe(!read && !write);
    }
    const denied = await request(
      "DELETE",
      `/v2/${repository}/manifests/${image.manifest.digest}`,
      creds("push"),
    );
    expect(JSON.parse(denied.body)).toMatchObject({ errors: [{ code: "DENIED" }] });
    expect(denied.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(statuses.pusher[`POST ${uploads}`]).toBe(202);
    expect(statuses.puller[`HEAD ${manifestPath}`]).toBe(200);
    // The image is still there after every DELETE above.
    expect((await request("HEAD", manifestPath, creds("pull"))).status).toBe(200);
  });

  test("an anonymous GET /v2/ gets nginx's 401 with the v2 version header clients look for", async () => {
    const anonymous = await request("GET", "/v2/");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(String(anonymous.headers["www-authenticate"])).toMatch(/^Basic realm=/);
  });

  test("upload URLs name the host the client used, whatever Forwarded headers it sends", async () => {
    const upload = await httpRequest(
      `https://${scenario.registry.host}/v2/${repository}/blobs/uploads/`,
      {
        method: "POST",
        ca: scenario.caPem,
        auth: creds("push"),
        headers: {
          Forwarded: "host=attacker.example;proto=http",
          "X-Forwarded-Host": "attacker.example",
        },
      },
    );
    expect(upload.status).toBe(202);
    const location = String(upload.headers.location);
    console.log(`upload Location with a client's Forwarded: ${location}`);
    expect(location).not.toContain("attacker.example");
    expect(location.startsWith(`https://${scenario.registry.host}/v2/`)).toBe(true);
  });

  test("the maintenance flag turns writes away with 503 while reads go on", async () => {
    const flag = MAINTENANCE_FLAGS.garbageCollection.replace(
      REGISTRY_PATHS.data,
      scenario.registry.dataDir,
    );
    mkdirSync(dirname(flag), { recursive: true });
    writeFileSync(flag, "");
    const uploads = `/v2/${repository}/blobs/uploads/`;
    const manifestPath = `/v2/${repository}/manifests/${scenario.tag}`;
    try {
      const refused = await request("POST", uploads, creds("push"));
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ errors: [{ code: "UNAVAILABLE" }] });
      expect((await request("GET", manifestPath, creds("pull"))).status).toBe(200);
      console.log(`in maintenance: POST as pusher -> 503 ${refused.body}`);
    } finally {
      rmSync(flag);
    }
    expect((await request("POST", uploads, creds("push"))).status).toBe(202);
  });

  test("the proxy's access log counts the refusals by user and method", () => {
    const lines = accessLines(readFileSync(scenario.registry.proxy.stdoutFile, "utf8"));
    expect(lines.length).toBeGreaterThan(0);
    const refused = lines.filter((line) => [401, 403, 503].includes(line.status));
    const counts = new Map<string, number>();
    for (const line of refused) {
      const key = `${line.user} ${line.method} ${String(line.status)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const summary = [...counts.entries()].sort().map(([key, count]) => `${key}: ${count}`);
    console.log(
      `refused requests by user, method and status (${refused.length} of ${lines.length}):\n${summary.join("\n")}`,
    );
    const { pull, push: pushUser } = scenario.credentials;
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      expect(counts.get(`${pull.username} ${method} 403`)).toBeGreaterThan(0);
    }
    expect(counts.get(`${pushUser.username} DELETE 403`)).toBeGreaterThan(0);
    expect(counts.get(`${pushUser.username} POST 503`)).toBe(1);
    expect(refused.some((line) => line.user === pushUser.username && line.method === "GET")).toBe(
      false,
    );
  });
});
