// An agent's own quality: this month's score and grade, every flag about them with the
// verdict, points, note and reviewer, and an appeal (复核申请) while one is possible.
// A verdict the agent console receives live ("flag.reviewed" on /agent) reaches this
// page through a BroadcastChannel; the page also reloads when it comes back into view
// (it opens no Socket.IO connection of its own, which would put the agent online).
import { api, ApiError } from "./api.js";
import { $, dateTime, el, fill } from "./dom.js";
import { t } from "./i18n.js";
import { QUALITY_CHANNEL } from "./live.js";

function canAppeal(flag) {
  return flag.appeal_until !== null && Date.parse(flag.appeal_until) > Date.now();
}

function appealForm(flag) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const reason = el("textarea", { name: "reason", required: true, maxlength: 5000, rows: 2 });
  const form = el(
    "form",
    { class: "appeal-form", hidden: true },
    el("label", {}, t("quality.appeal_reason"), reason),
    el("button", { type: "submit" }, t("quality.appeal_send")),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`/api/v1/flags/${flag.id}/appeal`, { method: "POST", body: { reason: reason.value } });
      await load();
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.message : String(failure);
      error.hidden = false;
    }
  });
  return form;
}

function appealPart(flag) {
  const appeal = flag.appeal;
  if (appeal) {
    const decided = appeal.decision
      ? ` · ${t("quality.decision", { decision: t(`quality.decision.${appeal.decision}`), by: appeal.decided_by })}`
      : ` · ${t("quality.appeal_waiting")}`;
    return el(
      "div",
      { class: "appeal", dataset: { decision: appeal.decision ?? "waiting" } },
      el("div", { class: "row small" }, `${t("quality.appealed")} ${dateTime(appeal.at)}${decided}`),
      el("p", { class: "note" }, appeal.reason),
      appeal.note ? el("p", { class: "note muted" }, appeal.note) : null,
    );
  }
  if (!canAppeal(flag)) return null;
  const form = appealForm(flag);
  const button = el(
    "button",
    {
      type: "button",
      dataset: { action: "appeal" },
      onclick: () => {
        form.hidden = false;
        button.hidden = true;
        form.querySelector("textarea").focus();
      },
    },
    t("quality.appeal", { until: dateTime(flag.appeal_until) }),
  );
  return el("div", { class: "appeal" }, button, form);
}

function flagItem(flag) {
  const review = flag.review;
  // Automatic flags are named by their kind; a reviewer's flag by its category.
  const category = flag.kind.startsWith("qa.") ? flag.category_name : null;
  return el(
    "li",
    { class: `flag ${flag.status}`, dataset: { flagId: flag.id, kind: flag.kind, status: flag.status } },
    el(
      "div",
      { class: "row" },
      el("span", { class: "badge", dataset: { kind: flag.kind } }, t(`kind.${flag.kind}`)),
      category ? el("span", { class: "category" }, category) : null,
      el("span", { class: "conversation-id" }, flag.conversation_id),
      el("span", { class: "small muted" }, dateTime(flag.at)),
      flag.demerit ? el("span", { class: "badge demerit" }, t("quality.demerit")) : null,
    ),
    flag.note ? el("p", { class: "note" }, flag.note) : null,
    review
      ? el(
          "div",
          { class: "row verdict", dataset: { verdict: review.verdict } },
          el("strong", {}, t(`qa.verdict.${review.verdict}`)),
          ` · ${t("qa.points")}: ${flag.counted_points ?? "–"} · ${t("quality.reviewer")}: ${review.reviewer ?? "–"} · ${dateTime(review.at)}`,
        )
      : el("div", { class: "row small muted" }, t("quality.waiting")),
    review?.note ? el("p", { class: "note" }, review.note) : null,
    appealPart(flag),
  );
}

function monthLine(item) {
  if (!item) return "";
  const grade = item.grade ?? t("quality.no_grade");
  const parts = t("quality.month_parts", {
    base: item.base,
    deductions: item.deductions,
    additions: item.additions,
    adjustment: item.adjustment,
  });
  return `${t("quality.month", { month: item.month, score: item.score, grade })} ${parts}`;
}

function satisfactionLine(team) {
  if (!team?.csat_responses) return t("quality.csat_none");
  return t("quality.csat", {
    average: team.csat_average.toFixed(2),
    rate: (100 * team.csat_satisfied_rate).toFixed(0),
    responses: team.csat_responses,
  });
}

async function load() {
  const [data, assessment, kpis] = await Promise.all([
    api("/api/v1/flags?limit=500"),
    api("/api/v1/assessment"),
    api("/api/v1/kpis?period=month"),
  ]);
  $("#quality-csat").textContent = satisfactionLine(kpis.team);
  const flags = data.items;
  $("#quality-count").textContent = `(${flags.length})`;
  $("#quality-empty").hidden = flags.length > 0;
  const month = $("#quality-month");
  month.textContent = monthLine(assessment.items[0]);
  month.dataset.score = assessment.items[0]?.score ?? "";
  const total = flags.reduce((sum, f) => sum + (f.counted_points ?? 0), 0);
  $("#quality-total").textContent = t("quality.points_total", { points: total });
  fill($("#my-flags"), ...flags.map(flagItem));
}

if ("BroadcastChannel" in window) new BroadcastChannel(QUALITY_CHANNEL).onmessage = () => load();
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && load());
await load();
document.body.dataset.ready = "true";
