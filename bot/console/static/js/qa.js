// The QA desk: the flag queue (filters: status, kind, agent, day), the flagged
// conversation's transcript with each turn's response time, tier and alerts, and the
// review (confirm / dismiss with a category, a note and points), all from the keyboard;
// appeals decided and manual flags raised through qa-flagging.js.
import { api, ApiError } from "./api.js";
import { $, clockTime, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";
import { appealSummary, categorySelect, decisionForm, manualFlagForm, show } from "./qa-flagging.js";
import { showTranscript } from "./transcript.js";

const filters = $("#filters");
const review = $("#review");
let flags = [];
let current = null;

function query() {
  const form = new FormData(filters);
  const params = new URLSearchParams({ limit: "200" });
  for (const name of ["status", "kind", "agent_id"]) {
    const value = String(form.get(name) ?? "").trim();
    if (value) params.set(name, value);
  }
  const day = String(form.get("date") ?? "");
  if (day) {
    const start = new Date(`${day}T00:00:00`);
    params.set("since", String(start.getTime() / 1000));
    params.set("until", String(start.getTime() / 1000 + 86_400));
  }
  return params;
}

async function loadFlags(keep = null) {
  const data = await api(`/api/v1/flags?${query()}`);
  flags = data.items;
  $("#queue-count").textContent = `(${flags.length})`;
  $("#queue-empty").hidden = flags.length > 0;
  fill($("#flags"), ...flags.map(flagRow));
  const again = flags.find((f) => f.id === keep);
  if (again) mark(again);
}

function flagRow(flag) {
  const seconds = flag.response_seconds ?? flag.waited_seconds;
  return el(
    "li",
    {
      class: `flag ${flag.status}`,
      tabindex: "0",
      dataset: { flagId: flag.id, conversationId: flag.conversation_id, kind: flag.kind },
      onclick: () => open(flag),
      onkeydown: (event) => event.key === "Enter" && open(flag),
    },
    el("div", { class: "row" }, el("span", { class: "conversation-id" }, flag.conversation_id), el("span", { class: "badge", dataset: { kind: flag.kind } }, t(`kind.${flag.kind}`))),
    el(
      "div",
      { class: "row small muted" },
      flag.agent_id ?? t("unassigned"),
      " · ",
      clockTime(flag.at),
      seconds != null ? ` · ${t("qa.waited", { seconds: Math.round(seconds) })}` : "",
      flag.review ? ` · ${t(`qa.verdict.${flag.review.verdict}`)} ${flag.review.points ?? ""}` : "",
    ),
  );
}

function mark(flag) {
  current = flag;
  for (const node of document.querySelectorAll("#flags .flag")) {
    node.classList.toggle("selected", node.dataset.flagId === String(flag.id));
  }
}

/** Who may raise a manual flag (the API's roles). */
const FLAGGERS = new Set(["qa", "supervisor", "admin"]);

async function open(flag) {
  mark(flag);
  const pane = $("#transcript-pane");
  const transcript = await showTranscript(pane, flag.conversation_id, flag.channel, flag.message_id);
  $("#review-error").hidden = true;
  const manual = FLAGGERS.has(config.role)
    ? manualFlagForm(pane, transcript, async (made) => {
        await loadFlags(current?.id);
        $("#manual-pane").dataset.made = String(made.id);
      })
    : null;
  show($("#manual-pane"), manual);
  show($("#appeal-pane"), flag.status === "appealed" ? decisionForm(flag, () => reopen(flag.id)) : null);
  review.hidden = flag.status !== "open";
  const done = $("#review-done");
  done.hidden = flag.status !== "reviewed";
  if (flag.status === "reviewed") {
    fill(
      done,
      el("strong", {}, t(`qa.verdict.${flag.review.verdict}`)),
      ` · ${t("qa.points")}: ${flag.counted_points ?? "–"} · ${flag.review.reviewer} · ${clockTime(flag.review.reviewed_at)}`,
      flag.category_name ? el("p", { class: "small" }, flag.category_name) : null,
      flag.review.note ? el("p", {}, flag.review.note) : null,
      appealSummary(flag.appeal),
    );
  }
  if (flag.status !== "open") return;
  fill($("#review-flag"), el("span", { class: "badge", dataset: { kind: flag.kind } }, t(`kind.${flag.kind}`)), ` ${flag.conversation_id} · ${flag.agent_id ?? t("unassigned")}`, flag.note ? el("p", { class: "note" }, flag.note) : null);
  review.elements.category.replaceWith(categorySelect("category", flag.category));
  review.elements.category.id = "review-category";
  review.elements.category.addEventListener("change", () => {
    const chosen = config.qa_categories.find((c) => c.id === review.elements.category.value);
    review.elements.points.value = String(chosen?.points ?? 0);
  });
  review.elements.note.value = "";
  review.elements.points.value = String(flag.default_points ?? 0);
}

async function reopen(flagId) {
  await loadFlags(flagId);
  const again = flags.find((f) => f.id === flagId) ?? (await api(`/api/v1/flags/${flagId}`));
  await open(again);
}

async function decide(verdict) {
  if (!current || current.status !== "open") return;
  const points = review.elements.points.value;
  const body = { verdict, note: review.elements.note.value.trim() || null };
  const category = review.elements.category.value;
  if (category && category !== current.category) body.category = category;
  if (verdict === "confirmed" && points !== "") body.points = Number(points);
  try {
    await api(`/api/v1/flags/${current.id}/review`, { method: "POST", body });
  } catch (error) {
    $("#review-error").hidden = false;
    $("#review-error").textContent = error instanceof ApiError ? error.message : String(error);
    return;
  }
  const at = flags.findIndex((f) => f.id === current.id);
  await loadFlags();
  const next = flags.slice(Math.max(0, at)).find((f) => f.status === "open") ?? flags.find((f) => f.status === "open");
  if (next) await open(next);
  else {
    review.hidden = true;
    current = null;
  }
}

function step(by) {
  const at = flags.findIndex((f) => f.id === current?.id);
  const next = flags[Math.min(flags.length - 1, Math.max(0, at + by))];
  if (next) open(next);
}

for (const button of review.querySelectorAll("[data-verdict]")) {
  button.addEventListener("click", () => decide(button.dataset.verdict));
}
filters.addEventListener("change", () => loadFlags());
filters.addEventListener("submit", (event) => event.preventDefault());
document.addEventListener("keydown", (event) => {
  if (["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement?.tagName)) {
    if (event.key === "Escape") document.activeElement.blur();
    return;
  }
  if (event.key === "j" || event.key === "ArrowDown") step(1);
  else if (event.key === "k" || event.key === "ArrowUp") step(-1);
  else if (event.key === "c") decide("confirmed");
  else if (event.key === "d") decide("dismissed");
  else if (event.key === "n") {
    event.preventDefault();
    review.elements.note.focus();
  }
});

await loadFlags();
const wanted = decodeURIComponent(window.location.hash.slice(1));
const first = flags.find((f) => f.conversation_id === wanted) ?? null;
if (first) await open(first);
document.body.dataset.ready = "true";
