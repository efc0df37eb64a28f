/**
 * The diagrams render to real pictures: each environment's SVG, drawn from its synthesized
 * stacks, goes through rsvg-convert (Debian's librsvg2-bin) to a PNG with a size and more than
 * two colours. The geometry (no overlaps, nothing outside the canvas) is asserted on the
 * layout in __tests__/diagram.test.ts.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { renderSvg } from "../../lib/diagram/svg";
import { topologyOf } from "../../lib/diagram/topology";
import { ROOT } from "../helpers/config";
import { cleanupTempDirs, makeTempDir, requireTool, runOk } from "./support/tools";

const ENVIRONMENTS = [
  "environments/example.yaml",
  "examples/hybrid-three-sides.yaml",
  "examples/artifact-registry.yaml",
  "examples/external-two-interfaces.yaml",
  "examples/standalone-k3s-metallb.yaml",
];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's image data, inflated (its rows with their filter bytes). */
function pixelData(png: Buffer): Buffer {
  const chunks: Buffer[] = [];
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) === "IDAT") {
      chunks.push(png.subarray(at + 8, at + 8 + length));
    }
    at += 12 + length;
  }
  return inflateSync(Buffer.concat(chunks));
}

describe("the diagrams as pictures", () => {
  afterAll(() => cleanupTempDirs());

  it.each(ENVIRONMENTS)(
    "%s renders to a non-empty PNG",
    (environment) => {
      const rsvg = requireTool("rsvg-convert", "librsvg2-bin");
      const dir = makeTempDir("diagram-png");
      const outdir = join(dir, "out");
      runOk(process.execPath, ["scripts/synth.cjs", "--quiet"], {
        cwd: ROOT,
        env: { ...process.env, HYBRID_CONFIG: environment, CDKTF_OUTDIR: outdir },
      });
      const stacks = Object.fromEntries(
        readdirSync(join(outdir, "stacks")).map((stack) => [
          stack,
          JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as Record<
            string,
            unknown
          >,
        ]),
      );
      const [svg, png] = [join(dir, "topology.svg"), join(dir, "topology.png")];
      writeFileSync(svg, renderSvg(topologyOf(stacks as Parameters<typeof topologyOf>[0])));
      runOk(rsvg, ["-o", png, svg]);
      const image = readFileSync(png);
      expect(image.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      // IHDR comes first: width and height at bytes 16 and 20.
      expect(image.readUInt32BE(16)).toBeGreaterThan(0);
      expect(image.readUInt32BE(20)).toBeGreaterThan(0);
      // Not one flat colour: the boxes, lines and text made it into the pixels.
      expect(new Set(pixelData(image)).size).toBeGreaterThan(2);
    },
    60000,
  );
});
