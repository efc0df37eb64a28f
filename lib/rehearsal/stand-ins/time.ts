/**
 * Stand-in for hashicorp/time: time_sleep returns at once (the rehearsal has no API whose
 * eventual consistency it waits for), time_static records the rehearsal's clock
 * (terraform-provider-time internal/provider/resource_time_static.go: rfc3339 and its parts).
 */
import { defaultApply, type ApplyRequest } from "../plugin/provider";
import { rehearsalNow, standIn } from "./common";

export const provider = standIn("time", {
  apply: (request: ApplyRequest) => {
    const generic = defaultApply(provider, request);
    if (request.typeName !== "time_static" || generic === null || request.prior) return generic;
    const given = request.config?.rfc3339;
    const at = typeof given === "string" ? new Date(given) : rehearsalNow();
    const rfc3339 = `${at.toISOString().slice(0, 19)}Z`;
    return {
      ...generic,
      id: rfc3339,
      rfc3339,
      year: at.getUTCFullYear(),
      month: at.getUTCMonth() + 1,
      day: at.getUTCDate(),
      hour: at.getUTCHours(),
      minute: at.getUTCMinutes(),
      second: at.getUTCSeconds(),
      unix: Math.floor(at.getTime() / 1000),
    };
  },
});
