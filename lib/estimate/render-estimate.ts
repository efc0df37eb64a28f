import { PRICE_REGION, PRICE_TABLE_DATE } from "./price-table";
import type { StackEstimate } from "./cost-estimate";

const usd = (value: number) => `$${value.toFixed(2)}`;

/** Says so when the environment runs in regions other than the one the price table is for. */
function regionNote(estimates: readonly StackEstimate[]): string[] {
  const regions = [...new Set(estimates.flatMap((estimate) => estimate.regions))].sort();
  if (regions.every((region) => region === PRICE_REGION)) return [];
  return [
    `Prices are ${PRICE_REGION} list prices; this environment uses ${regions.join(", ")}: real prices differ by region.`,
  ];
}

/** The estimate as the terminal shows it: per stack, its billable items, total and deploy time. */
export function renderEstimate(estimates: readonly StackEstimate[]): string {
  const lines: string[] = [];
  for (const estimate of estimates) {
    lines.push(
      `${estimate.stack}: ${usd(estimate.monthly)}/month, first deploy about ${Math.round(estimate.deployMinutes)} min`,
    );
    for (const item of estimate.items) {
      const price = item.monthly === undefined ? "not in the price table" : usd(item.monthly);
      lines.push(`  ${item.what.padEnd(48)} ${item.quantity.padEnd(22)} ${price}`);
    }
    if (estimate.items.length === 0) {
      lines.push("  nothing billed by Google Cloud beyond the clusters it runs on");
    }
  }
  const total = estimates.reduce((sum, estimate) => sum + estimate.monthly, 0);
  const minutes = estimates.reduce((sum, estimate) => sum + estimate.deployMinutes, 0);
  lines.push(
    `Total: ${usd(total)}/month at list prices of ${PRICE_TABLE_DATE} (${PRICE_REGION}, on-demand, before free tiers, traffic and storage growth), deploying the stacks in order takes about ${Math.round(minutes)} min.`,
    ...regionNote(estimates),
    "Check current prices with https://cloud.google.com/products/calculator; the table is lib/estimate/price-table.ts.",
  );
  return `${lines.join("\n")}\n`;
}
