// Sound and desktop notifications, opt-in: browsers block sound until the person has
// clicked, so one click on the toggle turns both on (and asks for notification rights).

const KEY = "replywatch.alerts";
let audio = null;

/** Whether the agent turned alerts on (remembered in this browser). */
export function enabled() {
  return window.localStorage.getItem(KEY) === "on";
}

function context() {
  if (audio === null) audio = new AudioContext();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

/** Turn sound and desktop notifications on (call from a click). */
export async function enable() {
  context();
  window.localStorage.setItem(KEY, "on");
  if ("Notification" in window && Notification.permission === "default") {
    await Notification.requestPermission();
  }
}

/** Turn them off. */
export function disable() {
  window.localStorage.setItem(KEY, "off");
}

/** After a reload the sound needs a gesture again: the first click or key brings it back. */
export function rearm() {
  if (!enabled()) return;
  const wake = () => context();
  window.addEventListener("pointerdown", wake, { once: true });
  window.addEventListener("keydown", wake, { once: true });
}

function beep(urgent) {
  if (audio === null || audio.state !== "running") return;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = urgent ? 880 : 660;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.35);
}

/** Sound (and a desktop notification while the tab is hidden) for an alert. */
export function ring(title, body, { urgent = false, tag, onclick } = {}) {
  if (!enabled()) return;
  beep(urgent);
  if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
  const note = new Notification(title, { body, tag });
  note.onclick = () => {
    window.focus();
    onclick?.();
    note.close();
  };
}

/** The page's on/off button for alerts: shows the state, flips it on click, and
 * re-arms the sound after a reload. */
export function bindToggle(button, offLabel, onLabel) {
  const show = () => {
    button.setAttribute("aria-pressed", String(enabled()));
    button.textContent = enabled() ? onLabel : offLabel;
  };
  button.addEventListener("click", async () => {
    if (enabled()) disable();
    else await enable();
    show();
  });
  show();
  rearm();
}
