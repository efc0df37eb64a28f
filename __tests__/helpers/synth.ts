import { TerraformStack, Testing } from "cdktf";
import { buildApp } from "../../main";
import type { Config } from "../../lib/config/schema";
import type { StackJson } from "./json";

/** Each stack's direct dependencies by name (what `cdktf deploy` orders by), in app order. */
export type StackDependencies = Record<string, string[]>;

/** Build the app for a config; each stack synthesized to parsed JSON, and the stack graph. */
export function synthesizeApp(config: Config): {
  stacks: Record<string, StackJson>;
  dependencies: StackDependencies;
} {
  const app = buildApp(Testing.app(), config);
  const stacks = app.node.children.filter((child) => TerraformStack.isStack(child));
  return {
    stacks: Object.fromEntries(
      stacks.map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack)) as StackJson]),
    ),
    dependencies: Object.fromEntries(
      stacks.map((stack) => [stack.node.id, stack.dependencies.map((d) => d.node.id).sort()]),
    ),
  };
}

/** Build the app for a config and synthesize each stack to parsed JSON, keyed by stack name. */
export function synthAll(config: Config): Record<string, StackJson> {
  return synthesizeApp(config).stacks;
}
