/**
 * What a Terraform plan would do, read from `terraform show -json <planfile>`
 * (https://developer.hashicorp.com/terraform/internals/json-format, "Plan Representation":
 * `resource_changes[].change.actions` is one of ["no-op"], ["create"], ["read"], ["update"],
 * ["delete", "create"], ["create", "delete"], ["delete"], ["forget"]), and whether it is
 * acceptable for a routine change.
 */

/** The part of Terraform's JSON plan the rehearsal reads. */
export interface JsonPlan {
  readonly resource_changes?: ReadonlyArray<{
    readonly address: string;
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly change: {
      readonly actions: readonly string[];
      /** Attribute paths that force the replacement, as Terraform reports them. */
      readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
    };
  }>;
}

export type ChangeKind = "create" | "update" | "replace" | "delete";

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** Why a replacement is forced (`spec.0.storage_class_name`), when Terraform says. */
  readonly replacePaths: readonly string[];
}

/** Terraform's action list as one kind; no-op and reads are not changes. */
function kindOf(actions: readonly string[]): ChangeKind | undefined {
  const key = actions.join(",");
  switch (key) {
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete,create":
    case "create,delete":
      return "replace";
    case "delete":
      return "delete";
    default:
      return undefined;
  }
}

/** The managed resources a plan changes, in the plan's order. */
export function plannedChanges(plan: JsonPlan): PlannedChange[] {
  return (plan.resource_changes ?? []).flatMap((change) => {
    if (change.mode !== "managed") return [];
    const kind = kindOf(change.change.actions);
    if (!kind) return [];
    return [
      {
        address: change.address,
        type: change.type,
        kind,
        replacePaths: (change.change.replace_paths ?? []).map((path) => path.join(".")),
      },
    ];
  });
}

/** Counts per kind, for the summary table. */
export function countsOf(changes: readonly PlannedChange[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const change of changes) counts[change.kind] += 1;
  return counts;
}

/**
 * The changes a routine day-2 change must not make: replacing or destroying a resource whose
 * loss loses data or connectivity (`isStateful` decides per resource type).
 */
export function statefulLosses(
  changes: readonly PlannedChange[],
  isStateful: (type: string) => boolean,
): PlannedChange[] {
  return changes.filter(
    (change) => (change.kind === "replace" || change.kind === "delete") && isStateful(change.type),
  );
}

/** One line per change: `replace google_container_cluster.x (network)`. */
/**
 * The replacements among `changes` of types not in `expected`: a routine change that replaces
 * more than it must (a snapshot attachment re-created by an image bump) is a defect even where
 * nothing stateful is lost.
 */
export function unexpectedReplacements(
  changes: readonly PlannedChange[],
  expected: readonly string[],
): PlannedChange[] {
  return changes.filter((change) => change.kind === "replace" && !expected.includes(change.type));
}

export function describeChanges(changes: readonly PlannedChange[]): string[] {
  return changes.map(
    (change) =>
      `${change.kind.padEnd(7)} ${change.address}${change.replacePaths.length > 0 ? ` (${change.replacePaths.join(", ")})` : ""}`,
  );
}
