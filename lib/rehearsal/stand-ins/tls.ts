/**
 * Stand-in for hashicorp/tls that makes real keys, requests and certificates, so what reads
 * them (Secrets, the nodes' trust, the config hash, renewal checks) sees real PEM. Shapes as in
 * terraform-provider-tls v4.1.0: private_key_pem in the algorithm's traditional encoding
 * (SEC 1 for ECDSA, PKCS #1 for RSA) plus private_key_pem_pkcs8 (internal/provider/
 * resource_private_key.go); certificates valid from now for validity_period_hours, renewed
 * (replaced) once the clock is within early_renewal_hours of their end (common_cert.go:299).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  webcrypto,
} from "node:crypto";
// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata API loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import type { ObjectValue, Value } from "../plugin/cty";
import {
  defaultApply,
  defaultPlan,
  type ApplyRequest,
  type PlanRequest,
  type PlanResult,
} from "../plugin/provider";
import { firstBlock, rehearsalNow, standIn } from "./common";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const CERTIFICATES = new Set(["tls_self_signed_cert", "tls_locally_signed_cert"]);

const text = (value: Value | undefined): string => (typeof value === "string" ? value : "");
const number = (value: Value | undefined, fallback: number): number =>
  typeof value === "number" ? value : fallback;
const strings = (value: Value | undefined): string[] =>
  Array.isArray(value)
    ? (value as readonly Value[]).filter((v): v is string => typeof v === "string")
    : [];

/** The subject block as an X.500 name (`CN=..., O=...`). */
function subjectName(config: ObjectValue): string {
  const subject = firstBlock(config.subject) ?? {};
  const parts: Array<[string, Value | undefined]> = [
    ["CN", subject.common_name],
    ["O", subject.organization],
    ["OU", subject.organizational_unit],
    ["C", subject.country],
  ];
  const name = parts
    .filter(([, value]) => typeof value === "string" && value !== "")
    .map(([key, value]) => `${key}=${text(value).replace(/([,+=])/g, "\\$1")}`)
    .join(", ");
  return name === "" ? "CN=rehearsal" : name;
}

interface WebKeys {
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicKey: webcrypto.CryptoKey;
  readonly algorithm: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  readonly name: "ECDSA" | "RSA";
}

/** A PEM private key (any encoding) as WebCrypto keys for signing. */
async function webKeys(pem: string): Promise<WebKeys> {
  const key = createPrivateKey(pem);
  const ecdsa = key.asymmetricKeyType === "ec";
  const algorithm = ecdsa
    ? { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" }
    : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const privateKey = await webcrypto.subtle.importKey(
    "pkcs8",
    key.export({ format: "der", type: "pkcs8" }),
    algorithm,
    true,
    ["sign"],
  );
  const publicKey = await webcrypto.subtle.importKey(
    "spki",
    createPublicKey(key).export({ format: "der", type: "spki" }),
    algorithm,
    true,
    ["verify"],
  );
  return { privateKey, publicKey, algorithm, name: ecdsa ? "ECDSA" : "RSA" };
}

const signing = (keys: WebKeys) =>
  keys.name === "ECDSA"
    ? { name: "ECDSA", hash: "SHA-256" }
    : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

const USAGE_FLAGS: Readonly<Record<string, number>> = {
  digital_signature: x509.KeyUsageFlags.digitalSignature,
  key_encipherment: x509.KeyUsageFlags.keyEncipherment,
  cert_signing: x509.KeyUsageFlags.keyCertSign,
  crl_signing: x509.KeyUsageFlags.cRLSign,
};
const EXTENDED_USAGES: Readonly<Record<string, string>> = {
  server_auth: x509.ExtendedKeyUsage.serverAuth,
  client_auth: x509.ExtendedKeyUsage.clientAuth,
};

function extensionsOf(config: ObjectValue, names: { dns: string[]; ips: string[] }) {
  const uses = strings(config.allowed_uses);
  const flags = uses.reduce((sum, use) => sum | (USAGE_FLAGS[use] ?? 0), 0);
  const extended = uses.flatMap((use) => (EXTENDED_USAGES[use] ? [EXTENDED_USAGES[use]] : []));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(config.is_ca_certificate === true, undefined, true),
  ];
  if (flags !== 0) extensions.push(new x509.KeyUsagesExtension(flags, true));
  if (extended.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(extended));
  const alternatives = [
    ...names.dns.map((value) => ({ type: "dns" as const, value })),
    ...names.ips.map((value) => ({ type: "ip" as const, value })),
  ];
  if (alternatives.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(alternatives));
  }
  return extensions;
}

/** The certificate's fields every certificate resource computes. */
function validity(config: ObjectValue): { notBefore: Date; notAfter: Date } {
  const notBefore = rehearsalNow();
  const hours = number(config.validity_period_hours, 24);
  return { notBefore, notAfter: new Date(notBefore.getTime() + hours * 3600 * 1000) };
}

const rfc3339 = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;
const serial = () =>
  randomBytes(16)
    .toString("hex")
    .replace(/^[89a-f]/, "1");

async function issue(typeName: string, config: ObjectValue): Promise<Record<string, Value>> {
  const { notBefore, notAfter } = validity(config);
  if (typeName === "tls_self_signed_cert") {
    const keys = await webKeys(text(config.private_key_pem));
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: subjectName(config),
      notBefore,
      notAfter,
      signingAlgorithm: signing(keys),
      keys,
      extensions: extensionsOf(config, {
        dns: strings(config.dns_names),
        ips: strings(config.ip_addresses),
      }),
    });
    return certificateState(certificate, keys.name, notBefore, notAfter);
  }
  const request = new x509.Pkcs10CertificateRequest(text(config.cert_request_pem));
  const caKeys = await webKeys(text(config.ca_private_key_pem));
  const ca = new x509.X509Certificate(text(config.ca_cert_pem));
  const alternatives = request.extensions.find(
    (extension): extension is x509.SubjectAlternativeNameExtension =>
      extension instanceof x509.SubjectAlternativeNameExtension,
  );
  const names = alternatives?.names.toJSON() ?? [];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: request.subject,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: signing(caKeys),
    publicKey: request.publicKey,
    signingKey: caKeys.privateKey,
    extensions: extensionsOf(config, {
      dns: names.filter((name) => name.type === "dns").map((name) => name.value),
      ips: names.filter((name) => name.type === "ip").map((name) => name.value),
    }),
  });
  return certificateState(certificate, caKeys.name, notBefore, notAfter);
}

function certificateState(
  certificate: x509.X509Certificate,
  algorithm: string,
  notBefore: Date,
  notAfter: Date,
): Record<string, Value> {
  return {
    cert_pem: `${certificate.toString("pem")}\n`,
    validity_start_time: rfc3339(notBefore),
    validity_end_time: rfc3339(notAfter),
    ready_for_renewal: false,
    key_algorithm: algorithm,
    id: BigInt(`0x${certificate.serialNumber}`).toString(),
  };
}

async function requestState(config: ObjectValue): Promise<Record<string, Value>> {
  const keys = await webKeys(text(config.private_key_pem));
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(config),
    keys,
    signingAlgorithm: signing(keys),
    extensions: extensionsOf(
      { ...config, allowed_uses: null, is_ca_certificate: false },
      { dns: strings(config.dns_names), ips: strings(config.ip_addresses) },
    ).slice(1),
  });
  const pem = `${request.toString("pem")}\n`;
  return {
    cert_request_pem: pem,
    key_algorithm: keys.name,
    id: createHash("sha1").update(pem).digest("hex"),
  };
}

function keyState(config: ObjectValue): Record<string, Value> {
  const algorithm = text(config.algorithm) || "RSA";
  const pair =
    algorithm === "ECDSA"
      ? generateKeyPairSync("ec", {
          namedCurve: text(config.ecdsa_curve) === "P384" ? "P-384" : "P-256",
        })
      : generateKeyPairSync("rsa", { modulusLength: number(config.rsa_bits, 2048) });
  const privateKeyPem = pair.privateKey
    .export({ format: "pem", type: algorithm === "ECDSA" ? "sec1" : "pkcs1" })
    .toString();
  const publicDer = pair.publicKey.export({ format: "der", type: "spki" });
  return {
    private_key_pem: privateKeyPem,
    private_key_pem_pkcs8: pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    public_key_pem: pair.publicKey.export({ format: "pem", type: "spki" }).toString(),
    public_key_fingerprint_sha256: createHash("sha256").update(publicDer).digest("base64"),
    id: createHash("sha1").update(publicDer).digest("hex"),
  };
}

/** Within early_renewal_hours of its end by the rehearsal's clock. */
function dueForRenewal(prior: ObjectValue): boolean {
  const end = Date.parse(text(prior.validity_end_time));
  if (Number.isNaN(end)) return false;
  const early = number(prior.early_renewal_hours, 0);
  return rehearsalNow().getTime() >= end - early * 3600 * 1000;
}

export const provider = standIn("tls", {
  plan: (request: PlanRequest): PlanResult => {
    const planned = defaultPlan(provider, request);
    if (!CERTIFICATES.has(request.typeName) || request.prior === null) return planned;
    if (planned.requiresReplace.length > 0 || !dueForRenewal(request.prior)) return planned;
    const fresh = defaultPlan(provider, { ...request, prior: null });
    return { planned: fresh.planned, requiresReplace: [["ready_for_renewal"]] };
  },
  apply: async (request: ApplyRequest) => {
    const { planned } = request;
    const generic = defaultApply(provider, request);
    if (planned === null || generic === null || request.prior !== null) return generic;
    // Only the attributes this type's schema has (key_algorithm is not on every one).
    const merged = (values: Record<string, Value>): ObjectValue => ({
      ...generic,
      ...Object.fromEntries(Object.entries(values).filter(([name]) => name in generic)),
    });
    switch (request.typeName) {
      case "tls_private_key":
        return merged(keyState(planned));
      case "tls_cert_request":
        return merged(await requestState(planned));
      case "tls_self_signed_cert":
      case "tls_locally_signed_cert":
        return merged(await issue(request.typeName, planned));
      default:
        return generic;
    }
  },
});
