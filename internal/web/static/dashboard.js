// The dashboard: volumes over time, categories, languages, platforms,
// time to decision and to action, dismiss rate per category. Charts are
// drawn by Chart.js (vendor/, MIT), loaded only on this page; every chart
// also has its figures as a table for screen readers.
import { t, name, num, percent, duration, loc, prefs } from "./i18n.js";
import { el, date } from "./dom.js";
import { api } from "./api.js";
import { registerPage, ticket } from "./shell.js";

let loading;
function chartLib() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ||= new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "vendor/chart.umd.min.js";
    s.onload = () => resolve(window.Chart);
    s.onerror = () => { loading = null; reject(new Error("chart library")); };
    document.head.append(s);
  });
  return loading;
}

const COLOURS = ["#0b6e4f", "#b3261e", "#8a5200", "#1a56a6", "#6b3fa0", "#55606e", "#a0522d", "#2f7d8c"];
let charts = [];

// figure is a chart with its caption and its data as a table.
function figure(id, caption, heads, rows) {
  const canvas = el("canvas", { id: "chart-" + id, role: "img", "aria-label": caption });
  return {
    canvas,
    node: el("figure", { class: "chart", id: "fig-" + id }, el("figcaption", {}, caption), el("div", { class: "chart-box" }, canvas),
      el("details", {}, el("summary", {}, t("chart_data")), el("table", { class: "rows" },
        el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c)))))))),
  };
}

function kpi(label, d) {
  return el("div", { class: "kpi" }, el("span", { class: "kpi-label" }, label),
    el("strong", {}, d.n ? duration(d.median_seconds) : "—"),
    el("span", { class: "meta" }, d.n ? t("median_p90", { p90: duration(d.p90_seconds), n: num(d.n) }) : t("no_data")));
}

registerPage("dashboard", {
  nav: "nav.dashboard",
  async render(view, params) {
    const stale = ticket();
    const days = [7, 30, 90].includes(Number(params.get("days"))) ? Number(params.get("days")) : 30;
    const [d, Chart] = await Promise.all([api("GET", "/v1/dashboard?days=" + days), chartLib()]);
    if (stale()) return;
    charts.forEach((c) => c.destroy());
    charts = [];
    const period = el("select", { id: "dash-days" }, ...[7, 30, 90].map((n) => el("option", { value: n, selected: n === days }, t("last_days", { n: num(n) }))));
    period.addEventListener("change", () => { location.hash = "#/dashboard?days=" + period.value; });
    const dayLabel = (s) => date(s + "T12:00:00Z", { day: "numeric", month: "short" }).textContent;
    const volumes = figure("volumes", t("chart_volumes"), [t("day"), t("posts"), t("cases"), t("decisions")],
      d.days.map((x) => [dayLabel(x.day), num(x.posts), num(x.cases), num(x.decisions)]));
    const bar = (id, caption, items, label) => figure(id, caption, [t("what"), t("count")], items.map((x) => [label(x.key), num(x.n)]));
    const cats = bar("categories", t("chart_categories"), d.categories, (k) => name("cat", k));
    const langs = bar("languages", t("chart_languages"), d.languages, (k) => name("lang", k || "und"));
    const plats = bar("platforms", t("chart_platforms"), d.platforms, (k) => k);
    const dismiss = figure("dismiss", t("chart_dismiss"), [t("filter_category"), t("decisions"), t("dismissed"), t("rate")],
      d.dismissals.map((x) => [name("cat", x.category), num(x.decisions), num(x.dismissed), percent(x.rate)]));
    view.append(el("div", { class: "dash-head" }, el("h2", {}, t("nav.dashboard")), el("label", { for: "dash-days" }, t("period")), period,
      el("span", { class: "meta" }, date(d.since, { dateStyle: "medium" }), " – ", date(new Date(new Date(d.until) - 1).toISOString(), { dateStyle: "medium" }))),
      el("div", { class: "kpis" }, kpi(t("time_to_decision"), d.to_decision), kpi(t("time_to_action"), d.to_action)),
      el("div", { class: "charts" }, volumes.node, cats.node, langs.node, plats.node, dismiss.node));

    const rtl = prefs.lang === "ar";
    const common = { locale: loc(), animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { rtl, labels: { boxWidth: 12 } } } };
    const numAxis = { beginAtZero: true, ticks: { precision: 0 } };
    // Long category names are cut on the axis (the table has them whole).
    const short = function (v) { const l = String(this.getLabelForValue(v)); return l.length > 22 ? l.slice(0, 21) + "…" : l; };
    charts.push(new Chart(volumes.canvas, { type: "line", data: { labels: d.days.map((x) => dayLabel(x.day)), datasets: [
      { label: t("posts"), data: d.days.map((x) => x.posts), borderColor: COLOURS[3], backgroundColor: COLOURS[3], tension: 0.2 },
      { label: t("cases"), data: d.days.map((x) => x.cases), borderColor: COLOURS[0], backgroundColor: COLOURS[0], tension: 0.2 },
      { label: t("decisions"), data: d.days.map((x) => x.decisions), borderColor: COLOURS[2], backgroundColor: COLOURS[2], tension: 0.2 }] },
    options: { ...common, scales: { x: { reverse: rtl }, y: { ...numAxis, position: rtl ? "right" : "left" } } } }));
    const barChart = (f, items, label) => new Chart(f.canvas, { type: "bar", data: { labels: items.map((x) => label(x.key)),
      datasets: [{ label: t("count"), data: items.map((x) => x.n), backgroundColor: items.map((_, i) => COLOURS[i % COLOURS.length]) }] },
    options: { ...common, indexAxis: "y", plugins: { ...common.plugins, legend: { display: false } }, scales: { x: { ...numAxis, reverse: rtl }, y: { position: rtl ? "right" : "left", ticks: { callback: short } } } } });
    charts.push(barChart(cats, d.categories, (k) => name("cat", k)), barChart(langs, d.languages, (k) => name("lang", k || "und")), barChart(plats, d.platforms, (k) => k));
    charts.push(new Chart(dismiss.canvas, { type: "bar", data: { labels: d.dismissals.map((x) => name("cat", x.category)),
      datasets: [{ label: t("rate"), data: d.dismissals.map((x) => Math.round(x.rate * 100)), backgroundColor: COLOURS[1] }] },
    options: { ...common, indexAxis: "y", plugins: { ...common.plugins, legend: { display: false } },
      scales: { x: { min: 0, max: 100, reverse: rtl, ticks: { callback: (v) => percent(v / 100) } }, y: { position: rtl ? "right" : "left", ticks: { callback: short } } } } }));
  },
});
