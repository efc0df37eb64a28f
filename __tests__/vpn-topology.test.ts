import {
  cidrContains,
  cidrsOverlap,
  isIpv4Cidr,
  nthAddress,
  prefixLength,
  rangeOf,
  subnets,
} from "../lib/network/ipv4";
import { planTunnels, vpnTunnelCount, type TunnelPlan } from "../lib/network/vpn-topology";

/** The /30 lies entirely inside `outer`. */
function within(outer: string, inner: string): boolean {
  const o = rangeOf(outer);
  const i = rangeOf(inner);
  return i.first >= o.first && i.last <= o.last;
}

function pairing(plans: TunnelPlan[]): Array<[number, number]> {
  return plans.map((plan) => [plan.localInterface, plan.peerInterface]);
}

describe("vpnTunnelCount", () => {
  it("needs two tunnels for a peer with one or two interfaces and four for four", () => {
    expect(vpnTunnelCount(1)).toBe(2);
    expect(vpnTunnelCount(2)).toBe(2);
    expect(vpnTunnelCount(4)).toBe(4);
  });
});

describe("planTunnels", () => {
  const cases = [
    {
      peerInterfaces: 1,
      range: "169.254.0.0/29",
      pairs: [
        [0, 0],
        [1, 0],
      ],
    },
    {
      peerInterfaces: 2,
      range: "169.254.0.0/29",
      pairs: [
        [0, 0],
        [1, 1],
      ],
    },
    {
      peerInterfaces: 4,
      range: "169.254.10.0/28",
      pairs: [
        [0, 0],
        [0, 1],
        [1, 2],
        [1, 3],
      ],
    },
  ] as const;

  describe.each(cases)(
    "with $peerInterfaces peer interface(s)",
    ({ peerInterfaces, range, pairs }) => {
      const plans = planTunnels(peerInterfaces, range);

      it("plans vpnTunnelCount() tunnels, indexed from 0", () => {
        expect(plans).toHaveLength(vpnTunnelCount(peerInterfaces));
        expect(plans.map((plan) => plan.index)).toEqual(plans.map((_, i) => i));
      });

      it("pairs the HA VPN interfaces with the peer's as Google recommends", () => {
        expect(pairing(plans)).toEqual(pairs);
      });

      it("uses both HA VPN interfaces equally and never repeats a pairing", () => {
        const perInterface = [0, 1].map(
          (i) => plans.filter((plan) => plan.localInterface === i).length,
        );
        expect(perInterface).toEqual([plans.length / 2, plans.length / 2]);
        const keys = pairing(plans).map(([local, peer]) => `${local}-${peer}`);
        expect(new Set(keys).size).toBe(plans.length);
      });

      it("only uses peer interfaces the device has", () => {
        for (const plan of plans) {
          expect(plan.peerInterface).toBeGreaterThanOrEqual(0);
          expect(plan.peerInterface).toBeLessThan(peerInterfaces);
        }
      });

      it("gives each tunnel its own /30 inside the link-local range", () => {
        for (const plan of plans) {
          expect(isIpv4Cidr(plan.linkCidr)).toBe(true);
          expect(prefixLength(plan.linkCidr)).toBe(30);
          expect(within(range, plan.linkCidr)).toBe(true);
        }
        for (const [i, a] of plans.entries()) {
          for (const b of plans.slice(i + 1))
            expect(cidrsOverlap(a.linkCidr, b.linkCidr)).toBe(false);
        }
      });

      it("addresses the two routers with the first and second host of the tunnel's /30", () => {
        for (const plan of plans) {
          expect(plan.localBgpIp).toBe(nthAddress(plan.linkCidr, 1));
          expect(plan.peerBgpIp).toBe(nthAddress(plan.linkCidr, 2));
          expect(plan.localBgpIp).not.toBe(plan.peerBgpIp);
          expect(cidrContains(plan.linkCidr, plan.localBgpIp)).toBe(true);
          expect(cidrContains(plan.linkCidr, plan.peerBgpIp)).toBe(true);
        }
      });
    },
  );

  it("cuts the /30s consecutively from the start of the default range", () => {
    expect(planTunnels(2, "169.254.0.0/29")).toEqual([
      {
        index: 0,
        localInterface: 0,
        peerInterface: 0,
        linkCidr: "169.254.0.0/30",
        localBgpIp: "169.254.0.1",
        peerBgpIp: "169.254.0.2",
      },
      {
        index: 1,
        localInterface: 1,
        peerInterface: 1,
        linkCidr: "169.254.0.4/30",
        localBgpIp: "169.254.0.5",
        peerBgpIp: "169.254.0.6",
      },
    ]);
  });

  it("addresses four tunnels from a configured /28", () => {
    const plans = planTunnels(4, "169.254.10.0/28");
    expect(plans.map((plan) => [plan.linkCidr, plan.localBgpIp, plan.peerBgpIp])).toEqual([
      ["169.254.10.0/30", "169.254.10.1", "169.254.10.2"],
      ["169.254.10.4/30", "169.254.10.5", "169.254.10.6"],
      ["169.254.10.8/30", "169.254.10.9", "169.254.10.10"],
      ["169.254.10.12/30", "169.254.10.13", "169.254.10.14"],
    ]);
  });

  it("refuses a range too small for the tunnels", () => {
    expect(() => planTunnels(4, "169.254.0.0/29")).toThrow(RangeError);
    expect(() => planTunnels(2, "169.254.0.0/30")).toThrow(RangeError);
  });
});

describe("ipv4 helpers", () => {
  describe("isIpv4Cidr", () => {
    it.each(["10.0.0.0/24", "169.254.0.4/30", "172.16.0.0/12", "0.0.0.0/0", "10.0.0.10/32"])(
      "accepts the network %s",
      (cidr) => expect(isIpv4Cidr(cidr)).toBe(true),
    );

    it.each(["10.0.0.1/24", "169.254.0.2/30", "172.16.0.16/27", "10.0.1.0/16"])(
      "rejects %s, which has host bits set",
      (cidr) => expect(isIpv4Cidr(cidr)).toBe(false),
    );

    it.each(["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/24", " 10.0.0.0/24", "010.0.0.0/8"])(
      "rejects the malformed %j",
      (cidr) => expect(isIpv4Cidr(cidr)).toBe(false),
    );
  });

  describe("subnets", () => {
    it("cuts consecutive subnets from the start of a range", () => {
      expect(subnets("169.254.0.0/29", 30, 2)).toEqual(["169.254.0.0/30", "169.254.0.4/30"]);
      expect(subnets("10.0.0.0/24", 26, 4)).toEqual([
        "10.0.0.0/26",
        "10.0.0.64/26",
        "10.0.0.128/26",
        "10.0.0.192/26",
      ]);
    });

    it("carries across octets", () => {
      expect(subnets("10.0.0.0/16", 24, 3)).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
    });

    it("returns the range itself for one subnet of the same size", () => {
      expect(subnets("169.254.0.0/30", 30, 1)).toEqual(["169.254.0.0/30"]);
    });

    it("throws when the range cannot hold them", () => {
      expect(() => subnets("169.254.0.0/29", 30, 3)).toThrow(RangeError);
      expect(() => subnets("169.254.0.0/29", 28, 1)).toThrow(RangeError);
    });
  });

  describe("nthAddress", () => {
    it("counts from the network address", () => {
      expect(nthAddress("10.0.0.0/24", 0)).toBe("10.0.0.0");
      expect(nthAddress("10.0.0.0/24", 10)).toBe("10.0.0.10");
      expect(nthAddress("10.0.0.0/24", 255)).toBe("10.0.0.255");
      expect(nthAddress("169.254.0.4/30", 1)).toBe("169.254.0.5");
      expect(nthAddress("169.254.0.4/30", 2)).toBe("169.254.0.6");
    });

    it("carries across octets and reaches the top of the address space", () => {
      expect(nthAddress("10.0.0.0/23", 256)).toBe("10.0.1.0");
      expect(nthAddress("255.255.255.252/30", 3)).toBe("255.255.255.255");
    });

    it("throws outside the network", () => {
      expect(() => nthAddress("10.0.0.0/24", 256)).toThrow(RangeError);
      expect(() => nthAddress("169.254.0.0/30", 4)).toThrow(RangeError);
      expect(() => nthAddress("10.0.0.0/24", -1)).toThrow(RangeError);
    });
  });

  describe("cidrsOverlap", () => {
    it.each([
      ["10.0.0.0/24", "10.0.0.0/24"],
      ["10.0.0.0/16", "10.0.5.0/24"],
      ["10.0.0.128/25", "10.0.0.0/24"],
      ["0.0.0.0/0", "192.168.1.0/24"],
    ])("%s and %s overlap (both ways)", (a, b) => {
      expect(cidrsOverlap(a, b)).toBe(true);
      expect(cidrsOverlap(b, a)).toBe(true);
    });

    it.each([
      ["10.0.0.0/24", "10.0.1.0/24"],
      ["169.254.0.0/30", "169.254.0.4/30"],
      ["172.16.0.0/28", "172.17.0.0/28"],
      ["10.100.0.0/16", "10.101.0.0/20"],
    ])("%s and %s do not overlap (both ways)", (a, b) => {
      expect(cidrsOverlap(a, b)).toBe(false);
      expect(cidrsOverlap(b, a)).toBe(false);
    });
  });

  describe("cidrContains", () => {
    it("includes the network and broadcast addresses and nothing outside", () => {
      expect(cidrContains("169.254.0.4/30", "169.254.0.4")).toBe(true);
      expect(cidrContains("169.254.0.4/30", "169.254.0.7")).toBe(true);
      expect(cidrContains("169.254.0.4/30", "169.254.0.3")).toBe(false);
      expect(cidrContains("169.254.0.4/30", "169.254.0.8")).toBe(false);
    });
  });
});
