/**
 * Stand-in for hashicorp/random: random_password draws a real password from the classes its
 * configuration allows (terraform-provider-random internal/random/string.go: upper, lower,
 * numeric, special or override_special, each at least its min_*), so what reads `result`
 * gets a value of the right shape.
 */
import { randomInt } from "node:crypto";
import { defaultApply, type ApplyRequest } from "../plugin/provider";
import type { ObjectValue, Value } from "../plugin/cty";
import { standIn } from "./common";

const CLASSES = {
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  lower: "abcdefghijklmnopqrstuvwxyz",
  numeric: "0123456789",
  special: "!@#$%&*()-_=+[]{}<>:?",
} as const;

const flag = (config: ObjectValue, name: string): boolean => config[name] !== false;
const count = (config: ObjectValue, name: string): number => {
  const value: Value = config[name] ?? null;
  return typeof value === "number" ? value : 0;
};

/** A password of `length` honouring the classes and minimums of the configuration. */
export function password(config: ObjectValue): string {
  const length = count(config, "length");
  const special =
    typeof config.override_special === "string" ? config.override_special : CLASSES.special;
  const pools = [
    { chars: CLASSES.upper, on: flag(config, "upper"), min: count(config, "min_upper") },
    { chars: CLASSES.lower, on: flag(config, "lower"), min: count(config, "min_lower") },
    { chars: CLASSES.numeric, on: flag(config, "numeric"), min: count(config, "min_numeric") },
    { chars: special, on: flag(config, "special"), min: count(config, "min_special") },
  ].filter((pool) => pool.on && pool.chars.length > 0);
  const all = pools.map((pool) => pool.chars).join("");
  const pick = (chars: string) => chars[randomInt(chars.length)] ?? "";
  const chars = pools.flatMap((pool) => Array.from({ length: pool.min }, () => pick(pool.chars)));
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? "", chars[i] ?? ""];
  }
  return chars.join("");
}

export const provider = standIn("random", {
  apply: (request: ApplyRequest) => {
    if (request.typeName !== "random_password" || request.planned === null || request.prior) {
      return defaultApply(provider, request);
    }
    const result = password(request.planned);
    return defaultApply(provider, {
      ...request,
      planned: { ...request.planned, result, id: "none" },
    });
  },
});
