// The complaints board (投诉登记): register a complaint from a conversation, then each
// card moves open -> acknowledged -> resolved (a supervisor's approval) -> followed up,
// its deadline shown and marked once late. Refreshed every few seconds.
import { api, ApiError } from "./api.js";
import { $, dateTime, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";

const SUPERVISORS = new Set(["supervisor", "admin"]);
const HANDLERS = new Set(["agent", "supervisor", "group_leader", "admin"]);

function failed(node, error) {
  node.hidden = false;
  node.textContent = error instanceof ApiError ? error.message : String(error);
}

/** The step a card offers next, if this role may take it: [action, field or null]. */
function nextStep(c) {
  if (c.status === "open" && HANDLERS.has(config.role)) return ["acknowledge", null];
  if (["open", "acknowledged"].includes(c.status) && SUPERVISORS.has(config.role)) return ["resolve", "resolution"];
  if (c.status === "resolved" && HANDLERS.has(config.role)) return ["follow-up", "note"];
  return null;
}

function stepForm(c) {
  const found = nextStep(c);
  if (!found) return null;
  const [action, field] = found;
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const input = field ? el("textarea", { name: field, rows: 2, required: true, maxlength: 5000 }) : null;
  const form = el(
    "form",
    { class: "step", dataset: { action } },
    input ? el("label", {}, t(`complaints.${field}`), input) : null,
    el("button", { type: "submit" }, t(`complaints.action.${action}`)),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const body = input ? { [field]: input.value } : undefined;
      await api(`/api/v1/complaints/${c.id}/${action}`, { method: "POST", body });
      await load();
    } catch (failure) {
      failed(error, failure);
    }
  });
  return form;
}

function deadline(c) {
  const due = { open: c.acknowledge_by, acknowledged: c.resolve_by, resolved: c.follow_up_by }[c.status];
  if (!due) return null;
  const late = c.overdue.length > 0;
  return el(
    "div",
    { class: `due small ${late ? "late" : ""}`, dataset: { overdue: c.overdue.join(" ") } },
    late ? t("complaints.late", { steps: c.overdue.map((s) => t(`complaints.step.${s}`)).join(", ") }) : t("complaints.due", { at: dateTime(due) }),
  );
}

function card(c) {
  return el(
    "li",
    { class: "card", dataset: { complaintId: c.id, status: c.status } },
    el("div", { class: "row" }, el("span", { class: "badge" }, c.category), el("strong", {}, c.conversation_id), el("span", { class: "small muted" }, c.agent_id ?? t("unassigned"))),
    el("p", { class: "note" }, c.summary),
    c.resolution ? el("p", { class: "note resolution" }, `${t("complaints.resolution")}: ${c.resolution} · ${c.resolved_by}`) : null,
    c.follow_up_note ? el("p", { class: "note" }, `${t("complaints.note")}: ${c.follow_up_note}`) : null,
    el("div", { class: "small muted" }, `${dateTime(c.created_at)} · ${c.created_by}`),
    deadline(c),
    stepForm(c),
  );
}

async function load() {
  const data = await api("/api/v1/complaints?limit=500");
  for (const column of document.querySelectorAll(".board .column")) {
    const mine = data.items.filter((c) => c.status === column.dataset.status);
    column.querySelector(".count").textContent = `(${mine.length})`;
    const open = column.querySelector("textarea:focus");
    if (!open) fill(column.querySelector(".cards"), ...mine.map(card));
  }
}

const register = $("#register");
if (!HANDLERS.has(config.role)) register.hidden = true;
register.addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = register.elements;
  const body = { conversation_id: fields.conversation_id.value.trim(), category: fields.category.value, summary: fields.summary.value };
  try {
    await api("/api/v1/complaints", { method: "POST", body });
    fields.summary.value = "";
    $("#register-error").hidden = true;
    await load();
  } catch (failure) {
    failed($("#register-error"), failure);
  }
});
const asked = new URLSearchParams(window.location.search).get("conversation");
if (asked) register.elements.conversation_id.value = asked;
await load();
setInterval(() => document.visibilityState === "visible" && load(), 5000);
document.body.dataset.ready = "true";
