/**
 * The self-signed server certificate go-plugin's AutoMTLS expects from a plugin, built with
 * node:crypto and a few lines of DER (no X.509 library needed for one fixed certificate).
 *
 * go-plugin (hashicorp/go-plugin at dd3617a) mtls.go generateCert makes the same shape: a CA
 * certificate for DNS name "localhost" with server and client auth usages; client.go
 * loadServerCert trusts exactly that certificate and dials with ServerName "localhost";
 * server.go sends it as base64.RawStdEncoding (no padding) of the DER in the handshake line.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";

export interface ServerCertificate {
  /** PEM, for the TLS server. */
  readonly certPem: string;
  readonly keyPem: string;
  /** What the handshake line carries: the DER, base64 without padding. */
  readonly handshake: string;
}

function der(tag: number, ...parts: readonly Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : (() => {
          const bytes: number[] = [];
          for (let n = body.length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
          return Buffer.from([0x80 | bytes.length, ...bytes]);
        })();
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const sequence = (...parts: readonly Buffer[]): Buffer => der(0x30, ...parts);

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = arc >> 7; n > 0; n >>= 7) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/**
 * A non-negative DER INTEGER, minimally encoded: leading zero bytes dropped, one put back when
 * the high bit is set. Go's and OpenSSL's parsers refuse any other padding (a random serial
 * starting with 0x00 once made Terraform drop the connection).
 */
function positiveInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const first = trimmed[0] ?? 0;
  return der(0x02, first & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  return date.getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(iso.slice(2), "ascii"))
    : der(0x18, Buffer.from(iso, "ascii"));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));
}

/** A fresh ECDSA P-256 key and a self-signed certificate for "localhost", valid ten years. */
export function serverCertificate(
  now: Date = new Date(),
  serial: Buffer = randomBytes(16),
): ServerCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const name = sequence(
    der(0x31, sequence(oid("2.5.4.10"), der(0x0c, Buffer.from("HashiCorp")))),
    der(0x31, sequence(oid("2.5.4.3"), der(0x0c, Buffer.from("localhost")))),
  );
  const spki = publicKey.export({ type: "spki", format: "der" });
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    positiveInteger(serial),
    ecdsaWithSha256,
    name,
    sequence(
      time(new Date(now.getTime() - 30_000)),
      time(new Date(now.getTime() + 3650 * 86_400_000)),
    ),
    name,
    spki,
    der(
      0xa3,
      sequence(
        // basicConstraints cA=TRUE: go-plugin's cert is its own CA (mtls.go IsCA).
        extension("2.5.29.19", true, sequence(der(0x01, Buffer.from([0xff])))),
        // keyUsage digitalSignature, keyEncipherment, keyAgreement, keyCertSign (mtls.go).
        extension("2.5.29.15", true, der(0x03, Buffer.from([0x02, 0xac]))),
        // extKeyUsage serverAuth, clientAuth.
        extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
        extension("2.5.29.14", false, der(0x04, createHash("sha1").update(spki).digest())),
        // subjectAltName dNSName "localhost": go-plugin dials with ServerName "localhost".
        extension("2.5.29.17", false, sequence(der(0x82, Buffer.from("localhost")))),
      ),
    ),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = sequence(
    tbs,
    ecdsaWithSha256,
    der(0x03, Buffer.concat([Buffer.from([0]), signature])),
  );
  const base64 = certificate.toString("base64");
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/g, "$1\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    handshake: base64.replace(/=+$/, ""),
  };
}
