import { TerraformStack, Testing } from "cdktf";
import { buildApp } from "../../main";
import type { Config } from "../../lib/config/schema";
import type { StackJson } from "./json";

/** Build the app for a config and synthesize each stack to parsed JSON, keyed by stack name. */
export function synthAll(config: Config): Record<string, StackJson> {
  const app = buildApp(Testing.app(), config);
  const stacks = app.node.children.filter((child) => TerraformStack.isStack(child));
  return Object.fromEntries(
    stacks.map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack)) as StackJson]),
  );
}
