/**
 * A container image built without any daemon: an OCI image layout folder with one gzip tar
 * layer made here (a minimal ustar writer), its config and manifest, and an index.json that
 * names the manifest with `org.opencontainers.image.ref.name`.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

export interface TarEntry {
  readonly path: string;
  readonly content: Buffer;
  /** @default 0o644 */
  readonly mode?: number;
}

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL terminator.
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** One ustar header block for a regular file. */
function tarHeader(entry: TarEntry): Buffer {
  if (Buffer.byteLength(entry.path) > 100) throw new Error(`tar path too long: ${entry.path}`);
  const header = Buffer.alloc(512, 0);
  const put = (text: string, offset: number) => header.write(text, offset, "utf8");
  put(entry.path, 0);
  put(octal(entry.mode ?? 0o644, 8), 100);
  put(octal(0, 8), 108); // uid
  put(octal(0, 8), 116); // gid
  put(octal(entry.content.length, 12), 124);
  put(octal(0, 12), 136); // mtime: reproducible
  put("        ", 148); // checksum placeholder: eight spaces
  put("0", 156); // regular file
  put("ustar\0", 257);
  put("00", 263);
  put("root", 265);
  put("root", 297);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

/** A tar archive of regular files (ustar, no compression). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(tarHeader(entry), entry.content);
    const padding = (512 - (entry.content.length % 512)) % 512;
    blocks.push(Buffer.alloc(padding, 0));
  }
  blocks.push(Buffer.alloc(1024, 0)); // end of archive
  return Buffer.concat(blocks);
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The OCI platform names of this machine (the image must match it for containerd to unpack). */
export function hostPlatform(): { os: string; architecture: string } {
  const architectures: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "arm",
    s390x: "s390x",
    ppc64: "ppc64le",
    riscv64: "riscv64",
  };
  const architecture = architectures[process.arch];
  if (!architecture) throw new Error(`no OCI architecture known for ${process.arch}`);
  return { os: "linux", architecture };
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface OciImage {
  readonly dir: string;
  readonly tag: string;
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  /** The image's own layer (the last one). */
  readonly layer: Descriptor;
  /** Every layer, base first. */
  readonly layers: readonly Descriptor[];
  /** Bytes of every blob a pull downloads (config + layers), manifest excluded. */
  readonly blobBytes: number;
}

export interface BuildImageOptions {
  readonly tag: string;
  /** Size of the random (incompressible) payload file. @default 256 KiB */
  readonly payloadBytes?: number;
  /** A gzipped tar layer to put under the image's own, shared with other images. */
  readonly baseLayer?: Buffer;
}

/** A gzipped tar layer of `bytes` random bytes, to share between images. */
export function randomLayer(bytes: number): Buffer {
  return gzipSync(tarArchive([{ path: "base.bin", content: randomBytes(bytes) }]));
}

function writeBlob(dir: string, data: Buffer, mediaType: string): Descriptor {
  const digest = sha256Digest(data);
  writeFileSync(join(dir, "blobs", "sha256", digest.slice("sha256:".length)), data);
  return { mediaType, digest, size: data.length };
}

/** Build an OCI image layout in `dir` (created) holding one image tagged `tag`. */
export function buildOciImage(dir: string, options: BuildImageOptions): OciImage {
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const payload = randomBytes(options.payloadBytes ?? 256 * 1024);
  const tar = tarArchive([
    { path: "hello.txt", content: Buffer.from("pushed by the hybrid-registry e2e tests\n") },
    { path: "payload.bin", content: payload },
  ]);
  const layer = writeBlob(dir, gzipSync(tar), OCI_LAYER_GZIP);
  const base = options.baseLayer
    ? {
        descriptor: writeBlob(dir, options.baseLayer, OCI_LAYER_GZIP),
        tar: gunzipSync(options.baseLayer),
      }
    : undefined;
  const layers = [...(base ? [base.descriptor] : []), layer];
  const configJson = JSON.stringify({
    ...hostPlatform(),
    config: { Cmd: ["/hello.txt"], Labels: { "org.opencontainers.image.title": "e2e" } },
    rootfs: {
      type: "layers",
      diff_ids: [...(base ? [sha256Digest(base.tar)] : []), sha256Digest(tar)],
    },
    history: [{ created_by: "hybrid-registry e2e test (Node tar writer)" }],
  });
  const config = writeBlob(dir, Buffer.from(configJson), OCI_CONFIG);
  const manifestJson = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers,
  });
  const manifest = writeBlob(dir, Buffer.from(manifestJson), OCI_MANIFEST);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          ...manifest,
          platform: hostPlatform(),
          annotations: { [REF_NAME_ANNOTATION]: options.tag },
        },
      ],
    }),
  );
  const blobBytes = layers.reduce((sum, descriptor) => sum + descriptor.size, config.size);
  return { dir, tag: options.tag, manifest, config, layer, layers, blobBytes };
}

interface IndexJson {
  manifests?: Array<{ digest?: string; annotations?: Record<string, string> }>;
}

/** Digest of the manifest tagged `tag` in an OCI layout (e.g. one skopeo copied into). */
export function manifestDigestInLayout(dir: string, tag: string): string {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as IndexJson;
  const entry = (index.manifests ?? []).find(
    (manifest) => manifest.annotations?.[REF_NAME_ANNOTATION] === tag,
  );
  if (!entry?.digest) throw new Error(`no manifest tagged ${tag} in ${dir}/index.json`);
  return entry.digest;
}

/** A blob of an OCI layout, verified against its digest. */
export function readBlob(dir: string, digest: string): Buffer {
  const data = readFileSync(join(dir, "blobs", "sha256", digest.replace(/^sha256:/, "")));
  if (sha256Digest(data) !== digest) throw new Error(`blob ${digest} in ${dir} is corrupt`);
  return data;
}
