// The page's Socket.IO connection (authenticated by the session cookie) and the
// "live / offline" indicator in the top bar.
import { io } from "../vendor/socket.io.esm.min.js";
import { t } from "./i18n.js";

/** The BroadcastChannel on which the agent console passes live QA verdicts to the
 * quality page (which opens no Socket.IO connection: that would put the agent online). */
export const QUALITY_CHANNEL = "replywatch.quality";

/** Connect to ``namespace``; ``onConnect(again)`` runs on every (re)connection. */
export function connectLive(namespace, onConnect) {
  const socket = io(namespace, { path: "/socket.io", transports: ["websocket"] });
  const indicator = document.getElementById("connection");
  const show = (state) => {
    indicator.dataset.state = state;
    indicator.textContent = t(`connection.${state}`);
  };
  let connected = false;
  socket.on("connect", () => {
    show("online");
    onConnect(connected);
    connected = true;
  });
  socket.on("disconnect", () => show("offline"));
  socket.on("connect_error", (error) => {
    show("offline");
    if (String(error?.message).includes("session")) window.location.assign("/");
  });
  return socket;
}
