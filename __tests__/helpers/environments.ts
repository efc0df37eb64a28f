import type { Config } from "../../lib/config/schema";
import { loadEnvironment, synthAll, type StackJson } from "./synth";

/** Every environment the tests synthesize, by name. */
export const ENVIRONMENTS = {
  default: "environments/example.yaml",
  standalone: "environments/standalone-k3s.yaml",
  externalPeer: "__tests__/fixtures/external-peer.yaml",
  artifactRegistry: "__tests__/fixtures/artifact-registry.yaml",
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

const cache = new Map<string, Record<string, StackJson>>();

/** Synthesized stacks of a named environment, synthesized once per test file. */
export function stacksOf(name: EnvironmentName): Record<string, StackJson> {
  const hit = cache.get(name);
  if (hit) return hit;
  const stacks = synthAll(configOf(name));
  cache.set(name, stacks);
  return stacks;
}

export function configOf(name: EnvironmentName): Config {
  return loadEnvironment(ENVIRONMENTS[name]);
}
