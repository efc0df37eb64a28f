/**
 * Application sides: the `cloud:` form (one side) and `sides` (several, by name), each a GCP
 * side with its VPN, Artifact Registry access and optional own app section. Rules: ./rules.ts.
 */
import { z } from "zod";
import { gcpName } from "../core/fields";
import { gcpSideFields, vpn } from "../network/schema";
import { app } from "../registry/schema";

export const artifactRegistry = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        "An Artifact Registry Docker repository in this side's project and region, which the side's nodes may read. @default false",
    }),
    repositoryId: gcpName.default("containers").meta({
      description:
        "Repository id: images are <region>-docker.pkg.dev/<projectId>/<repositoryId>/... @default containers",
    }),
    keepRecentVersions: z
      .number()
      .int()
      .min(1)
      .default(10)
      .meta({ description: "Cleanup policy: versions always kept per image. @default 10" }),
    deleteUntaggedAfterDays: z.number().int().min(1).default(14).meta({
      description: "Cleanup policy: untagged versions older than this are deleted. @default 14",
    }),
    externalReader: z.boolean().default(false).meta({
      description:
        "Create a reader service account and key for clusters outside GKE (exported as a sensitive .dockerconfigjson). @default false",
    }),
  })
  .prefault({});

export const cloudFields = {
  ...gcpSideFields,
  vpn,
  dns: z
    .strictObject({
      ttl: z.number().int().min(5).max(86400).default(300).meta({
        description:
          "TTL, in seconds, of the private DNS zone's records (the registry's and the cache's names). @default 300",
      }),
    })
    .prefault({}),
  artifactRegistry,
};

export const cloud = z.strictObject(cloudFields).meta({
  description:
    "The one application side (stacks cloud-network and workloads). For several, use sides instead",
});

/**
 * Side names become stack names (cloud-network-<side>, workloads-<side>) and part of the DNS
 * zone names, so they are short RFC 1035 labels.
 */
export const SIDE_NAME = /^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/;

export const side = z.strictObject({
  ...cloudFields,
  app: app.optional().meta({
    description:
      "This side's application settings, replacing the top-level app section for it (keys left out take their defaults). @default the top-level app section",
  }),
});

export const sides = z
  .record(z.string().regex(SIDE_NAME), side, {
    error: (issue) =>
      issue.code === "invalid_key"
        ? "is not a side name: start with a letter, then a-z, 0-9 and '-', at most 20 characters (it names stacks and DNS zones)"
        : undefined,
  })
  .optional()
  .meta({
    description:
      "Several application sides, by name: each is a cloud section (plus an optional app section) with its own stacks cloud-network-<name> and workloads-<name>; the registry's workloads are then the registry stack. Use instead of cloud",
  });
