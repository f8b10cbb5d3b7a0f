// The "talk to the bot" pane: sends through the console (/talk/send), shows the replies as the patient sees
// them and one debug entry per turn. Every text goes in with textContent.
(function () {
  const root = document.getElementById("talk");
  if (!root) return;
  const sender = root.dataset.sender;
  const csrf = root.dataset.csrf;
  const log = document.getElementById("log");
  const debugList = document.getElementById("debug");
  const form = document.getElementById("say");
  const input = document.getElementById("text");
  const saveStory = document.getElementById("save-story");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function card(result) {
    const box = el("section", "card " + (result.urgency || ""));
    box.append(el("h3", null, (result.urgency || "") + " · " + (result.department || "")));
    for (const cause of (result.causes || []).slice(0, 5)) {
      box.append(el("div", "cause", cause.name + " " + Math.round((cause.score || 0) * 100) + "%"));
    }
    return box;
  }

  function showMessages(messages) {
    for (const m of messages) {
      if (m.custom && m.custom.type === "triage_result") log.append(card(m.custom));
      if (m.text) log.append(el(m.disclaimer ? "p" : "div", m.disclaimer ? "disclaimer" : "msg bot", m.text));
      const buttons = m.buttons || m.quick_replies;
      if (Array.isArray(buttons) && buttons.length) {
        const group = el("div", "replies");
        for (const b of buttons) {
          const button = el("button", "secondary", b.title);
          button.type = "button";
          button.addEventListener("click", () => send(String(b.payload ?? b.title), String(b.title)));
          group.append(button);
        }
        log.append(group);
      }
    }
    log.scrollTop = log.scrollHeight;
  }

  function showDebug(d, said) {
    const item = el("li", "turn-debug");
    item.append(el("div", null, "「" + said + "」"));
    if (!d) { debugList.append(item); return; }
    item.append(el("div", "intent", "意图:" + d.intent_label + "(" + d.intent + ")把握 " + d.confidence));
    if (d.entities.length) item.append(el("div", null, "实体:" + d.entities.map((e) => e.entity + "=" + e.value).join(",")));
    item.append(el("div", "actions", "动作:" + (d.actions.map((a) => a.label + "(" + a.name + ")").join(" → ") || "无")));
    if (d.asked) item.append(el("div", "asked", "接着问:" + d.asked_label + "(" + d.asked + ")"));
    if (d.triage_result) {
      const r = d.triage_result;
      item.append(el("div", "result", "triage_result:" + r.urgency + " · " + r.department + " · " +
        (r.causes || []).slice(0, 3).map((c) => c.name + " " + Math.round(c.score * 100) + "%").join(",")));
    }
    if (d.fallback) item.append(el("div", "error", "走了兜底(没听懂)"));
    debugList.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  async function send(text, shown) {
    log.append(el("div", "msg user", shown || text));
    input.disabled = true;
    try {
      const reply = await fetch("/talk/send", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ sender, text }),
        credentials: "same-origin",
      });
      const data = await reply.json();
      if (!reply.ok) { log.append(el("p", "error", data.error || "出错了")); return; }
      showMessages(data.messages || []);
      showDebug(data.debug, shown || text);
      saveStory.hidden = false;
    } catch (e) {
      log.append(el("p", "error", "连接失败:" + e));
    } finally {
      input.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.isComposing) return;
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
