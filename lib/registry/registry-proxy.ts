import type { RegistryUser } from "./registry-credentials";

/** Pull-through cache mode: serve from `remoteUrl`, storing each layer once. */
export interface RegistryProxy {
  readonly remoteUrl: string;
  readonly user: RegistryUser;
  /** CA that signed the upstream's certificate. */
  readonly caCertificatePem: string;
  /**
   * How long content stays after it was last fetched (Go duration; `0` keeps it forever).
   * Distribution's default is 168h (registry/proxy/proxyregistry.go, `repositoryTTL`).
   * @default "168h"
   */
  readonly ttl?: string;
}
