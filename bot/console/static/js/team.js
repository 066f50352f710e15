// The Team page (admins): everyone's account, adding a person, and changing one: role,
// groups, capacity, a new password, deactivation (which signs them out everywhere).
import { api, ApiError } from "./api.js";
import { $, el, fill } from "./dom.js";
import { t } from "./i18n.js";

let editing = null;

const groupsOf = (text) => text.split(/[,，\s]+/).filter(Boolean);

function row(user) {
  return el(
    "tr",
    { dataset: { userId: user.id, active: String(user.active) } },
    el("th", {}, user.id),
    el("td", {}, user.name),
    el("td", {}, t(`role.${user.role}`)),
    el("td", {}, user.groups.join(", ")),
    el("td", {}, user.max_concurrency ?? t("team.capacity.default")),
    el("td", { class: user.active ? "good" : "poor" }, user.active ? t("team.active") : t("team.inactive")),
    el("td", {}, el("button", { type: "button", class: "small", onclick: () => edit(user) }, t("team.edit"))),
  );
}

async function load() {
  const data = await api("/api/v1/users");
  fill($("#people tbody"), ...data.users.map(row));
}

/** The API's problems, one line each ("password: the password must have ..."). */
function showProblems(list, error) {
  const details = error instanceof ApiError && Array.isArray(error.body?.details) ? error.body.details : [];
  const lines = details.length
    ? details.map((d) => `${d.field ?? ""}${d.field ? ": " : ""}${d.error.replace(/^Value error, /, "")}`)
    : [error instanceof ApiError ? error.message : String(error)];
  fill(list, ...lines.map((line) => el("li", {}, line)));
  list.hidden = false;
}

$("#add-person").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = {
    id: form.id.value.trim(),
    name: form.name.value.trim(),
    role: form.role.value,
    password: form.password.value,
    groups: groupsOf(form.groups.value),
  };
  if (form.max_concurrency.value) body.max_concurrency = Number(form.max_concurrency.value);
  try {
    await api("/api/v1/users", { method: "POST", body });
    form.reset();
    $("#add-errors").hidden = true;
    await load();
  } catch (error) {
    showProblems($("#add-errors"), error);
  }
});

function edit(user) {
  editing = user;
  $("#edit-title").textContent = t("team.edit.title", { id: user.id });
  const form = $("#edit-form");
  form.name.value = user.name;
  form.role.value = user.role;
  form.groups.value = user.groups.join(", ");
  form.max_concurrency.value = user.max_concurrency ?? "";
  form.password.value = "";
  form.active.checked = user.active;
  $("#edit-errors").hidden = true;
  $("#edit-person").showModal();
}

$("#edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = {
    name: form.name.value.trim(),
    role: form.role.value,
    groups: groupsOf(form.groups.value),
    max_concurrency: form.max_concurrency.value ? Number(form.max_concurrency.value) : null,
    active: form.active.checked,
  };
  if (form.password.value) body.password = form.password.value;
  try {
    await api(`/api/v1/users/${encodeURIComponent(editing.id)}`, { method: "PATCH", body });
    $("#edit-person").close();
    await load();
  } catch (error) {
    showProblems($("#edit-errors"), error);
  }
});
for (const button of document.querySelectorAll("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog").close());
}

await load();
document.body.dataset.ready = "true";
