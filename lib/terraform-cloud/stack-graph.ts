import { TerraformStack, TerraformVariable } from "cdktf";
import { ContractReader } from "../contract/contract";

/** A sensitive input variable of a stack: a value its workspace must be given. */
export interface SensitiveInput {
  readonly name: string;
  readonly description: string;
}

/** One stack as Terraform Cloud needs to know it, read from the constructs the app built. */
export interface StackNode {
  readonly name: string;
  /** Producers whose contract this stack reads: it must be allowed to read their state. */
  readonly reads: readonly string[];
  /** Stacks that must be applied before this one (contract reads and serializations). */
  readonly after: readonly string[];
  readonly sensitiveInputs: readonly SensitiveInput[];
}

/**
 * The graph of `stacks`: who reads whose contract (the ContractReaders in each stack, so the
 * sharing follows the code, never a hand-kept list), the dependencies cdktf orders deploys by,
 * and the sensitive variables each stack declares.
 */
export function stackGraphOf(stacks: readonly TerraformStack[]): StackNode[] {
  return stacks.map((stack) => {
    const constructs = stack.node.findAll();
    const reads = new Set(
      constructs.filter((c) => c instanceof ContractReader).map((reader) => reader.producer),
    );
    const after = new Set([...reads, ...stack.dependencies.map((other) => other.node.id)]);
    const sensitiveInputs = constructs
      .filter((c): c is TerraformVariable => c instanceof TerraformVariable)
      .filter((variable) => variable.sensitive === true)
      .map((variable) => ({
        name: variable.friendlyUniqueId,
        description: variable.description ?? "",
      }));
    return {
      name: stack.node.id,
      reads: [...reads].sort(),
      after: [...after].sort(),
      sensitiveInputs,
    };
  });
}

/** The stacks reading `producer`'s contract: exactly those its state is shared with. */
export function consumersOf(graph: readonly StackNode[], producer: string): string[] {
  return graph.filter((node) => node.reads.includes(producer)).map((node) => node.name);
}

/** A run trigger: an apply in `source` queues a plan in `target`. */
export interface TriggerEdge {
  readonly source: string;
  readonly target: string;
}

/**
 * Run triggers along the graph's order, without the edges another path already implies
 * (its transitive reduction): with sides on a simulated on-prem, the second side's network
 * is triggered by the first side's network only, not also by onprem-network, so the sides
 * that write the shared router never plan and apply at the same time.
 */
export function runTriggerEdges(graph: readonly StackNode[]): TriggerEdge[] {
  const after = new Map(graph.map((node) => [node.name, node.after]));
  const reachable = (from: string, to: string, skipDirect: boolean): boolean => {
    const seen = new Set<string>();
    const stack = (after.get(from) ?? []).filter((next) => !(skipDirect && next === to));
    while (stack.length > 0) {
      const current = stack.pop();
      if (current === undefined || seen.has(current)) continue;
      if (current === to) return true;
      seen.add(current);
      stack.push(...(after.get(current) ?? []));
    }
    return false;
  };
  return graph.flatMap((node) =>
    node.after
      .filter((source) => !reachable(node.name, source, true))
      .map((source) => ({ source, target: node.name })),
  );
}
