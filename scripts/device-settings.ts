/**
 * `npm run device-settings`: with a real on-prem VPN device (`onprem.mode: external`), every
 * tunnel and BGP session the device admin must configure, for every application side, read
 * from each side's `vpn_device_settings` output. Prints pre-shared keys: run it where the
 * admin may see them. `-- --json` prints the same as JSON.
 */
import { spawnSync } from "node:child_process";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { applicationSidesOf } from "../lib/config/sides";
import {
  renderDeviceSettings,
  type SideDeviceSettings,
} from "../lib/network/device-settings-report";
import type { DeviceTunnelSettings } from "../lib/network/vpn-link";

function run(): void {
  const config = loadEnvironmentOrReport();
  if (!config) return;
  if (config.mode !== "hybrid" || config.onprem.mode !== "external") {
    process.stderr.write("device settings exist only with onprem.mode: external\n");
    process.exitCode = 1;
    return;
  }
  const sides: SideDeviceSettings[] = [];
  for (const side of applicationSidesOf(config)) {
    const result = spawnSync(
      "terraform",
      [`-chdir=cdktf.out/stacks/${side.networkStack}`, "output", "-json", "vpn_device_settings"],
      { encoding: "utf8" },
    );
    if (result.status !== 0) {
      process.stderr.write(
        `terraform output of ${side.networkStack} failed (deploy it first): ${result.stderr.trim()}\n`,
      );
      process.exitCode = 1;
      return;
    }
    sides.push({
      side: side.name,
      stack: side.networkStack,
      tunnels: JSON.parse(result.stdout) as DeviceTunnelSettings[],
    });
  }
  process.stdout.write(
    process.argv.includes("--json")
      ? `${JSON.stringify(sides, null, 2)}\n`
      : renderDeviceSettings(sides),
  );
}

run();
