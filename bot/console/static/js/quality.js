// An agent's own quality: every flag about them, waiting or reviewed, with the verdict,
// points, note and reviewer. A verdict the agent console receives live ("flag.reviewed"
// on /agent) reaches this page through a BroadcastChannel; the page also reloads when it
// comes back into view (it opens no Socket.IO connection of its own, which would put the
// agent online).
import { api } from "./api.js";
import { $, dateTime, el, fill } from "./dom.js";
import { t } from "./i18n.js";
import { QUALITY_CHANNEL } from "./live.js";

function flagItem(flag) {
  const review = flag.review;
  return el(
    "li",
    { class: `flag ${flag.status}`, dataset: { flagId: flag.id, kind: flag.kind, status: flag.status } },
    el(
      "div",
      { class: "row" },
      el("span", { class: "badge", dataset: { kind: flag.kind } }, t(`kind.${flag.kind}`)),
      el("span", { class: "conversation-id" }, flag.conversation_id),
      el("span", { class: "small muted" }, dateTime(flag.at)),
    ),
    review
      ? el(
          "div",
          { class: "row verdict", dataset: { verdict: review.verdict } },
          el("strong", {}, t(`qa.verdict.${review.verdict}`)),
          ` · ${t("qa.points")}: ${review.points ?? "–"} · ${t("quality.reviewer")}: ${review.reviewer ?? "–"} · ${dateTime(review.at)}`,
        )
      : el("div", { class: "row small muted" }, t("quality.waiting")),
    review?.note ? el("p", { class: "note" }, review.note) : null,
  );
}

async function load() {
  const data = await api("/api/v1/flags?limit=500");
  const flags = data.items;
  $("#quality-count").textContent = `(${flags.length})`;
  $("#quality-empty").hidden = flags.length > 0;
  const total = flags
    .filter((f) => f.review?.verdict === "confirmed")
    .reduce((sum, f) => sum + (f.review.points ?? 0), 0);
  $("#quality-total").textContent = t("quality.points_total", { points: total });
  fill($("#my-flags"), ...flags.map(flagItem));
}

if ("BroadcastChannel" in window) new BroadcastChannel(QUALITY_CHANNEL).onmessage = () => load();
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && load());
await load();
document.body.dataset.ready = "true";
