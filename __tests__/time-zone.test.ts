/**
 * CronJob time zones are checked as Kubernetes checks them: Go's time.LoadLocation, which only
 * knows the tz database's names, spelt exactly.
 */
import { knownTimeZones, timeZoneProblem } from "../lib/config/maintenance/time-zone";

describe("time zones Kubernetes accepts", () => {
  it.each([
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "Etc/UTC",
    "GMT",
    "Etc/GMT+5",
    "Etc/GMT-14",
    "Asia/Kolkata",
    "Asia/Calcutta", // a backward-compatibility link
    "US/Eastern",
    "Europe/Kyiv",
    "Europe/Kiev",
    "America/Argentina/Buenos_Aires",
    "America/Port-au-Prince",
    "America/Argentina/ComodRivadavia", // a 14-character part, the most Kubernetes allows
    "Antarctica/DumontDUrville",
    "Africa/Dar_es_Salaam",
    "EST5EDT",
    "GB-Eire",
    "Pacific/Kanton",
  ])("%s", (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });
});

describe("time zones Kubernetes refuses", () => {
  it.each([
    ["europe/berlin", "names are case-sensitive, did you mean Europe/Berlin?"],
    ["EUROPE/BERLIN", "did you mean Europe/Berlin?"],
    ["us/eastern", "did you mean US/Eastern?"],
    ["utc", "did you mean UTC?"],
    ["etc/utc", "did you mean Etc/UTC?"],
    ["America/New_york", "did you mean America/New_York?"],
    ["Europe/Berln", 'unknown time zone "Europe/Berln": did you mean Europe/Berlin?'],
    ["Europe/Berlin ", "did you mean Europe/Berlin?"],
    ["Local", 'timeZone "Local" is refused by Kubernetes'],
    ["local", 'timeZone "local" is refused by Kubernetes'],
    ["", "timeZone is empty"],
    ["Mars/Olympus_Mons", "use an IANA name such as Europe/Berlin or UTC"],
    ["Factory", "unknown time zone"], // loads in Go, but names no place and Intl refuses it
    ["posixrules", "unknown time zone"], // only on hosts with a zoneinfo directory that has it
    ["Etc/GMT+15", "unknown time zone"],
    ["+01:00", "unknown time zone"],
    ["Europe/../Europe/Berlin", "unknown time zone"],
    ["/Europe/Berlin", "unknown time zone"],
  ])("%j: %s", (zone, message) => {
    expect(timeZoneProblem(zone)).toContain(message);
  });
});

describe("the names accepted", () => {
  const names = knownTimeZones();

  it("are the tz database's ~600 names, each accepted", () => {
    expect(names.length).toBeGreaterThan(590);
    for (const name of names) expect([name, timeZoneProblem(name)]).toEqual([name, undefined]);
  });

  it("include every zone Intl lists, spelt as listed", () => {
    // A newer Node whose ICU lists a zone missing here means the tz list wants refreshing.
    const known = new Set(names);
    expect(Intl.supportedValuesOf("timeZone").filter((zone) => !known.has(zone))).toEqual([]);
  });

  it("all pass Kubernetes' own name rule (validation.go validTimeZoneCharacters)", () => {
    const part = /^[A-Za-z.\-_0-9+]{1,14}$/;
    const bad = names.filter((name) =>
      name.split("/").some((p) => p === "." || p === ".." || p.startsWith("-") || !part.test(p)),
    );
    expect(bad).toEqual([]);
  });

  it("never differ only by case, so a case-only suggestion is unambiguous", () => {
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
  });

  it("refuse every other spelling of an accepted name", () => {
    for (const name of names) {
      for (const variant of [name.toLowerCase(), name.toUpperCase()]) {
        if (variant !== name) expect(timeZoneProblem(variant)).toContain(`did you mean ${name}?`);
      }
    }
  });
});
