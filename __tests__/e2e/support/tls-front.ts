/**
 * Debian's nginx terminating TLS in front of a plain-HTTP service on 127.0.0.1, with a server
 * certificate of a test CA: an S3 endpoint "signed by a private CA". The Host header passes
 * through unchanged, since S3 signatures (SigV4) cover it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerCertificateFiles } from "./pki";
import { freePort, requireTool, startProcess, waitFor, type ManagedProcess } from "./tools";
import { connect } from "node:net";

export interface TlsFront {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly process: ManagedProcess;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startTlsFront(
  dir: string,
  upstreamPort: number,
  certificate: ServerCertificateFiles,
): Promise<TlsFront> {
  const nginx = requireTool("nginx", "nginx");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = [
    "daemon off;",
    "worker_processes 1;",
    `pid ${join(dir, "nginx.pid")};`,
    "error_log stderr warn;",
    "events { worker_connections 64; }",
    "http {",
    "  access_log off;",
    `  client_body_temp_path ${join(dir, "body")};`,
    `  proxy_temp_path ${join(dir, "proxy")};`,
    `  fastcgi_temp_path ${join(dir, "fastcgi")};`,
    `  uwsgi_temp_path ${join(dir, "uwsgi")};`,
    `  scgi_temp_path ${join(dir, "scgi")};`,
    "  server {",
    `    listen 127.0.0.1:${String(port)} ssl;`,
    `    ssl_certificate ${certificate.certificate};`,
    `    ssl_certificate_key ${certificate.privateKey};`,
    "    client_max_body_size 0;",
    "    location / {",
    `      proxy_pass http://127.0.0.1:${String(upstreamPort)};`,
    "      proxy_set_header Host $http_host;",
    "      proxy_http_version 1.1;",
    "      proxy_request_buffering off;",
    "      proxy_buffering off;",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const configFile = join(dir, "nginx.conf");
  writeFileSync(configFile, config);
  const asRoot = process.getuid?.() === 0 ? ["-g", "user root;"] : [];
  const handle = startProcess("tls-front", nginx, ["-e", "stderr", "-c", configFile, ...asRoot], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    logDir: dir,
  });
  await waitFor(
    "the TLS front to listen",
    async () => ((await listening(port)) ? true : undefined),
    { processes: [handle], timeoutMs: 10000 },
  );
  return { endpoint: `https://127.0.0.1:${String(port)}`, process: handle };
}
