import type { CloudSection, Config, StandaloneConfig } from "../lib/config/schema";
import { clusterLocationOf, type SimulatedOnprem } from "../lib/config/derived";
import type { PrivateGkeClusterProps } from "../lib/gke/private-gke-cluster";
import { NODE_PROXY_PORT } from "../lib/registry/node-proxy";
import type { RegistryStorageSettings } from "../lib/registry/registry-storage";

/**
 * Config to construct props: what the stacks share when they turn the environment file into
 * lib/ settings (lib/ itself never sees the config).
 */

type GcpSide = CloudSection | SimulatedOnprem;

/** The cluster settings of a GCP side, as PrivateGkeCluster props. */
export function clusterSettingsOf(
  side: GcpSide,
): Pick<
  PrivateGkeClusterProps,
  | "projectId"
  | "location"
  | "name"
  | "controlPlaneCidr"
  | "authorizedNetworks"
  | "dnsEndpoint"
  | "releaseChannel"
  | "minMasterVersion"
  | "deletionProtection"
  | "nodePool"
> {
  const { cluster } = side;
  return {
    projectId: side.projectId,
    location: clusterLocationOf(side),
    name: cluster.name,
    controlPlaneCidr: cluster.controlPlaneCidr,
    authorizedNetworks: cluster.authorizedNetworks,
    dnsEndpoint: cluster.dnsEndpoint,
    releaseChannel: cluster.releaseChannel,
    minMasterVersion: cluster.minMasterVersion,
    deletionProtection: cluster.deletionProtection,
    nodePool: cluster.nodePool,
  };
}

/** GKE's persistent-disk CSI driver, for the registry's Retain storage class. */
const GKE_PD_PROVISIONER = {
  name: "pd.csi.storage.gke.io",
  parameters: { type: "pd-balanced" },
};

/** What the registry's bucket storage needs besides the config. */
export interface ObjectStorageInputs {
  /** The bucket and service account onprem-network made (gcs storage). */
  readonly gcs?: { readonly bucket: string; readonly serviceAccountEmail: string };
  /** Token of the S3 secret key (s3 storage with an access key id). */
  readonly s3SecretAccessKey?: string;
}

/**
 * The registry's storage settings. On GKE (simulated on-prem) a PVC without a class gets a
 * dedicated Retain class, so the images outlive a destroy; buckets get what the config cannot
 * hold (the created bucket, the secret key).
 */
export function registryStorageOf(
  config: Config,
  inputs: ObjectStorageInputs = {},
): RegistryStorageSettings {
  const storage = config.registry.storage;
  const onGke = config.mode === "hybrid" && config.onprem.mode === "simulated";
  switch (storage.type) {
    case "pvc":
      return onGke && !storage.storageClass && !storage.provisioner
        ? { ...storage, provisioner: GKE_PD_PROVISIONER }
        : storage;
    case "s3":
      return {
        ...storage,
        forcePathStyle: storage.forcePathStyle ?? storage.endpoint !== undefined,
        secretAccessKey: inputs.s3SecretAccessKey,
      };
    case "gcs":
      if (!inputs.gcs) throw new Error("gcs storage needs the bucket onprem-network creates");
      return { type: "gcs", ...inputs.gcs };
    default:
      return storage;
  }
}

/** How nodes reach the registry: the name in image references and the URL containerd dials. */
export interface NodeRegistryEndpoint {
  readonly registry: string;
  readonly endpoint: string;
}

/** Where nodes of a standalone cluster pull from, for each exposure. */
export function standaloneEndpointOf(config: StandaloneConfig): NodeRegistryEndpoint {
  const { fqdn, exposure } = config.registry;
  switch (exposure.type) {
    case "loadBalancer":
      // The IP is a SAN of the certificate: nodes need no DNS entry for the registry.
      return { registry: fqdn, endpoint: `https://${exposure.ip}` };
    case "nodePort":
      return {
        registry: `${fqdn}:${exposure.nodePort}`,
        endpoint: `https://${fqdn}:${exposure.nodePort}`,
      };
    case "clusterIP":
      return exposure.nodeProxy
        ? {
            registry: `localhost:${NODE_PROXY_PORT}`,
            endpoint: `https://localhost:${NODE_PROXY_PORT}`,
          }
        : { registry: fqdn, endpoint: `https://${fqdn}` };
  }
}
