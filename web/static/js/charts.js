// Charts of an answer, drawn with the vendored ECharts (loaded only when a chart is shown). The
// lines come from the server (/api/market/chart/*: a price with its 50/200-day averages, symbols
// rebased to 100); sector bars are the cited sectors source's own figures. The page computes none.
// A chart is the JSON shape of copilot.research.report.Chart: {key, kind: "line"|"bar", title,
// unit, series: [{name, symbol, points: [{x, y}]}], sources: [n], note}.
import { h } from "./dom.js";
import { market } from "./api.js";
import { citeChip } from "./citations.js";
import { formatNumber } from "./format.js";

const LIBRARY = "/static/vendor/echarts/echarts.common.min.js";
const PRICE_TOOLS = new Set(["technicals", "quote", "price_history", "performance"]);
const live = new Set();
let loading = null;

/** The ECharts global, loading the library once (a same-origin script: the CSP allows it). */
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = LIBRARY;
      script.async = true;
      script.onload = () => resolve(window.echarts);
      script.onerror = () => { loading = null; reject(new Error("the chart library did not load")); };
      document.head.append(script);
    });
  }
  return loading;
}

const symbolsOf = (source) => source.arguments.symbols || (source.arguments.symbol ? [source.arguments.symbol] : []);

/**
 * Which chart an answer gets, from its cited sources (in order of first citation): a comparison of
 * returns -> symbols rebased to 100 from the period's start; a sector ranking -> bars; a price,
 * return or technicals of one symbol -> its price with the 50/200-day averages. Else null.
 */
export function chartPlan(sources, asOf) {
  for (const { n, source } of sources || []) {
    const day = source.arguments.as_of || asOf || null;
    const symbols = symbolsOf(source);
    if (source.tool === "performance" && symbols.length > 1) {
      return { kind: "relative", n, symbols, start: source.arguments.start || null, asOf: day };
    }
    if (source.tool === "sectors") return { kind: "sectors", n, source };
    if (PRICE_TOOLS.has(source.tool) && symbols.length === 1) return { kind: "price", n, symbol: symbols[0], asOf: day };
  }
  return null;
}

/** The bars of a cited sector ranking: its return facts, as the source holds them. */
export function sectorChart(source) {
  const facts = (source.facts || []).filter((f) => /^(price|total)_return_/.test(f.key));
  const period = String(source.arguments.period || "").toUpperCase();
  const day = source.arguments.as_of || source.as_of || "";
  return {
    key: "sectors", kind: "bar", title: `Sector returns, ${period}${day ? `, as of ${day}` : ""}`, unit: "%",
    series: [{ name: `${period} return`, symbol: null, points: facts.map((f) => ({ x: f.label, y: f.value })) }],
    sources: [], note: (source.details && source.details.return_kind) || "",
  };
}

/** The chart of a plan: fetched from the server, or built from the cited source. */
export async function loadChart(plan, signal) {
  let chart;
  if (plan.kind === "sectors") chart = sectorChart(plan.source);
  else if (plan.kind === "relative") chart = await market.relativeChart(plan.symbols, plan.start, plan.asOf, signal);
  else chart = await market.priceChart(plan.symbol, plan.asOf, signal);
  return { ...chart, sources: plan.n ? [plan.n] : chart.sources || [] };
}

function colors() {
  const style = getComputedStyle(document.documentElement);
  const get = (name) => style.getPropertyValue(name).trim();
  return {
    series: [1, 2, 3, 4, 5, 6].map((i) => get(`--chart-${i}`)),
    up: get("--chart-up"), down: get("--chart-down"), text: get("--text"), muted: get("--muted"),
    border: get("--border"), surface: get("--surface"),
  };
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const signed = (v) => `${v > 0 ? "+" : ""}${formatNumber(v)}`;

function tooltip(palette, chart) {
  // swatches by class: the CSP forbids the inline styles ECharts' default markers use
  return {
    trigger: "axis", className: "chart-tip", backgroundColor: palette.surface, borderColor: palette.border,
    textStyle: { color: palette.text }, confine: true,
    formatter: (items) => {
      const list = Array.isArray(items) ? items : [items];
      const head = chart.kind === "bar" ? list[0].name : String(list[0].value[0]).slice(0, 10);
      const rows = list.map((item) => {
        const value = chart.kind === "bar" ? item.value : item.value[1];
        const shown = chart.unit === "%" ? `${signed(value)}%` : formatNumber(value);
        return `<span class="swatch s${item.seriesIndex % 6}"></span>${escape(item.seriesName)}: <strong>${escape(shown)}</strong>`;
      });
      return `<b>${escape(head)}</b>${rows.join("<br>")}`;
    },
  };
}

function lineOptions(chart, palette) {
  const relative = chart.key === "relative";
  return {
    backgroundColor: "transparent", color: palette.series, animationDuration: 300,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    grid: { left: 6, right: 14, top: 34, bottom: 6, containLabel: true },
    legend: { top: 0, left: 0, icon: "roundRect", itemWidth: 14, itemHeight: 3, textStyle: { color: palette.muted } },
    tooltip: tooltip(palette, chart),
    xAxis: { type: "time", axisLine: { lineStyle: { color: palette.border } }, axisLabel: { color: palette.muted, hideOverlap: true }, splitLine: { show: false } },
    yAxis: { type: "value", scale: true, axisLabel: { color: palette.muted, formatter: (v) => formatNumber(v, relative ? 0 : 0) },
      splitLine: { lineStyle: { color: palette.border } } },
    series: chart.series.map((s, i) => ({
      name: s.name, type: "line", showSymbol: false, data: s.points.map((p) => [p.x, p.y]),
      lineStyle: { width: i === 0 || relative ? 2 : 1.4, type: i === 0 || relative ? "solid" : "dashed" },
      emphasis: { disabled: true },
      markLine: relative && i === 0 ? { silent: true, symbol: "none", label: { show: false },
        lineStyle: { color: palette.muted, type: "dotted" }, data: [{ yAxis: 100 }] } : undefined,
    })),
  };
}

function barOptions(chart, palette) {
  const points = chart.series[0].points;
  return {
    backgroundColor: "transparent", animationDuration: 300,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    grid: { left: 6, right: 52, top: 8, bottom: 6, containLabel: true },
    tooltip: { ...tooltip(palette, chart), axisPointer: { type: "shadow" } },
    xAxis: { type: "value", axisLabel: { color: palette.muted, formatter: (v) => `${v}%` }, splitLine: { lineStyle: { color: palette.border } } },
    yAxis: { type: "category", inverse: true, data: points.map((p) => p.x), axisTick: { show: false },
      axisLine: { lineStyle: { color: palette.border } }, axisLabel: { color: palette.text, width: 170, overflow: "truncate" } },
    series: [{
      name: chart.series[0].name, type: "bar", barMaxWidth: 18,
      data: points.map((p) => ({ value: p.y, itemStyle: { color: p.y >= 0 ? palette.up : palette.down, borderRadius: 3 },
        label: { position: p.y >= 0 ? "right" : "left" } })),
      label: { show: true, color: palette.muted, formatter: (item) => `${signed(item.value)}%` },
    }],
  };
}

/** What the chart shows, for screen readers (the figures it ends on, as the server gave them). */
function describe(chart) {
  if (chart.kind === "bar") {
    return `${chart.title}: ${chart.series[0].points.map((p) => `${p.x} ${signed(p.y)}%`).join(", ")}.`;
  }
  const ends = chart.series.filter((s) => s.points.length)
    .map((s) => `${s.name} ${formatNumber(s.points[s.points.length - 1].y)} on ${s.points[s.points.length - 1].x}`);
  return `${chart.title}. Last values: ${ends.join("; ")}.`;
}

/**
 * A chart card (title, cited sources, the drawing, its note) appended to `container`. Resolves to
 * {element, chart, dispose()} once drawn; the card shows a short message if the library fails.
 */
export async function renderChart(container, chart) {
  const canvas = h("div", { class: "chart-canvas", role: "img", "aria-label": describe(chart) });
  const card = h("figure", { class: `chart-card is-${chart.kind}`, dataset: { chart: chart.key } },
    h("figcaption", {},
      h("p", { class: "chart-title" }, h("strong", {}, chart.title), (chart.sources || []).map((n) => citeChip(n))),
      chart.note ? h("p", { class: "chart-note" }, chart.note) : null),
    canvas);
  container.append(card);
  const handle = { element: card, chart, instance: null, dispose() { live.delete(handle); handle.instance?.dispose(); observer.disconnect(); } };
  const observer = new ResizeObserver(() => handle.instance?.resize());
  try {
    const echarts = await loadECharts();
    draw(echarts, handle, canvas);
    observer.observe(canvas);
    live.add(handle);
  } catch (error) {
    canvas.replaceWith(h("p", { class: "chart-error" }, `The chart cannot be drawn: ${error.message}.`));
  }
  return handle;
}

function draw(echarts, handle, canvas) {
  handle.instance?.dispose();
  const palette = colors();
  handle.instance = echarts.init(canvas, null, { renderer: "canvas" });
  handle.instance.setOption(handle.chart.kind === "bar" ? barOptions(handle.chart, palette) : lineOptions(handle.chart, palette));
}

// dark mode follows the system: redraw every chart in the new colours
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
  if (!window.echarts) return;
  for (const handle of live) {
    if (handle.element.isConnected) draw(window.echarts, handle, handle.element.querySelector(".chart-canvas"));
    else handle.dispose();
  }
});
