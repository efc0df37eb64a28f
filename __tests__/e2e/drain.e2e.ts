/**
 * A transfer in flight when the registry is told to stop: Distribution (Debian's 2.8) with the
 * emitted environment, behind the emitted nginx, serves a layer to a client reading slowly;
 * SIGTERM reaches the registry mid-transfer. With the emitted `REGISTRY_HTTP_DRAINTIMEOUT` the
 * registry stops accepting, finishes the transfer (the client gets every byte, digest intact)
 * and exits; without it (the control, the variable dropped) the process exits at once and the
 * client's transfer is cut.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/drain.e2e.ts`.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DRAIN_SECONDS } from "../../lib/registry/graceful-stop";
import { DEFAULT_ENVIRONMENT } from "./support/registry";
import { buildOciImage, type Descriptor } from "./support/oci-image";
import {
  credentialsOf,
  pushImage,
  startRegistryScenario,
  type RegistryScenario,
} from "./support/scenario";
import {
  cleanupTempDirs,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTools,
  sleep,
  stopAll,
  waitFor,
} from "./support/tools";

/** Incompressible, so the gzipped layer is about as large. */
const LAYER_BYTES = 48 * 1024 * 1024;
const TRANSFER_SECONDS = 8;

interface Transfer {
  readonly status: number | null;
  readonly bytes: Buffer;
  readonly stderr: string;
}

/** GET `url` through curl at `rate` bytes a second, trusting `caFile`, as `auth`. */
function slowDownload(url: string, caFile: string, auth: string, rate: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const child = spawn("curl", [
      "--silent",
      "--show-error",
      "--fail",
      "--cacert",
      caFile,
      "--user",
      auth,
      "--limit-rate",
      String(rate),
      url,
    ]);
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, bytes: Buffer.concat(chunks), stderr }));
  });
}

describe("a transfer in flight when the registry is told to stop (Distribution 2.8, nginx)", () => {
  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  /** Start the scenario, push the image, read the layer slowly, SIGTERM the registry at 1 s. */
  async function stopMidTransfer(drop: boolean): Promise<{
    transfer: Transfer;
    scenario: RegistryScenario;
    layer: Descriptor;
    exitedAfterMs: number;
  }> {
    requireTools([...REGISTRY_TOOLS, ["curl", "curl"]]);
    const tmp = makeTempDir(drop ? "drain-control-" : "drain-");
    const scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp, {
      ...(drop ? { drop: { REGISTRY_HTTP_DRAINTIMEOUT: "the control: no drain timeout" } } : {}),
    });
    // A layer larger than what the loopback sockets and nginx hold, so the registry is still
    // sending when the signal comes (a small one would already sit in buffers).
    const image = buildOciImage(join(tmp, "big"), { tag: "1", payloadBytes: LAYER_BYTES });
    pushImage(scenario, { dir: image.dir, tag: "1" }, `${scenario.registry.host}/drain/big:1`);
    const caFile = join(tmp, "ca.pem");
    writeFileSync(caFile, scenario.caPem);
    const layer = image.layer;
    const rate = Math.ceil(layer.size / TRANSFER_SECONDS);
    const download = slowDownload(
      `https://${scenario.registry.host}/v2/drain/big/blobs/${layer.digest}`,
      caFile,
      credentialsOf(scenario, "pull"),
      rate,
    );
    await sleep(1000);
    const stoppedAt = Date.now();
    scenario.registry.process.child.kill("SIGTERM");
    const transfer = await download;
    await waitFor("the registry to exit", async () => scenario.registry.process.exited(), {
      timeoutMs: (DRAIN_SECONDS + 5) * 1000,
    });
    return { transfer, scenario, layer, exitedAfterMs: Date.now() - stoppedAt };
  }

  it("with the emitted drain timeout, the client gets the whole layer, then the registry exits", async () => {
    const { transfer, scenario, layer, exitedAfterMs } = await stopMidTransfer(false);
    expect(scenario.registry.env.REGISTRY_HTTP_DRAINTIMEOUT).toBe(`${DRAIN_SECONDS}s`);
    expect(transfer.status).toBe(0);
    expect(transfer.bytes.length).toBe(layer.size);
    expect(`sha256:${createHash("sha256").update(transfer.bytes).digest("hex")}`).toBe(
      layer.digest,
    );
    console.log(
      `SIGTERM 1 s into a ${layer.size}-byte layer read in about ${TRANSFER_SECONDS} s: client got ${transfer.bytes.length} bytes, digest intact; registry exited (${String(scenario.registry.process.exited())}) ${exitedAfterMs} ms after the signal`,
    );
  });

  it("control: without it, the registry exits at once and the transfer is cut", async () => {
    const { transfer, scenario, layer } = await stopMidTransfer(true);
    expect(transfer.bytes.length).toBeLessThan(layer.size);
    console.log(
      `control: client got ${transfer.bytes.length} of ${layer.size} bytes (curl exit ${String(transfer.status)}: ${transfer.stderr.trim()})`,
    );
    expect(readFileSync(scenario.registry.process.stderrFile, "utf8")).not.toContain("panic");
  });
});
