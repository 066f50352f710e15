// Today's figures on the supervisors' wall: the team strip with the manuals' bands, and
// an agent's drill-down from a figure to the conversations behind it.
import { api } from "./api.js";
import { now } from "./clock.js";
import { clockTime, el, fill } from "./dom.js";
import { t } from "./i18n.js";

const pct = (value) => (value == null ? "–" : `${(100 * value).toFixed(1)} %`);
const secs = (value) => (value == null ? "–" : `${value.toFixed(1)} ${t("unit.seconds")}`);
const points = (value) => (value == null ? "" : t("wall.points", { points: Math.round(value) }));

function tile(label, value, extra = "", kind = "") {
  return el("div", { class: `tile ${kind}` }, el("div", { class: "label" }, label), el("div", { class: "value" }, value), extra ? el("div", { class: "extra" }, extra) : null);
}

/** The team's figures today, with band points (refreshed by the caller). */
export async function kpiStrip(root) {
  const data = await api("/api/v1/kpis");
  const team = data.team;
  const band = (p) => (p == null ? "" : p >= 100 ? "good" : p > 0 ? "fair" : "poor");
  fill(
    root,
    tile(t("kpi.customers"), String(team.customers_received), t("kpi.replied", { n: team.customers_replied })),
    tile(t("kpi.reply_rate"), pct(team.reply_rate), points(team.scores.reply_rate), band(team.scores.reply_rate)),
    tile(t("kpi.response_avg"), secs(team.response_seconds_avg), points(team.scores.response), band(team.scores.response)),
    tile(t("kpi.sla"), pct(team.sla_compliance)),
    tile(t("kpi.overdue"), String(team.overdue)),
    tile(t("kpi.unanswered"), String(team.unanswered), "", team.unanswered ? "poor" : ""),
  );
}

const DRILLS = [
  ["slow", "reply.slow"],
  ["overdue", "reply.overdue"],
  ["unanswered", "message.unanswered"],
  ["forbidden_phrase", "reply.forbidden_phrase"],
];

/** The agent's figures today; clicking one lists the conversations behind it. */
export async function drillDown(agent, openConversation) {
  const dialog = document.getElementById("drill");
  document.getElementById("drill-title").textContent = agent.name || agent.agent_id;
  fill(document.getElementById("drill-list"));
  fill(document.getElementById("drill-transcript"));
  const today = agent.today ?? {};
  const figures = DRILLS.map(([field, kind]) =>
    el(
      "button",
      { type: "button", class: "tile link", dataset: { kind }, onclick: () => listAlerts(agent.agent_id, kind, openConversation) },
      el("div", { class: "label" }, t(`kind.${kind}`)),
      el("div", { class: "value" }, String(today[field] ?? 0)),
    ),
  );
  const waiting = el("button", { type: "button", class: "tile link", onclick: () => listWaiting(agent, openConversation) }, el("div", { class: "label" }, t("wall.waiting")), el("div", { class: "value" }, String(agent.waiting.length)));
  fill(document.getElementById("drill-figures"), waiting, ...figures);
  dialog.showModal();
}

function conversationLink(conversationId, channel, messageId, label, openConversation) {
  return el("li", {}, el("button", { type: "button", class: "link", dataset: { conversationId }, onclick: () => openConversation(conversationId, channel, messageId) }, conversationId), label);
}

async function listAlerts(agentId, kind, openConversation) {
  const midnight = new Date(now());
  midnight.setHours(0, 0, 0, 0);
  const params = new URLSearchParams({ kind, agent_id: agentId, since: String(midnight.getTime() / 1000), limit: "100" });
  const data = await api(`/api/v1/alerts?${params}`);
  const rows = data.items.map((a) => conversationLink(a.conversation_id, a.channel, a.message_id, ` · ${clockTime(a.at)}`, openConversation));
  fill(document.getElementById("drill-list"), el("ul", { class: "drill-list" }, ...(rows.length ? rows : [el("li", { class: "muted" }, t("wall.none"))])));
}

function listWaiting(agent, openConversation) {
  const rows = agent.waiting.map((w) => conversationLink(w.conversation_id, w.channel, w.message_id, ` · ${clockTime(w.since)}`, openConversation));
  fill(document.getElementById("drill-list"), el("ul", { class: "drill-list" }, ...(rows.length ? rows : [el("li", { class: "muted" }, t("wall.none"))])));
}
