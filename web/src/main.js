// The patient chat: Rasa's socketio protocol (session_request -> session_confirm, user_uttered ->
// bot_uttered) on the page's own origin, rendered by render.js, remembered per tab by session.js.
import { io } from "socket.io-client";
import * as render from "./render.js";
import { Session, newSessionId } from "./session.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("input");
const typing = document.getElementById("typing");
const status = document.getElementById("status");
const restart = document.getElementById("restart");

const session = Session.load();
let pending = 0; // user messages whose turn has not ended (a turn ends with the disclaimer)
let typingTimer = null;
let statusTimer = null;
let turnBubbles = []; // bot nodes of the current turn, marked red if the turn turns out to be an emergency

// Same origin, default path /socket.io/. Messages emitted while offline are buffered by socket.io-client
// and sent on reconnect; the server puts the socket back in the session's room either way.
const socket = io({ autoConnect: false });

function setStatus(text, { transient = false } = {}) {
  clearTimeout(statusTimer);
  status.textContent = text;
  if (transient) statusTimer = setTimeout(() => (status.textContent = ""), 4000);
}

function setTyping(on) {
  clearTimeout(typingTimer);
  typing.hidden = !on;
  log.setAttribute("aria-busy", on ? "true" : "false");
  // Never leave the indicator spinning if a turn is lost (e.g. the socket dropped mid-turn).
  if (on) typingTimer = setTimeout(() => ((pending = 0), setTyping(false)), 60000);
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

function show(entry) {
  if (entry.from === "user") {
    for (const button of log.querySelectorAll(".replies button")) button.disabled = true;
    log.append(render.userMessage(entry.text));
    turnBubbles = [];
  } else {
    const message = entry.message;
    const nodes = render.botMessage(message, { onReply: sendReply, onCopy: copyText });
    const custom = message.custom;
    if (custom && custom.type === "triage_result" && custom.urgency === "emergency") {
      for (const node of turnBubbles) node.classList.add("emergency");
    }
    for (const node of nodes) if (node.classList.contains("msg")) turnBubbles.push(node);
    if (message.disclaimer === true) turnBubbles = [];
    log.append(...nodes);
  }
  scrollToEnd();
}

function send(text, shown = text) {
  if (!text) return;
  if (shown !== null) {
    const entry = { from: "user", text: shown };
    session.add(entry);
    show(entry);
  }
  pending += 1;
  setTyping(true);
  socket.emit("user_uttered", { message: text, session_id: session.id });
}

function sendReply(payload, title) {
  send(payload, title);
  input.focus();
}

async function copyText(text, button) {
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      // permission refused: fall back below
    }
  }
  if (!copied) copied = copyWithTextarea(text);
  button.textContent = copied ? "已复制" : "复制失败,请长按文字复制";
  setStatus(copied ? "病情摘要已复制" : "复制失败,请长按文字手动复制", { transient: true });
}

function copyWithTextarea(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

socket.on("connect", () => {
  setStatus("");
  socket.emit("session_request", { session_id: session.id });
});

socket.on("session_confirm", (id) => {
  // Live from here: pushes (a person's replies during a handoff) reach this page. Tests wait for it.
  document.documentElement.dataset.live = "true";
  if (typeof id === "string" && id !== session.id) {
    // The server refused our id and made one: use it from now on.
    session.id = id;
    session.save();
  }
  if (!session.greeted) {
    session.greeted = true;
    session.save();
    send("/greet", null); // the welcome and its quick replies, without a user bubble
  }
});

socket.on("bot_uttered", (message) => {
  if (!message || typeof message !== "object") return;
  const entry = { from: "bot", message };
  session.add(entry);
  show(entry);
  if (message.disclaimer === true) {
    pending = Math.max(0, pending - 1);
    if (pending === 0) setTyping(false);
  }
});

// The server held a message for a person (handoff): no bot reply comes, so stop showing "typing".
socket.on("handoff_held", () => {
  pending = Math.max(0, pending - 1);
  if (pending === 0) setTyping(false);
});

socket.on("disconnect", (reason) => {
  delete document.documentElement.dataset.live;
  // A reply to a turn in flight is lost with the socket: stop waiting for it.
  pending = 0;
  setTyping(false);
  if (reason !== "io client disconnect") setStatus("连接已断开,正在重新连接…");
});

socket.on("connect_error", () => setStatus("暂时连不上服务器,正在重试…"));

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  fitInput();
  send(text);
});

input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey) return;
  // Enter that confirms a Chinese IME candidate is not a send: isComposing, or keyCode 229 in Safari,
  // where the keydown that ends a composition arrives after compositionend.
  if (event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  if (form.requestSubmit) form.requestSubmit();
  else form.dispatchEvent(new Event("submit", { cancelable: true }));
});

function fitInput() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}
input.addEventListener("input", fitInput);

function startNewSession(notice) {
  session.reset();
  log.replaceChildren();
  turnBubbles = [];
  pending = 0;
  setTyping(false);
  setStatus(notice, { transient: true });
  if (socket.connected) socket.emit("session_request", { session_id: session.id });
}

restart.addEventListener("click", () => {
  // A new session id, not the text 重新开始: that only restarts the interview inside the same
  // conversation, while a patient pressing this on a shared phone expects a clean slate.
  startNewSession("已开始新的对话");
  input.focus();
});

// "Duplicate tab" (and window.open) copies sessionStorage, so two tabs could share one session id and
// see each other's replies. The tab that already holds the id keeps it; the newcomer starts afresh.
const tabToken = newSessionId();
const tabs = typeof BroadcastChannel === "function" ? new BroadcastChannel("triage-chat-tabs") : null;
if (tabs) {
  tabs.onmessage = ({ data }) => {
    if (!data || data.id !== session.id) return;
    if (data.type === "hello" && data.token !== tabToken) tabs.postMessage({ type: "taken", id: session.id, to: data.token });
    if (data.type === "taken" && data.to === tabToken) startNewSession("此对话已在另一个标签页中打开,本页已开始新的对话");
  };
  tabs.postMessage({ type: "hello", id: session.id, token: tabToken });
}

for (const entry of session.entries) show(entry);
// Give an older tab holding the same id a moment to answer before this one joins the session.
setTimeout(() => socket.connect(), tabs ? 150 : 0);
