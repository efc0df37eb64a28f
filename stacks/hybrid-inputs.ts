import type { Construct } from "constructs";
import { Fn, type TerraformProvider } from "cdktf";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { DataGoogleSecretManagerSecretVersion } from "@cdktf/provider-google/lib/data-google-secret-manager-secret-version";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { diskSnapshotsEnabled, networkRangesOf } from "../lib/config/derived";
import type { HybridConfig } from "../lib/config/schema";
import type { ApplicationSide } from "../lib/config/sides/application-sides";
import type { cloudNetworkContract } from "../lib/contract/cloud-network";
import type { ContractReader } from "../lib/contract/contract";
import type { onpremNetworkContract } from "../lib/contract/onprem-network";
import { kubernetesProvider, type ClusterAccess } from "../lib/k8s/cluster-providers";
import { pullSourcesOn } from "../lib/registry/registry-network-policy";
import type { AppInputs } from "./application-workloads";
import type { RegistryInputs } from "./registry-workloads";

/**
 * How the hybrid workloads stacks turn the network stacks' contracts into the registry's and
 * an application side's inputs. Construct ids are those of the original workloads stack.
 */

export type OnpremReader = ContractReader<(typeof onpremNetworkContract)["outputs"]>;
export type CloudReader = ContractReader<(typeof cloudNetworkContract)["outputs"]>;

/**
 * GKE access for a kubernetes provider. The DNS-based endpoint presents a publicly trusted
 * certificate, so the cluster CA is pinned only for the IP endpoint.
 */
function gkeAccess(
  endpoint: string,
  caCertificate: string,
  dnsEndpoint: boolean,
  token: string,
): ClusterAccess {
  return { gke: { endpoint, caCertificate: dnsEndpoint ? undefined : caCertificate, token } };
}

/**
 * A private key the onprem-network stack keeps in Secret Manager (latest version: a renewed
 * certificate's key is a new version), read with the stack's Google provider. The data
 * source takes the full `projects/<p>/secrets/<id>` name (google provider
 * data_source_secret_manager_secret_version.go parses it with ParseProjectFieldValue).
 */
function privateKeyFrom(scope: Construct, id: string, secretName: string): string {
  return new DataGoogleSecretManagerSecretVersion(scope, id, { secret: secretName }).secretData;
}

/**
 * The stack's default Google provider (it reads the keys onprem-network keeps) and the access
 * token the kubernetes providers of GKE clusters use.
 */
export function googleAccessToken(
  scope: Construct,
  project: { readonly project: string; readonly region?: string },
): string {
  new GoogleProvider(scope, "google", project);
  return new DataGoogleClientConfig(scope, "client-config").accessToken;
}

/** The kubernetes provider of the registry's cluster (alias `registry`). */
export function registryClusterProvider(
  scope: Construct,
  config: HybridConfig,
  onprem: OnpremReader,
  token: string,
): TerraformProvider {
  return kubernetesProvider(
    scope,
    "kubernetes-registry",
    config.onprem.mode === "simulated"
      ? gkeAccess(
          onprem.string("clusterEndpoint"),
          onprem.string("clusterCaCertificate"),
          config.onprem.cluster.dnsEndpoint,
          token,
        )
      : { kubeconfig: config.onprem.kubeconfig },
    "registry",
  );
}

/** The kubernetes provider of a side's application cluster (alias `app`). */
export function appClusterProvider(
  scope: Construct,
  side: ApplicationSide,
  cloud: CloudReader,
  token: string,
): TerraformProvider {
  return kubernetesProvider(
    scope,
    "kubernetes-app",
    gkeAccess(
      cloud.string("clusterEndpoint"),
      cloud.string("clusterCaCertificate"),
      side.cloud.cluster.dnsEndpoint,
      token,
    ),
    "app",
  );
}

/**
 * The registry's inputs. `admitted` are the application ranges its load balancer and
 * NetworkPolicy accept besides on-prem: the one side's ranges, or the blocks all sides lie in.
 */
export function hybridRegistryInputs(
  scope: Construct,
  config: HybridConfig,
  onprem: OnpremReader,
  provider: TerraformProvider,
  admitted: string[],
): RegistryInputs {
  return {
    provider,
    gcsStorage:
      config.registry.storage.type === "gcs"
        ? {
            bucket: onprem.string("registryBucket"),
            serviceAccountEmail: onprem.string("registryStorageServiceAccount"),
          }
        : undefined,
    diskSnapshots:
      config.onprem.mode === "simulated" && diskSnapshotsEnabled(config)
        ? {
            // The registry cluster's project, as the cloud-network stack names it.
            provider: new GoogleProvider(scope, "google-onprem", {
              alias: "onprem",
              project: onprem.string("projectId"),
              region: onprem.string("region"),
            }),
            project: onprem.string("projectId"),
            region: onprem.string("region"),
          }
        : undefined,
    caCertificatePem: onprem.string("caCertificatePem"),
    tls: {
      certificatePem: onprem.string("serverCertificatePem"),
      privateKeyPem: privateKeyFrom(scope, "server-key", onprem.string("serverKeySecret")),
    },
    // A real site's cluster is not ours: its CNI matches ipBlocks as it does.
    pullFrom:
      config.onprem.mode === "simulated"
        ? pullSourcesOn(config.onprem.cluster.networkPolicy, [
            ...networkRangesOf(config.onprem.network),
            ...admitted,
          ])
        : [...config.onprem.networkCidrs, ...admitted],
    exposure:
      config.registry.exposure.type === "loadBalancer"
        ? config.registry.exposure
        : {
            type: "internalLoadBalancer",
            ip: onprem.string("registryIp"),
            sourceRanges: Fn.concat([onprem.list("networkCidrs"), admitted]),
          },
  };
}

/**
 * An application side's inputs: its cluster, the registries its nodes pull from, its cache.
 * `cacheHttpSecret` is asked for only when the side runs a cache.
 */
export function hybridAppInputs(
  scope: Construct,
  config: HybridConfig,
  side: ApplicationSide,
  readers: { readonly onprem: OnpremReader; readonly cloud: CloudReader },
  provider: TerraformProvider,
  cacheHttpSecret: () => string,
): AppInputs {
  const { onprem, cloud } = readers;
  const cache = side.app.pullThroughCache;
  return {
    provider,
    endpoints: [
      { registry: config.registry.fqdn, endpoint: `https://${config.registry.fqdn}` },
      ...(cache.enabled ? [{ registry: cache.fqdn, endpoint: `https://${cache.fqdn}` }] : []),
    ],
    cache: cache.enabled
      ? {
          tls: {
            certificatePem: onprem.string("cacheCertificatePem"),
            privateKeyPem: privateKeyFrom(scope, "cache-key", onprem.string("cacheKeySecret")),
          },
          ip: cloud.string("cacheIp"),
          sourceRanges: networkRangesOf(side.cloud.network),
          pullFrom: pullSourcesOn(
            side.cloud.cluster.networkPolicy,
            networkRangesOf(side.cloud.network),
          ),
          httpSecret: cacheHttpSecret(),
        }
      : undefined,
  };
}
