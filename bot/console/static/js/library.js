// The library editor: search, add, edit and delete scripts (validation errors shown at
// their fields), import and export a file, the week's most asked questions, the gaps:
// questions nothing matched, each one click away from a new script, and the paraphrases
// agents' choices proposed.
import { api, ApiError } from "./api.js";
import { $, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";

const form = $("#editor");
let editing = null; // id of the script being edited, null for a new one
let timer = null;

const lines = (value) => value.split("\n").map((line) => line.trim()).filter(Boolean);

async function search() {
  const q = $("#script-search").value;
  const data = await api(`/api/v1/scripts/search?k=50&q=${encodeURIComponent(q)}`);
  fill(
    $("#scripts"),
    ...data.items.map((s) =>
      el(
        "li",
        { dataset: { scriptId: s.id }, class: s.id === editing ? "active" : "", onclick: () => edit(s) },
        el("span", { class: "title" }, s.title),
        el("span", { class: "muted" }, ` · ${s.category} · ${s.id}`),
        el("div", { class: "text" }, s.reply),
      ),
    ),
  );
}

function showErrors(details = []) {
  for (const node of form.querySelectorAll(".field-error")) node.hidden = true;
  for (const problem of details) {
    const field = String(problem.field ?? "").split(".")[0];
    const node = form.querySelector(`.field-error[data-field="${CSS.escape(field)}"]`) ?? $("#editor-status");
    node.hidden = false;
    node.textContent = problem.error;
  }
}

function edit(script) {
  editing = script?.id ?? null;
  $("#editor-title").textContent = editing ? t("library.edit", { id: editing }) : t("library.new");
  form.elements.id.value = script?.id ?? "";
  form.elements.id.readOnly = Boolean(editing);
  form.elements.category.value = script?.category ?? "";
  form.elements.title.value = script?.title ?? "";
  form.elements.questions.value = (script?.questions ?? []).join("\n");
  form.elements.keywords.value = (script?.keywords ?? []).join("\n");
  form.elements.reply.value = script?.reply ?? "";
  $("#delete-script").hidden = !editing;
  $("#editor-status").textContent = "";
  showErrors();
  form.elements[editing ? "title" : "id"].focus();
}

async function save(event) {
  event.preventDefault();
  const script = {
    id: form.elements.id.value.trim(),
    category: form.elements.category.value.trim(),
    title: form.elements.title.value.trim(),
    questions: lines(form.elements.questions.value),
    keywords: lines(form.elements.keywords.value),
    reply: form.elements.reply.value.trim(),
  };
  showErrors();
  try {
    if (editing) await api(`/api/v1/scripts/${encodeURIComponent(editing)}`, { method: "PUT", body: script });
    else await api("/api/v1/scripts", { method: "POST", body: script });
  } catch (error) {
    if (error instanceof ApiError) {
      $("#editor-status").textContent = error.message;
      showErrors(Array.isArray(error.body?.details) ? error.body.details : []);
      return;
    }
    throw error;
  }
  edit(script);
  $("#editor-status").textContent = t("library.saved");
  await Promise.all([search(), gaps()]);
}

async function remove() {
  if (!editing || !window.confirm(t("library.delete.confirm", { id: editing }))) return;
  await api(`/api/v1/scripts/${encodeURIComponent(editing)}`, { method: "DELETE" });
  edit(null);
  await search();
}

async function gaps() {
  const data = await api("/api/v1/scripts/gaps?limit=30");
  fill(
    $("#gaps"),
    ...data.items.map((gap) =>
      el(
        "li",
        { class: "gap" },
        el("span", { class: "question" }, gap.question),
        el("span", { class: "count" }, `×${gap.count}`),
        el("button", { type: "button", class: "small", onclick: () => fromGap(gap) }, t("library.gap.make")),
        gap.examples.length > 1 ? el("div", { class: "muted small" }, gap.examples.slice(1, 4).join(" · ")) : null,
      ),
    ),
    ...(data.items.length ? [] : [el("li", { class: "muted" }, t("library.gaps.none"))]),
  );
}

async function openScript(id) {
  edit(await api(`/api/v1/scripts/${encodeURIComponent(id)}`));
}

// The week's most asked questions: the script that answers each and how often agents
// sent it, or (nothing matched) one click away from a new script.
async function asked() {
  const data = await api("/api/v1/scripts/asked?limit=15");
  fill(
    $("#asked"),
    ...data.items.map((item) =>
      el(
        "li",
        { class: item.answered ? "gap answered" : "gap unanswered" },
        el("span", { class: "question" }, item.question),
        el("span", { class: "count" }, `×${item.count}`),
        item.answered
          ? el(
              "button",
              { type: "button", class: "small link", onclick: () => openScript(item.script_id) },
              t("library.asked.by", { title: item.title ?? item.script_id }),
            )
          : el("button", { type: "button", class: "small", onclick: () => fromGap(item) }, t("library.gap.make")),
        el(
          "div",
          { class: "muted small" },
          item.answered
            ? t("library.asked.acceptance", { percent: Math.round(100 * item.acceptance), accepted: item.accepted })
            : t("library.asked.none"),
        ),
      ),
    ),
    ...(data.items.length ? [] : [el("li", { class: "muted" }, t("library.asked.empty"))]),
  );
}

async function proposals() {
  const data = await api("/api/v1/scripts/proposals?limit=50");
  fill(
    $("#proposals"),
    ...data.items.map((p) =>
      el(
        "li",
        { class: "gap proposal", dataset: { proposalId: p.id } },
        el("span", { class: "question" }, p.text),
        el("span", { class: "muted" }, t(p.score > 0 ? "library.proposal.for" : "library.proposal.picked", { script: p.script_id, score: Math.round(p.score), agent: p.agent_id })),
        el("button", { type: "button", class: "small", onclick: () => decide(p, "accept") }, t("library.proposal.accept")),
        el("button", { type: "button", class: "small", onclick: () => decide(p, "reject") }, t("library.proposal.reject")),
      ),
    ),
    ...(data.items.length ? [] : [el("li", { class: "muted" }, t("library.proposals.none"))]),
  );
}

async function decide(proposal, verdict) {
  try {
    await api(`/api/v1/scripts/proposals/${proposal.id}/${verdict}`, { method: "POST" });
    $("#editor-status").textContent = t(verdict === "accept" ? "library.proposal.accepted" : "library.proposal.rejected", { script: proposal.script_id });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    $("#editor-status").textContent = error.message;
  }
  await Promise.all([proposals(), search()]);
}

function fromGap(gap) {
  edit(null);
  form.elements.id.value = `gap-${Date.now().toString(36)}`;
  form.elements.questions.value = [gap.question, ...gap.examples.filter((e) => e !== gap.question)].slice(0, 5).join("\n");
  form.elements.title.focus();
}

async function importFile(event) {
  event.preventDefault();
  const file = event.target.elements.file.files[0];
  const result = $("#import-result");
  if (!file) return;
  const format = file.name.toLowerCase().endsWith(".csv") ? "csv" : "toml";
  const mode = event.target.elements.mode.value;
  const response = await fetch(`/api/v1/scripts/import?format=${format}&mode=${mode}`, {
    method: "POST",
    body: await file.text(),
    headers: { "Content-Type": format === "csv" ? "text/csv" : "application/toml", "X-CSRF-Token": config.csrf },
    credentials: "same-origin",
  });
  const body = await response.json();
  if (!response.ok) {
    const problems = (Array.isArray(body.details) ? body.details : []).slice(0, 10).map((p) => `${t("library.line")} ${p.line ?? "?"} ${p.field ?? ""}: ${p.error}`);
    fill(result, el("strong", { class: "error" }, body.error), ...problems.map((p) => el("div", { class: "error" }, p)));
    return;
  }
  result.textContent = t("library.imported", body);
  await search();
}

form.addEventListener("submit", save);
$("#delete-script").addEventListener("click", remove);
$("#new-script").addEventListener("click", () => edit(null));
$("#script-search").addEventListener("input", () => {
  window.clearTimeout(timer);
  timer = window.setTimeout(search, 150);
});
$("#import-form").addEventListener("submit", importFile);

edit(null);
await Promise.all([search(), asked(), gaps(), proposals()]);
document.body.dataset.ready = "true";
