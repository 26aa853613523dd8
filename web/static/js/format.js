// Display of values the server computed: a fact with its unit and precision, dates. Nothing here
// computes a figure; it only writes one as copilot/formatting.py does ($261.56, 5.73%, 19.24x, 24.97M).

const grouped = (value, digits) =>
  Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A fact's value as the answers write it. */
export function formatFact(fact) {
  const { value, unit } = fact;
  const digits = Number.isInteger(fact.precision) ? fact.precision : 2;
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value);
  const sign = value < 0 ? "-" : "";
  switch (unit) {
    case "USD": return `${sign}$${grouped(value, digits)}`;
    case "%": return `${value.toFixed(digits)}%`;
    case "x": return `${sign}${grouped(value, digits)}x`;
    case "shares": return compact(value, digits);
    default: return `${sign}${grouped(value, digits)}`;
  }
}

function compact(value, digits) {
  const size = Math.abs(value);
  for (const [threshold, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]) {
    if (size >= threshold) return `${value < 0 ? "-" : ""}${grouped(value / threshold, digits)}${suffix}`;
  }
  return `${value < 0 ? "-" : ""}${grouped(value, 0)}`;
}

/** A chart axis or tooltip value (two decimals, grouped). */
export function formatNumber(value, digits = 2) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return (value < 0 ? "-" : "") + grouped(value, digits);
}

/** "2026-01-09" -> "Jan 9, 2026" (dates without a time zone stay on their day). */
export function formatDay(iso) {
  if (!iso) return "";
  const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return String(iso);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-US", { timeZone: "UTC", month: "short", day: "numeric", year: "numeric" });
}

/** A timestamp as a short local date and time. */
export function formatWhen(iso) {
  if (!iso) return "never";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso)
    : date.toLocaleString("en-US", { month: "short", day: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit" });
}
