/**
 * Certificates made with openssl from the same parameters as the PKI construct
 * (lib/pki): key spec, CA limited to signing certificates and CRLs, server certificates for
 * server auth with DNS and IP SANs.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CA_CERTIFICATE_USES,
  SERVER_CERTIFICATE_USES,
  keySpec,
  type KeySpec,
} from "../../../lib/pki/key-spec";
import { requireTool, runOk } from "./tools";

/** The construct's defaults (lib/pki/registry-pki.ts): ECDSA (P-256), RSA 3072 when asked. */
export const DEFAULT_KEY_SPEC: KeySpec = keySpec("ECDSA", 3072);
export const ORGANIZATION = "hybrid-registry";

/** Terraform tls provider `allowed_uses` → openssl extension values. */
const KEY_USAGE: Record<string, string> = {
  cert_signing: "keyCertSign",
  crl_signing: "cRLSign",
  digital_signature: "digitalSignature",
  key_encipherment: "keyEncipherment",
};
const EXTENDED_KEY_USAGE: Record<string, string> = {
  server_auth: "serverAuth",
  client_auth: "clientAuth",
};

/** `keyUsage` and `extendedKeyUsage` lines for a list of allowed uses; unknown uses throw. */
export function usageExtensions(uses: readonly string[]): string[] {
  const keyUsage: string[] = [];
  const extended: string[] = [];
  for (const use of uses) {
    if (KEY_USAGE[use]) keyUsage.push(KEY_USAGE[use]);
    else if (EXTENDED_KEY_USAGE[use]) extended.push(EXTENDED_KEY_USAGE[use]);
    else throw new Error(`no openssl mapping for allowed use ${use}: extend support/pki.ts`);
  }
  return [
    ...(keyUsage.length > 0 ? [`keyUsage = critical, ${keyUsage.join(", ")}`] : []),
    ...(extended.length > 0 ? [`extendedKeyUsage = ${extended.join(", ")}`] : []),
  ];
}

function openssl(): string {
  return requireTool("openssl", "openssl");
}

function generateKey(path: string, spec: KeySpec): void {
  if (spec.algorithm === "ECDSA") {
    if (spec.ecdsaCurve !== "P256") throw new Error(`unsupported curve ${String(spec.ecdsaCurve)}`);
    runOk(openssl(), ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path]);
  } else {
    runOk(openssl(), ["genrsa", "-out", path, String(spec.rsaBits ?? 3072)]);
  }
}

function serial(): string {
  return `0x${randomBytes(16).toString("hex").replace(/^./, "1")}`;
}

export interface CertificateAuthorityFiles {
  readonly dir: string;
  readonly certificate: string;
  readonly privateKey: string;
}

export interface ServerCertificateFiles {
  readonly certificate: string;
  readonly privateKey: string;
}

/** A CA like lib/pki/certificate-authority.ts: CA:TRUE, keyCertSign + cRLSign. */
export function createCertificateAuthority(
  dir: string,
  spec: KeySpec = DEFAULT_KEY_SPEC,
): CertificateAuthorityFiles {
  mkdirSync(dir, { recursive: true });
  const privateKey = join(dir, "ca.key");
  const certificate = join(dir, "ca.crt");
  const config = join(dir, "ca.cnf");
  writeFileSync(
    config,
    [
      "[req]",
      "prompt = no",
      "distinguished_name = dn",
      "x509_extensions = ext",
      "[dn]",
      `CN = ${ORGANIZATION} registry CA`,
      `O = ${ORGANIZATION}`,
      "[ext]",
      "basicConstraints = critical, CA:TRUE",
      ...usageExtensions(CA_CERTIFICATE_USES),
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
  generateKey(privateKey, spec);
  runOk(openssl(), [
    "req",
    "-x509",
    "-new",
    "-sha256",
    "-days",
    "3650",
    "-key",
    privateKey,
    "-config",
    config,
    "-set_serial",
    serial(),
    "-out",
    certificate,
  ]);
  return { dir, certificate, privateKey };
}

export interface ServerCertificateRequest {
  /** DNS SANs; the first is also the common name (lib/pki/server-certificate.ts). */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** File name prefix inside the CA folder. */
  readonly name: string;
}

/** A server certificate like lib/pki/server-certificate.ts, signed by `ca`. */
export function createServerCertificate(
  ca: CertificateAuthorityFiles,
  request: ServerCertificateRequest,
  spec: KeySpec = DEFAULT_KEY_SPEC,
): ServerCertificateFiles {
  const [commonName] = request.dnsNames;
  if (!commonName) throw new Error("a server certificate needs at least one DNS name");
  const privateKey = join(ca.dir, `${request.name}.key`);
  const csr = join(ca.dir, `${request.name}.csr`);
  const certificate = join(ca.dir, `${request.name}.crt`);
  const extensions = join(ca.dir, `${request.name}.ext.cnf`);
  const sans = [
    ...request.dnsNames.map((name) => `DNS:${name}`),
    ...request.ipAddresses.map((ip) => `IP:${ip}`),
  ];
  writeFileSync(
    extensions,
    [
      "[ext]",
      "basicConstraints = critical, CA:FALSE",
      ...usageExtensions(SERVER_CERTIFICATE_USES),
      `subjectAltName = ${sans.join(", ")}`,
      "authorityKeyIdentifier = keyid",
      "",
    ].join("\n"),
  );
  generateKey(privateKey, spec);
  runOk(openssl(), [
    "req",
    "-new",
    "-key",
    privateKey,
    "-subj",
    `/CN=${commonName}/O=${ORGANIZATION}`,
    "-out",
    csr,
  ]);
  runOk(openssl(), [
    "x509",
    "-req",
    "-sha256",
    "-days",
    "365",
    "-in",
    csr,
    "-CA",
    ca.certificate,
    "-CAkey",
    ca.privateKey,
    "-set_serial",
    serial(),
    "-extfile",
    extensions,
    "-extensions",
    "ext",
    "-out",
    certificate,
  ]);
  runOk(openssl(), ["verify", "-CAfile", ca.certificate, certificate]);
  return { certificate, privateKey };
}

/** A folder holding only `ca.crt`, as skopeo's --cert-dir and containerd's certs.d expect. */
export function caCertDir(dir: string, caCertificatePem: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "ca.crt"), caCertificatePem);
  return dir;
}
