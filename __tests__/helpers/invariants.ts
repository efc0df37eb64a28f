/**
 * Platform rules checked on synthesized Terraform JSON, independently of the config validation
 * that should have enforced them: what an accepted environment writes must be something Google
 * Cloud, Kubernetes and Terraform accept. Used on every shipped environment and on every
 * environment the property tests accept.
 */
import { cronScheduleProblem } from "../../lib/config/maintenance/cron-schedule";
import { goParseDurationAccepts } from "../../lib/config/core/go-duration";
import { imageReferenceProblem } from "../../lib/config/core/image-reference";
import { timeZoneProblem } from "../../lib/config/maintenance/time-zone";
import { quantityValue } from "../../lib/config/core/quantity";
import { POD_WORKLOADS, podSpecOfWorkload, type StackJson } from "./json";

type Json = Record<string, unknown>;

const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const WORKLOADS = POD_WORKLOADS;

const isLiteral = (value: unknown): value is string =>
  typeof value === "string" && !value.includes("${");

function resources(stack: StackJson, type: string): Array<[string, Json]> {
  return Object.entries(stack.resource?.[type] ?? {});
}

function containersOf(workload: Json): Json[] {
  const spec = podSpecOfWorkload(workload);
  return [...((spec.init_container as Json[]) ?? []), ...((spec.container as Json[]) ?? [])];
}

/** Every rule broken by the stacks, as `<stack>: <address>: <what>`. */
export function invariantViolations(stacks: Readonly<Record<string, StackJson>>): string[] {
  const out: string[] = [];
  for (const [stackName, stack] of Object.entries(stacks)) {
    const report = (address: string, what: string) => out.push(`${stackName}: ${address}: ${what}`);
    for (const [type, byName] of Object.entries(stack.resource ?? {})) {
      for (const [id, body] of Object.entries(byName)) {
        const address = `${type}.${id}`;
        if (
          type.startsWith("google_compute_") &&
          isLiteral(body.name) &&
          !GCP_NAME.test(body.name)
        ) {
          report(address, `GCP name ${body.name} breaks RFC 1035 / 63 characters`);
        }
        if (type === "google_container_cluster" || type === "google_container_node_pool") {
          if (isLiteral(body.name) && body.name.length > 40) report(address, "GKE name over 40");
          if (isLiteral(body.name) && !GCP_NAME.test(body.name)) {
            report(address, `GKE name ${body.name} breaks RFC 1035`);
          }
        }
        if (type === "google_service_account" && isLiteral(body.account_id)) {
          if (!/^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/.test(body.account_id)) {
            report(address, `service account id ${body.account_id} is not 6-30 characters`);
          }
        }
        if (
          type === "google_dns_managed_zone" &&
          isLiteral(body.name) &&
          !GCP_NAME.test(body.name)
        ) {
          report(address, `DNS zone name ${body.name}`);
        }
        const diskSize = (body.node_config as Json | undefined)?.disk_size_gb;
        if (typeof diskSize === "number" && diskSize > 65536) report(address, "disk over 64 TB");
        if (type.startsWith("kubernetes_")) {
          const metadata = (body.metadata as Json | undefined) ?? {};
          if (
            isLiteral(metadata.name) &&
            type !== "kubernetes_storage_class_v1" &&
            !K8S_NAME.test(metadata.name)
          ) {
            report(address, `Kubernetes name ${metadata.name}`);
          }
          for (const value of Object.values((metadata.labels as Json | undefined) ?? {})) {
            if (isLiteral(value) && !LABEL_VALUE.test(value))
              report(address, `label value ${value}`);
          }
        }
      }
    }
    for (const type of WORKLOADS) {
      for (const [id, workload] of resources(stack, type)) {
        const spec = podSpecOfWorkload(workload);
        for (const value of Object.values((spec.node_selector as Json | undefined) ?? {})) {
          if (isLiteral(value) && !LABEL_VALUE.test(value))
            report(`${type}.${id}`, `node selector ${value}`);
        }
        for (const volume of (spec.volume as Json[] | undefined) ?? []) {
          const path = (volume.host_path as Json | undefined)?.path;
          if (
            isLiteral(path) &&
            (path
              .split("/")
              .slice(1)
              .some((s) => ["", ".", ".."].includes(s)) ||
              !path.startsWith("/"))
          ) {
            report(`${type}.${id}`, `hostPath ${path} is not normalised`);
          }
        }
        for (const container of containersOf(workload)) {
          const image = container.image;
          if (isLiteral(image) && imageReferenceProblem(image)) {
            report(`${type}.${id}`, `image ${image}: ${imageReferenceProblem(image)}`);
          }
          const resourcesOf = (container.resources as Json | undefined) ?? {};
          const requests = (resourcesOf.requests as Json | undefined) ?? {};
          const limits = (resourcesOf.limits as Json | undefined) ?? {};
          for (const [resource, request] of Object.entries(requests)) {
            const limit = limits[resource];
            const r = isLiteral(request) ? quantityValue(request) : undefined;
            const l = isLiteral(limit) ? quantityValue(limit) : undefined;
            if (r !== undefined && l !== undefined && r > l) {
              report(
                `${type}.${id}`,
                `${String(container.name)}: ${resource} request ${String(request)} above limit ${String(limit)}`,
              );
            }
          }
        }
      }
    }
    for (const [id, body] of resources(stack, "kubernetes_cron_job_v1")) {
      const spec = body.spec as Json;
      if (isLiteral(spec.schedule) && cronScheduleProblem(spec.schedule)) {
        report(
          `kubernetes_cron_job_v1.${id}`,
          `schedule ${spec.schedule}: ${String(cronScheduleProblem(spec.schedule))}`,
        );
      }
      if (isLiteral(spec.timezone) && timeZoneProblem(spec.timezone)) {
        report(`kubernetes_cron_job_v1.${id}`, `time zone ${spec.timezone}`);
      }
    }
    for (const [id, body] of resources(stack, "kubernetes_persistent_volume_claim_v1")) {
      const claim = (body.spec as Json[] | Json | undefined) ?? {};
      const spec = (Array.isArray(claim) ? claim[0] : claim) as Json;
      const requests = ((spec.resources as Json | undefined)?.requests as Json | undefined) ?? {};
      const size = requests.storage;
      if (isLiteral(size) && !((quantityValue(size) ?? 0) > 0)) {
        report(`kubernetes_persistent_volume_claim_v1.${id}`, `storage request ${size}`);
      }
      const storageClass = spec.storage_class_name;
      if (
        isLiteral(storageClass) &&
        !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(storageClass)
      ) {
        report(`kubernetes_persistent_volume_claim_v1.${id}`, `storage class ${storageClass}`);
      }
    }
    for (const [id, body] of resources(stack, "kubernetes_manifest")) {
      const manifest = body.manifest as Json;
      const labels = ((manifest.metadata as Json | undefined)?.labels as Json | undefined) ?? {};
      for (const [key, value] of Object.entries(labels)) {
        const name = key.slice(key.lastIndexOf("/") + 1);
        if (!LABEL_VALUE.test(name) || name === "")
          report(`kubernetes_manifest.${id}`, `label key ${key}`);
        if (isLiteral(value) && !LABEL_VALUE.test(value))
          report(`kubernetes_manifest.${id}`, `label value ${value}`);
      }
      for (const endpoint of ((manifest.spec as Json | undefined)?.endpoints as
        Json[] | undefined) ?? []) {
        if (isLiteral(endpoint.interval) && !goParseDurationAccepts(endpoint.interval)) {
          report(`kubernetes_manifest.${id}`, `scrape interval ${endpoint.interval}`);
        }
      }
    }
    for (const type of WORKLOADS) {
      for (const [id, workload] of resources(stack, type)) {
        for (const container of containersOf(workload)) {
          for (const variable of (container.env as Json[] | undefined) ?? []) {
            if (
              variable.name === "REGISTRY_PROXY_TTL" &&
              isLiteral(variable.value) &&
              !goParseDurationAccepts(variable.value)
            ) {
              report(`${type}.${id}`, `proxy ttl ${variable.value}`);
            }
          }
        }
      }
    }
    const namespaces = resources(stack, "kubernetes_namespace_v1").map(([, body]) => [
      String(body.provider ?? ""),
      String((body.metadata as Json).name),
    ]);
    for (const [, name] of namespaces) {
      if (name === "default" || name.startsWith("kube-")) {
        report("kubernetes_namespace_v1", `namespace ${name} exists on every cluster`);
      }
    }
    namespaces.forEach(([provider, name], i) => {
      if (namespaces.slice(0, i).some(([p, n]) => p === provider && n === name)) {
        report("kubernetes_namespace_v1", `namespace ${name} created twice on one cluster`);
      }
    });
    for (const text of JSON.stringify(stack).match(/"[^"]*"/g) ?? []) {
      if (text.includes("TfToken[")) report("(any)", "an unresolved cdktf token");
    }
    // Terraform Cloud workspace names: letters, digits, - and _, at most 90 characters.
    const workspace = (stack.terraform.cloud as Json | undefined)?.workspaces as Json | undefined;
    const name = workspace?.name;
    if (isLiteral(name) && !/^[A-Za-z0-9_-]{1,90}$/.test(name)) {
      report("terraform.cloud", `workspace name ${name}`);
    }
  }
  // Service account ids are unique per project, across all the environment's stacks.
  const accounts = new Map<string, string>();
  for (const [stackName, stack] of Object.entries(stacks)) {
    for (const [id, body] of resources(stack, "google_service_account")) {
      if (!isLiteral(body.project) || !isLiteral(body.account_id)) continue;
      const key = `${body.project}/${body.account_id}`;
      const first = accounts.get(key);
      if (first) out.push(`${stackName}: google_service_account.${id}: ${key} also in ${first}`);
      else accounts.set(key, stackName);
    }
  }
  return out;
}
