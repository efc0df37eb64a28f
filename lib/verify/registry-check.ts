import { request } from "node:https";
import type { TLSSocket } from "node:tls";

/** One line of the post-deploy report. */
export interface CheckResult {
  readonly ok: boolean;
  readonly check: string;
  readonly detail: string;
}

export interface RegistryCheckTarget {
  /** Name clients use: the TLS server name and the name the certificate must carry. */
  readonly fqdn: string;
  /** Where to connect, `host:port` (the registry's address, or a port-forward). */
  readonly address: string;
  /** The registry CA (PEM) clients trust. */
  readonly caPem: string;
  readonly user: string;
  readonly password: string;
}

interface Answer {
  readonly status: number;
  readonly authenticate?: string;
  readonly subjectAltNames?: string;
}

/** Repository the read-only check tries to upload to (nothing is ever stored there). */
const PROBE_UPLOADS = "/v2/hybrid-registry-verify/blobs/uploads/";

function send(
  target: RegistryCheckTarget,
  authorization?: string,
  method = "GET",
  path = "/v2/",
): Promise<Answer> {
  const [host, port] = target.address.split(":");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port ?? 443),
        path,
        method,
        servername: target.fqdn,
        ca: target.caPem,
        headers: authorization ? { Authorization: authorization } : {},
        timeout: 10000,
      },
      (response) => {
        const socket = response.socket as TLSSocket;
        response.resume();
        resolve({
          status: response.statusCode ?? 0,
          authenticate: response.headers["www-authenticate"],
          subjectAltNames: socket.getPeerCertificate().subjectaltname,
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${target.address} in 10 s`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * What a user checks by hand at the registry: TLS verifies against the project's CA for the
 * FQDN, anonymous requests are refused with a Basic challenge, the pulling user is let in to
 * read and refused a write.
 */
export async function checkRegistry(target: RegistryCheckTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let anonymous: Answer;
  try {
    anonymous = await send(target);
  } catch (error) {
    return [
      {
        ok: false,
        check: "registry TLS",
        detail: `${target.address} as ${target.fqdn}: ${error instanceof Error ? error.message : String(error)}`,
      },
    ];
  }
  results.push({
    ok: true,
    check: "registry TLS",
    detail: `certificate for ${target.fqdn} verified with the registry CA (${anonymous.subjectAltNames ?? "no SANs"})`,
  });
  results.push({
    ok: anonymous.status === 401 && /^Basic /i.test(anonymous.authenticate ?? ""),
    check: "registry auth required",
    detail: `anonymous GET /v2/ -> ${anonymous.status} ${anonymous.authenticate ?? "(no challenge)"}`,
  });
  const basic = `Basic ${Buffer.from(`${target.user}:${target.password}`).toString("base64")}`;
  const authorized = await send(target, basic);
  results.push({
    ok: authorized.status === 200,
    check: "registry pull user",
    detail: `GET /v2/ as ${target.user} -> ${authorized.status}`,
  });
  // The auth proxy refuses the pull user's writes before they reach Distribution: 403 DENIED
  // after authenticating (lib/registry/auth-proxy-config.ts); the 0.1.0 proxy answered 401.
  const upload = await send(target, basic, "POST", PROBE_UPLOADS);
  results.push({
    ok: upload.status === 403 || upload.status === 401,
    check: "registry pull user read-only",
    detail: `POST ${PROBE_UPLOADS} as ${target.user} -> ${upload.status}${uploadVerdict(upload.status)}`,
  });
  return results;
}

/** Why a pull user's upload answer other than 401 is a failure. */
function uploadVerdict(status: number): string {
  if (status === 403) return "";
  if (status === 401)
    return " (refused the 0.1.0 way; redeploy the workloads stack for 403 DENIED)";
  // The proxy checks its maintenance flags before the credentials (docs/operations.md, Garbage collection).
  if (status === 503) {
    return ": writes are refused for maintenance now (a garbage-collection or backup job runs, or one died and left its flag); run verify again afterwards";
  }
  return ": the pulling credential can write (is the auth proxy in front of the registry?)";
}

/** The report's lines: PASS/FAIL, check, detail. */
export function renderResults(results: readonly CheckResult[]): string {
  return `${results.map((r) => `${r.ok ? "PASS" : "FAIL"}  ${r.check.padEnd(30)} ${r.detail}`).join("\n")}\n`;
}
