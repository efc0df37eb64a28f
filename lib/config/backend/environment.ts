import type { StateBackendSettings } from "../../backend/state-backend";
import { basename, extname } from "node:path";

/**
 * An environment's name: it is part of its state locations (a directory, a GCS prefix,
 * Terraform Cloud workspace names) and every stack checks it against the state it reads and
 * writes. A short DNS-label-like word fits all three.
 */
export const ENVIRONMENT_NAME = /^[a-z]([-a-z0-9]{0,22}[a-z0-9])?$/;

/** Where state lived before environments had names; a file without a name keeps it there. */
export const UNNAMED_STATE_LOCATIONS = {
  directory: "state",
  prefix: "hybrid-registry",
  workspacePrefix: "hybrid-registry",
} as const;

/** The backend settings as the file gives them: locations left out take the defaults below. */
export type BackendInput =
  | { readonly type: "local"; readonly directory?: string }
  | {
      readonly type: "gcs";
      readonly bucket: string;
      readonly prefix?: string;
      readonly kmsEncryptionKey?: string;
    }
  | {
      readonly type: "cloud";
      readonly hostname: string;
      readonly organization: string;
      readonly workspacePrefix?: string;
    };

/** The backend with every location decided: the settings the stacks' backends take. */
export type ResolvedBackend = StateBackendSettings;

/**
 * The name of a file that does not set `environment`: its base name, as a valid name
 * (`environments/Prod EU.yaml` is `prod-eu`). It identifies the state, but does not move it.
 */
export function environmentNameOfFile(source: string): string {
  const stem = basename(source, extname(source))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 24)
    .replace(/-+$/, "");
  return stem === "" ? "default" : stem;
}

/**
 * Default state locations: a named environment's own (`state/<name>`, `<prefix>/<name>`,
 * `hybrid-registry-<name>`); an unnamed one's where they always were. A location the file sets
 * is used as it is.
 */
export function resolveBackend(backend: BackendInput, named: string | undefined): ResolvedBackend {
  const own = (shared: string, separator: string) =>
    named === undefined ? shared : `${shared}${separator}${named}`;
  switch (backend.type) {
    case "local":
      return {
        ...backend,
        directory: backend.directory ?? own(UNNAMED_STATE_LOCATIONS.directory, "/"),
      };
    case "gcs":
      return { ...backend, prefix: backend.prefix ?? own(UNNAMED_STATE_LOCATIONS.prefix, "/") };
    case "cloud":
      // Only the state location: backend.workspaceSetup is the terraform-cloud stack's.
      return {
        type: backend.type,
        hostname: backend.hostname,
        organization: backend.organization,
        workspacePrefix:
          backend.workspacePrefix ?? own(UNNAMED_STATE_LOCATIONS.workspacePrefix, "-"),
      };
  }
}
