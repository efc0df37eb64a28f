/**
 * Field types every concept's schema uses: addresses, Kubernetes and GCP names, labels,
 * quantities, durations, image references, bucket names. Part of the core: it imports no concept.
 */
import { z } from "zod";
import { isIpv4Address, isIpv4Cidr } from "../../network/ipv4";
import { goParseDurationAccepts } from "./go-duration";
import { imageReferenceProblem } from "./image-reference";
import { quantityValue } from "./quantity";

/** An IPv4 octet (0-255, no leading zeros), for the editor schema's patterns. */
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

// The refinements are the rules; `pattern`, `format` and `anyOf` in the metadata give editors
// the same checks through environments/schema.json (host bits excepted).
export const cidr = z
  .string()
  .refine(isIpv4Cidr, {
    message: "must be an IPv4 network in CIDR notation with no host bits set, e.g. 10.0.0.0/24",
  })
  .meta({
    description: "IPv4 network in CIDR notation, e.g. 10.0.0.0/24",
    pattern: `^(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?[0-9])$`,
  });

export const ipv4 = z
  .string()
  .refine(isIpv4Address, { message: "must be an IPv4 address, e.g. 10.0.0.10" })
  .meta({ description: "IPv4 address", format: "ipv4" });

/** Kubernetes object name (RFC 1123 label). */
export const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  message: "must be a lowercase RFC 1123 label (a-z, 0-9, '-'), at most 63 characters",
});

/**
 * A namespace the stacks create: not one every cluster already has (default, kube-system,
 * kube-public, kube-node-lease) nor another kube- one, which Kubernetes reserves
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces):
 * creating it fails the apply, and destroying the stack would try to delete it.
 */
export const ownNamespace = k8sName.refine(
  (name) => name !== "default" && !name.startsWith("kube-"),
  {
    message:
      "is a namespace Kubernetes creates or reserves (default, kube-*): the stack creates its namespace, so pick one of your own",
  },
);

/**
 * Kubernetes label keys and values (k8s.io/apimachinery pkg/util/validation: IsQualifiedName,
 * IsValidLabelValue): a key is an optional DNS-subdomain prefix and '/', then a name of at most
 * 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric; a value is empty or such a
 * name.
 */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key ${JSON.stringify(key)}: its prefix must be a lowercase DNS subdomain`;
  }
  if (!LABEL_NAME.test(name)) {
    return `label key ${JSON.stringify(key)}: the name must be 1-63 characters of A-Z, a-z, 0-9, '-', '_', '.', starting and ending with a letter or digit`;
  }
  return undefined;
}
export const labels = z.record(z.string(), z.string()).superRefine((entries, context) => {
  for (const [key, value] of Object.entries(entries)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) context.addIssue({ code: "custom", path: [key], message: keyProblem });
    if (value !== "" && !LABEL_NAME.test(value)) {
      context.addIssue({
        code: "custom",
        path: [key],
        message: `label value ${JSON.stringify(value)}: at most 63 characters of A-Z, a-z, 0-9, '-', '_', '.', starting and ending with a letter or digit`,
      });
    }
  }
});

/** GCP resource name (RFC 1035 label). */
export const gcpName = z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  message: "must start with a letter and contain only a-z, 0-9 and '-', at most 63 characters",
});

/**
 * A list whose entries must differ (by `key`): a repeated entry becomes a second resource of
 * the same name (two notification channels, two tunnels to one address, ...), which the API
 * refuses at apply or, where entries name constructs, the synthesis itself does.
 */
export function distinct<T>(key: (entry: T) => string) {
  return (entries: readonly T[], context: z.RefinementCtx) => {
    const firstAt = new Map<string, number>();
    entries.forEach((entry, index) => {
      const seen = firstAt.get(key(entry));
      if (seen === undefined) {
        firstAt.set(key(entry), index);
        return;
      }
      context.addIssue({
        code: "custom",
        path: [index],
        message: `repeats entry ${seen} of this list (${key(entry)}): list each once`,
      });
    });
  };
}
export const same = (entry: string) => entry;

export const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, {
  message: "must be a Kubernetes quantity such as 100m, 256Mi or 20Gi",
});

/**
 * A claim's size: a quantity above zero (the API server refuses a PersistentVolumeClaim whose
 * storage request is not: kubernetes pkg/apis/core/validation, ValidatePersistentVolumeClaimSpec,
 * "must be greater than zero").
 */
export const claimSize = quantity.refine((size) => (quantityValue(size) ?? 0) > 0, {
  message: "must be a size above zero, such as 20Gi",
});

/**
 * A StorageClass name: a DNS subdomain of at most 253 characters
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names).
 */
export const storageClassName = z
  .string()
  .max(253, { message: "is not a valid StorageClass name (at most 253 characters)" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "is not a valid StorageClass name (a lowercase DNS subdomain)",
  });

/**
 * A Go duration as Distribution parses it (time.ParseDuration), e.g. 168h or 90m; 0 disables.
 * At most Go's largest duration, 2562047h47m16.854775807s: past it the registry does not start.
 */
export const goDuration = z
  .string()
  .regex(/^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/, {
    message: "must be a duration such as 168h, 90m or 0",
  })
  .refine(goParseDurationAccepts, {
    message: "is longer than Go's largest duration (2562047h47m16s): the registry would not start",
  });

/** An OCI image reference, checked with distribution/reference's grammar (image-reference.ts). */
export const imageRef = z.string().superRefine((reference, context) => {
  const problem = imageReferenceProblem(reference);
  if (problem) {
    context.addIssue({
      code: "custom",
      message: `must be an image reference such as registry:3.1.1: ${problem}`,
    });
  }
});

/**
 * GCS bucket naming rules (https://cloud.google.com/storage/docs/buckets#naming): 3-63
 * characters (up to 222 with dots, each dot-separated part at most 63) of lowercase letters,
 * digits, `-`, `_` and `.`, starting and ending with a letter or digit; not an IP address; not
 * starting with "goog" nor containing "google".
 */
export function gcsBucketNameProblem(bucket: string): string | undefined {
  const parts = bucket.split(".");
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket)) {
    return "must be a GCS bucket name: lowercase letters, digits, - _ . and a letter or digit at both ends";
  }
  if (bucket.length < 3 || bucket.length > (parts.length > 1 ? 222 : 63)) {
    return "must have 3-63 characters (up to 222 when it contains dots)";
  }
  if (parts.some((part) => part.length > 63)) return "must have at most 63 characters between dots";
  if (isIpv4Address(bucket)) return "must not be an IP address";
  if (bucket.startsWith("goog") || bucket.includes("google")) {
    return 'must not start with "goog" or contain "google"';
  }
  return undefined;
}
