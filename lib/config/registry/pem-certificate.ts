import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

/**
 * The private CA of a bucket endpoint as one or more PEM certificates, or the problem with it
 * (for the config check, which names the field). Go reads every certificate of a PEM file
 * (crypto/x509 CertPool.AppendCertsFromPEM) and skips blocks it cannot parse, so each block is
 * parsed here: a typo fails before anything is applied, not as `x509: certificate signed by
 * unknown authority` in the registry's log.
 */
export function pemCertificateProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g) ?? [];
  if (blocks.length === 0) {
    return "is not a PEM certificate: paste the CA's certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----";
  }
  const outside = blocks.reduce((rest, block) => rest.replace(block, ""), pem).trim();
  if (outside !== "") {
    return `has text outside its PEM blocks (${JSON.stringify(outside.slice(0, 40))}): keep only the certificates`;
  }
  for (const [index, block] of blocks.entries()) {
    const where = blocks.length > 1 ? `block ${String(index + 1)}` : "the PEM block";
    if (!block.startsWith("-----BEGIN CERTIFICATE-----")) {
      return `${where} is ${block.slice(11, block.indexOf("-----", 5))}, not a CERTIFICATE: give the CA's certificate, never a key`;
    }
    try {
      void new X509Certificate(block);
    } catch (error) {
      return `${where} is not a readable X.509 certificate (${error instanceof Error ? error.message : String(error)}): copy it again from the CA`;
    }
  }
  return undefined;
}

/** A CA bundle is a few kilobytes; a larger file is not one. */
const MAX_PEM_FILE_BYTES = 64 * 1024;

/** The PEM file's text; call only after pemCertificateFileProblem found nothing. */
export function readPemCertificateFile(path: string): string {
  return readFileSync(path, "utf8");
}

/** What is wrong with a CA file: missing, not a file, too large, or not certificates. */
export function pemCertificateFileProblem(path: string): string | undefined {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return `${path} is not a file: give the path of the CA's PEM file`;
    size = stats.size;
  } catch {
    return `${path} cannot be read from ${process.cwd()}: give a path relative to where synth runs, or an absolute one`;
  }
  if (size > MAX_PEM_FILE_BYTES) {
    return `${path} has ${String(size)} bytes, more than a CA bundle (${String(MAX_PEM_FILE_BYTES)}): give the CA's certificate file`;
  }
  const problem = pemCertificateProblem(readPemCertificateFile(path));
  return problem && `${path} ${problem}`;
}
