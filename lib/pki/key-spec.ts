/** Key algorithm choices shared by every key of the registry PKI. */
export type KeyAlgorithm = "ECDSA" | "RSA";

export interface KeySpec {
  readonly algorithm: KeyAlgorithm;
  /** Curve for ECDSA keys. */
  readonly ecdsaCurve?: "P256";
  /** Size for RSA keys. */
  readonly rsaBits?: number;
}

/** ECDSA keys use P-256: universally supported by registries, containerd and Go's TLS. */
export function keySpec(algorithm: KeyAlgorithm, rsaBits: number): KeySpec {
  return algorithm === "ECDSA" ? { algorithm, ecdsaCurve: "P256" } : { algorithm, rsaBits };
}

export const CA_CERTIFICATE_USES = ["cert_signing", "crl_signing"];
export const SERVER_CERTIFICATE_USES = ["digital_signature", "key_encipherment", "server_auth"];

export const HOURS_PER_DAY = 24;
