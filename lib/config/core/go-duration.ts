/**
 * Go's time.ParseDuration, which Distribution (proxy.ttl, http.draintimeout, ...) and
 * Prometheus (scrape intervals, through prometheus/common model.ParseDuration's time.Duration)
 * parse durations with: a duration Go refuses, or one past its largest value
 * (2562047h47m16.854775807s, int64 nanoseconds), stops the consumer.
 */

/** time.ParseDuration's unit table (go/src/time/format.go:1506-1515). */
const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n], // U+00B5 micro sign
  ["\u03bcs", 1_000n], // U+03BC Greek mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);
const TWO_63 = 2n ** 63n;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/**
 * Whether Go's time.ParseDuration accepts `text` (go/src/time/format.go:1455-1620, Go 1.19; the
 * rules are unchanged in later releases): [-+]? then one or more of `digits[.digits] unit`, or "0".
 */
export function goParseDurationAccepts(text: string): boolean {
  let s = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  if (s === "0") return true;
  if (s === "") return false;
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) return false;
    // leadingInt: digits, erroring past 1<<63.
    let i = 0;
    let whole = 0n;
    for (; isDigit(s[i]); i++) {
      if (whole > TWO_63 / 10n) return false;
      whole = whole * 10n + BigInt(s[i]);
      if (whole > TWO_63) return false;
    }
    const pre = i > 0;
    s = s.slice(i);
    // leadingFraction: digits after ".", silently dropping precision past int64.
    let fraction = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (fraction > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + BigInt(s[j]);
        if (next > TWO_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return false;
    // The unit runs up to the next "." or digit and must be in the table exactly.
    let k = 0;
    while (k < s.length && s[k] !== "." && !isDigit(s[k])) k++;
    if (k === 0) return false;
    const unit = DURATION_UNITS.get(s.slice(0, k));
    s = s.slice(k);
    if (unit === undefined) return false;
    if (whole > TWO_63 / unit) return false;
    let value = whole * unit;
    if (fraction > 0n) {
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > TWO_63) return false;
    }
    total += value;
    if (total > TWO_63) return false;
  }
  const negative = text.startsWith("-");
  return negative || total <= TWO_63 - 1n;
}

/** Go's largest duration in whole seconds (int64 nanoseconds). */
export const GO_DURATION_MAX_SECONDS = (TWO_63 - 1n) / 1_000_000_000n;
