/**
 * Distribution's access log (combined log format on stdout, `log.accesslog.disabled: false`):
 * `127.0.0.1 - - [date] "GET /v2/<repo>/blobs/sha256:… HTTP/1.1" 200 1048576 "" "skopeo/1.9.3"`.
 */
export interface TransferTotals {
  readonly requests: number;
  readonly bytes: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Requests and response bytes of successful GETs of `/v2/<repository>/<kind>/…`. */
export function getTotals(
  log: string,
  repository: string,
  kind: "blobs" | "manifests",
): TransferTotals {
  const line = new RegExp(
    `"GET /v2/${escapeRegExp(repository)}/${kind}/[^ "]+ HTTP/[0-9.]+" (\\d{3}) (\\d+)`,
  );
  let requests = 0;
  let bytes = 0;
  for (const entry of log.split("\n")) {
    const match = line.exec(entry);
    if (!match || !match[1].startsWith("2")) continue;
    requests += 1;
    bytes += Number(match[2]);
  }
  return { requests, bytes };
}
