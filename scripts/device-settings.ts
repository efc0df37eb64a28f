/**
 * `npm run device-settings`: with a real on-prem VPN device (`onprem.mode: external`), every
 * tunnel and BGP session the device admin must configure, for every application side, read
 * from each side's `vpn_device_settings` output. Prints pre-shared keys: run it where the
 * admin may see them. `-- --json` prints the same as JSON.
 */
import { spawnSync } from "node:child_process";
import { startTool, ToolError } from "../lib/cli/command-line";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { applicationSidesOf } from "../lib/config/sides/application-sides";
import {
  renderDeviceSettings,
  type SideDeviceSettings,
} from "../lib/network/device-settings-report";
import type { DeviceTunnelSettings } from "../lib/network/vpn-link";

const USAGE = `usage: [HYBRID_CONFIG=<file>] npm run device-settings [-- --json]

With a real on-prem VPN device (onprem.mode: external), every tunnel and BGP session the
device admin must configure, for every application side, read from each deployed side's
vpn_device_settings output. Prints pre-shared keys: run it where the admin may see them.

  --json   the same as JSON`;

startTool(
  { command: "npm run device-settings", usage: USAGE, flags: { json: { type: "boolean" } } },
  (flags) => {
    const config = loadEnvironmentOrReport();
    if (!config) return 1;
    if (config.mode !== "hybrid" || config.onprem.mode !== "external") {
      throw new ToolError(
        "device settings exist only with onprem.mode: external (a real VPN device on-prem)",
      );
    }
    const sides: SideDeviceSettings[] = [];
    for (const side of applicationSidesOf(config)) {
      const result = spawnSync(
        "terraform",
        [`-chdir=cdktf.out/stacks/${side.networkStack}`, "output", "-json", "vpn_device_settings"],
        { encoding: "utf8" },
      );
      if (result.status !== 0) {
        throw new ToolError(
          `${side.networkStack} is not deployed from this checkout (no vpn_device_settings output): deploy it first (npm run cdktf -- deploy ${side.networkStack})`,
        );
      }
      sides.push({
        side: side.name,
        stack: side.networkStack,
        tunnels: JSON.parse(result.stdout) as DeviceTunnelSettings[],
      });
    }
    process.stdout.write(
      flags.json ? `${JSON.stringify(sides, null, 2)}\n` : renderDeviceSettings(sides),
    );
    return 0;
  },
);
