// Reports: pick a day, week, month, quarter or year; the team and agent KPI tables with the manuals'
// bands, one team row per day, the two charts, and the report files to download.
import { api } from "./api.js";
import { $, el, fill } from "./dom.js";
import { t } from "./i18n.js";

const form = $("#period");
const COLUMNS = [
  ["customers_received", "kpi.customers", (v) => v],
  ["customers_replied", "kpi.replied.short", (v) => v],
  ["reply_rate", "kpi.reply_rate", (v) => (v == null ? "–" : `${(100 * v).toFixed(1)} %`)],
  ["response_seconds_avg", "kpi.response_avg", (v) => (v == null ? "–" : v.toFixed(1))],
  ["response_seconds_p90", "kpi.response_p90", (v) => (v == null ? "–" : v.toFixed(1))],
  ["sla_compliance", "kpi.sla", (v) => (v == null ? "–" : `${(100 * v).toFixed(1)} %`)],
  ["slow", "kind.reply.slow", (v) => v],
  ["unanswered", "kind.message.unanswered", (v) => v],
  ["forbidden_phrase", "kind.reply.forbidden_phrase", (v) => v],
  ["qa_points", "kpi.qa_points", (v) => v],
  ["csat_average", "kpi.csat_average", (v) => (v == null ? "–" : v.toFixed(2))],
  ["csat_satisfied_rate", "kpi.csat_satisfied", (v) => (v == null ? "–" : `${(100 * v).toFixed(1)} %`)],
];
const band = (points) => (points == null ? "" : points >= 100 ? "good" : points > 0 ? "fair" : "poor");

function header(first) {
  return el("thead", {}, el("tr", {}, el("th", {}, first), ...COLUMNS.map(([, key]) => el("th", {}, t(key))), el("th", {}, t("kpi.score"))));
}

function row(label, figures, cls = "") {
  const cells = COLUMNS.map(([field, , show]) => {
    const extra = field === "reply_rate" ? band(figures.scores.reply_rate) : field === "response_seconds_avg" ? band(figures.scores.response) : "";
    return el("td", { class: extra, dataset: { field } }, show(figures[field]));
  });
  const total = figures.scores.total;
  return el("tr", { class: cls }, el("th", {}, label), ...cells, el("td", { dataset: { field: "score" } }, total == null ? "–" : Math.round(total)));
}

async function show(event) {
  event?.preventDefault();
  const params = new URLSearchParams({ period: form.elements.period.value, date: form.elements.date.value });
  window.history.replaceState(null, "", `#${params}`);
  const data = await api(`/api/v1/kpis?${params}&by=day`);
  $("#range").textContent = t("reports.range", { from: data.from, to: data.to, tz: data.timezone });
  fill($("#agents-table"), header(t("reports.agent")), el("tbody", {}, row(t("reports.team"), data.team, "team"), ...data.agents.map((a) => row(a.agent_id, a))));
  const days = data.days ?? [];
  $("#days-block").hidden = form.elements.period.value === "day";
  fill($("#days-table"), header(t("reports.date")), el("tbody", {}, ...days.map((d) => row(d.date, d.team))));
  for (const chart of ["response", "hourly"]) $(`#chart-${chart}`).src = `/api/v1/reports/chart?${params}&chart=${chart}`;
  for (const format of ["csv", "xlsx", "html"]) $(`#dl-${format}`).href = `/api/v1/reports/file?${params}&format=${format}`;
}

const saved = new URLSearchParams(window.location.hash.slice(1));
form.elements.period.value = saved.get("period") ?? "day";
form.elements.date.value = saved.get("date") ?? new Date().toLocaleDateString("sv");
form.addEventListener("submit", show);
await show();
document.body.dataset.ready = "true";
