"use strict";
/**
 * An environment with `count` application sides: environments/example.yaml's on-prem, its
 * cloud section repeated under sides with non-overlapping ranges (side n: 10.<128+n>.0.0/16
 * cut into subnet, pods and services; its own ASN, control-plane /28 and link-local /29).
 * Used by `npm run bench` for the scale rows.
 */
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { parse, stringify } = require("yaml");

/** Octets 128-255 hold the sides' /16s inside the application block 10.128.0.0/9. */
const MAX_SIDES = 128;

function sidesEnvironment(count) {
  if (count < 1 || count > MAX_SIDES) throw new Error(`1 to ${MAX_SIDES} sides, not ${count}`);
  const base = parse(readFileSync(join(__dirname, "..", "environments", "example.yaml"), "utf8"));
  const { cloud, ...rest } = base;
  const sides = {};
  for (let n = 0; n < count; n++) {
    const block = `10.${128 + n}`;
    sides[`side${n}`] = {
      ...cloud,
      projectId: `apps-side${n}-123`,
      asn: 64520 + n,
      network: {
        name: `side${n}`,
        subnetCidr: `${block}.0.0/24`,
        podsCidr: `${block}.64.0/18`,
        servicesCidr: `${block}.128.0/20`,
      },
      cluster: {
        ...cloud.cluster,
        name: `side${n}-cluster`,
        controlPlaneCidr: `172.17.${n}.0/28`,
      },
      vpn: { linkLocalRange: `169.254.${n}.0/29` },
    };
  }
  return stringify({
    ...rest,
    onprem: { ...rest.onprem, applicationRanges: ["10.128.0.0/9"] },
    sides,
  });
}

module.exports = { sidesEnvironment };
