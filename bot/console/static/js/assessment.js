// The monthly assessment (月度考核): one row per agent (base, flags, merits, the clamped
// points, the adjustment, score, grade, months below in a row), one agent's entries
// explaining every point, merits and a reasoned adjustment (supervisors, admins), and
// the month as XLSX.
import { api, ApiError } from "./api.js";
import { $, dateTime, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";

const COLUMNS = ["base", "deductions", "additions", "delta", "adjustment", "score", "grade", "below_streak"];
const form = $("#month-form");
let items = [];
let chosen = null;

function month() {
  return form.elements.month.value;
}

function row(item) {
  return el(
    "tr",
    {
      tabindex: "0",
      dataset: { agentId: item.agent_id, grade: item.grade ?? "none" },
      class: item.agent_id === chosen ? "selected" : null,
      onclick: () => showAgent(item.agent_id),
      onkeydown: (event) => event.key === "Enter" && showAgent(item.agent_id),
    },
    el("th", { scope: "row" }, item.agent_id),
    ...COLUMNS.map((key) =>
      el("td", { dataset: { key } }, key === "grade" ? (item.grade ?? t("quality.no_grade")) : String(item[key])),
    ),
  );
}

function entry(e) {
  const sign = e.points > 0 ? `+${e.points}` : String(e.points);
  return el(
    "li",
    { class: `entry ${e.source}`, dataset: { source: e.source, id: e.id } },
    el("span", { class: "points" }, sign),
    el("span", { class: "small muted" }, ` ${dateTime(e.at)} · ${t(`assessment.source.${e.source}`)}`),
    e.category ? el("span", { class: "small" }, ` · ${e.category_name ?? e.category}`) : null,
    e.reason ? el("p", { class: "note" }, e.reason) : null,
  );
}

function showAgent(agentId) {
  chosen = agentId;
  const item = items.find((i) => i.agent_id === agentId);
  for (const node of document.querySelectorAll("#assessment-table tbody tr")) {
    node.classList.toggle("selected", node.dataset.agentId === agentId);
  }
  $("#agent-detail").hidden = !item;
  if (!item) return;
  $("#detail-title").textContent = t("assessment.detail", { agent: item.agent_id, month: item.month });
  $("#detail-summary").textContent = t("assessment.explained", {
    base: item.base,
    deductions: item.deductions,
    additions: item.additions,
    delta: item.delta,
    adjustment: item.adjustment,
    score: item.score,
  }) + (item.adjustment_reason ? ` · ${item.adjustment_reason}` : "");
  const entries = item.entries.map(entry);
  fill($("#detail-entries"), ...(entries.length ? entries : [el("li", { class: "muted" }, t("assessment.no_entries"))]));
  $("#adjust-form").elements.adjustment.value = String(item.adjustment);
}

async function load() {
  const data = await api(`/api/v1/assessment?month=${month()}`);
  items = data.items;
  const head = el("tr", {}, el("th", {}, t("assessment.col.agent")), ...COLUMNS.map((key) => el("th", {}, t(`assessment.col.${key}`))));
  fill($("#assessment-table"), el("thead", {}, head), el("tbody", {}, ...items.map(row)));
  $("#dl-assessment").href = `/api/v1/assessment/file?month=${month()}`;
  history.replaceState(null, "", `#${month()}`);
  showAgent(chosen ?? items[0]?.agent_id);
}

async function send(path, method, body) {
  const error = $("#detail-error");
  try {
    await api(path, { method, body });
    error.hidden = true;
    await load();
  } catch (failure) {
    error.hidden = false;
    error.textContent = failure instanceof ApiError ? failure.message : String(failure);
  }
}

$("#merit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const merit = event.target.elements;
  await send("/api/v1/merits", "POST", { agent_id: chosen, points: Number(merit.points.value), reason: merit.reason.value });
  merit.points.value = "";
  merit.reason.value = "";
});
$("#adjust-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const change = event.target.elements;
  const path = `/api/v1/assessment/${month()}/${encodeURIComponent(chosen)}`;
  await send(path, "PUT", { adjustment: Number(change.adjustment.value), reason: change.reason.value });
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
const limit = config.adjustment_limit;
Object.assign($("#adjust-form").elements.adjustment, { min: -limit, max: limit });
if (!["supervisor", "admin"].includes(config.role)) $(".detail-forms").hidden = true;
const asked = window.location.hash.slice(1);
form.elements.month.value = /^\d{4}-\d{2}$/.test(asked) ? asked : new Date().toISOString().slice(0, 7);
await load();
document.body.dataset.ready = "true";
