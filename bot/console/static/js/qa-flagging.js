// The QA desk's second half of the loop: deciding an agent's appeal (upheld /
// overturned, with a note) and flagging what no alert caught, from the transcript (pick
// a message, a category and a note).
import { api, ApiError } from "./api.js";
import { dateTime, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";

function failed(node, error) {
  node.hidden = false;
  node.textContent = error instanceof ApiError ? error.message : String(error);
}

/** The category <select>, the flag's own (or ``selected``) chosen. */
export function categorySelect(name, selected = null) {
  return el(
    "select",
    { name },
    ...config.qa_categories.map((c) =>
      el("option", { value: c.id, selected: c.id === selected }, `${c.name} (${c.points})`),
    ),
  );
}

/** What an appeal says and, once decided, its decision. */
export function appealSummary(appeal) {
  if (!appeal) return null;
  const decided = appeal.decision
    ? `${t(`quality.decision.${appeal.decision}`)} · ${appeal.decided_by} · ${dateTime(appeal.decided_at)}`
    : t("quality.appeal_waiting");
  return el(
    "div",
    { class: "appeal", dataset: { decision: appeal.decision ?? "waiting" } },
    el("div", { class: "small" }, `${t("quality.appealed")} ${dateTime(appeal.at)} · ${decided}`),
    el("p", { class: "note" }, appeal.reason),
    appeal.note ? el("p", { class: "note muted" }, appeal.note) : null,
  );
}

/** The decision form of an appealed flag; ``done`` runs after a decision is stored. */
export function decisionForm(flag, done) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const note = el("textarea", { name: "note", rows: 2, required: true, maxlength: 5000 });
  const points = el("input", { name: "points", type: "number", step: "0.5", min: "-100", max: "0" });
  points.value = String(flag.counted_points ?? "");
  const decide = async (decision) => {
    const body = { decision, note: note.value.trim() };
    if (decision === "upheld" && points.value !== "" && Number(points.value) !== flag.counted_points) {
      body.points = Number(points.value);
    }
    try {
      await api(`/api/v1/flags/${flag.id}/appeal/decision`, { method: "POST", body });
      await done();
    } catch (failure) {
      failed(error, failure);
    }
  };
  return el(
    "form",
    { id: "appeal-decision", class: "review", onsubmit: (event) => event.preventDefault() },
    appealSummary(flag.appeal),
    el("label", {}, t("qa.decision_note"), note),
    el("label", {}, t("qa.points"), points),
    el(
      "div",
      { class: "dialog-bar" },
      el("button", { type: "button", class: "primary", dataset: { decision: "upheld" }, onclick: () => decide("upheld") }, t("qa.uphold")),
      el("button", { type: "button", dataset: { decision: "overturned" }, onclick: () => decide("overturned") }, t("qa.overturn")),
    ),
    error,
  );
}

/** The manual flag form for the conversation on screen; a click on a transcript message
 * picks it. ``done(flag)`` runs after the flag is stored. */
export function manualFlagForm(pane, transcript, done) {
  let picked = null;
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const which = el("span", { class: "small muted picked" }, t("qa.flag_whole"));
  const note = el("textarea", { name: "note", rows: 2, required: true, maxlength: 5000 });
  const category = categorySelect("category");
  pane.querySelector(".transcript")?.addEventListener("click", (event) => {
    const row = event.target.closest(".message");
    if (!row) return;
    for (const node of pane.querySelectorAll(".message.picked")) node.classList.remove("picked");
    picked = picked === row.dataset.messageId ? null : row.dataset.messageId;
    if (picked) row.classList.add("picked");
    which.textContent = picked ? t("qa.flag_message", { id: picked }) : t("qa.flag_whole");
  });
  const submit = async (event) => {
    event.preventDefault();
    const body = {
      conversation_id: transcript.conversation.id,
      channel: transcript.conversation.channel,
      category: category.value,
      note: note.value.trim(),
    };
    if (picked) body.message_id = picked;
    try {
      done(await api("/api/v1/flags", { method: "POST", body }));
      note.value = "";
      error.hidden = true;
    } catch (failure) {
      failed(error, failure);
    }
  };
  return el(
    "form",
    { id: "manual-flag", class: "review manual-flag", onsubmit: submit },
    el("h3", {}, t("qa.flag_title"), " ", which),
    el("label", {}, t("qa.category"), category),
    el("label", {}, t("qa.note"), note),
    el("div", { class: "dialog-bar" }, el("button", { type: "submit" }, t("qa.flag_send"))),
    error,
  );
}

/** Replace ``node``'s content with ``form`` (or hide it when none). */
export function show(node, form) {
  node.hidden = !form;
  fill(node, form);
}
