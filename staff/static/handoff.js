// Human handoff pages: the queue refreshes itself, a conversation shows the patient's new messages as they
// arrive, and replies are sent without reloading. Polling every 2 s (no extra server machinery; several
// console processes behind a load balancer work unchanged). Every text goes in with textContent.
(function () {
  const POLL_MS = 2000;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function getJSON(url) {
    const reply = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!reply.ok) throw new Error(String(reply.status));
    return reply.json();
  }

  // ---- the queue
  const queue = document.getElementById("queue");
  if (queue) {
    const canClaim = queue.dataset.canClaim === "1";
    const csrf = queue.dataset.csrf;
    const body = queue.querySelector("tbody");
    const waited = (s) => `${Math.floor(s / 60)} 分 ${s % 60} 秒`;
    const render = (rows) => {
      const fresh = [];
      for (const r of rows) {
        const tr = el("tr");
        tr.dataset.id = r.id;
        if (r.urgent) tr.className = "urgent";
        tr.append(el("td", null, (r.urgent ? "⚠ " : "") + r.status_label), el("td", "nowrap", waited(r.waited)),
          el("td", null, r.channel), el("td", null, r.claimed_by || "—"),
          el("td", null, r.has_result ? "有分诊结果" : r.has_summary ? "有摘要" : "—"));
        const last = el("td", "nowrap");
        if (r.status === "waiting" && canClaim) {
          const form = el("form");
          form.method = "post";
          form.action = `/handoff/${r.id}/claim`;
          const token = el("input");
          token.type = "hidden";
          token.name = "csrf";
          token.value = csrf;
          const button = el("button", null, "接入");
          button.type = "submit";
          form.append(token, button);
          last.append(form);
        } else {
          const link = el("a", null, "查看");
          link.href = `/handoff/${r.id}`;
          last.append(link);
        }
        tr.append(last);
        fresh.push(tr);
      }
      if (!fresh.length) {
        const tr = el("tr", "empty");
        const td = el("td", "muted", "现在没有等待人工的对话。");
        td.colSpan = 6;
        tr.append(td);
        fresh.push(tr);
      }
      body.replaceChildren(...fresh);
    };
    setInterval(async () => {
      try {
        render((await getJSON("/handoff/queue.json")).rows);
      } catch {
        // logged out or the console restarted: the next poll tries again
      }
    }, POLL_MS);
  }

  // ---- one conversation
  const lines = document.getElementById("lines");
  if (lines) {
    const id = lines.dataset.id;
    const csrf = lines.dataset.csrf;
    let after = Number(lines.dataset.after) || 0;
    const status = document.getElementById("status");
    const who = (l) => (l.who === "patient" ? "病人" : l.who === "staff" ? `${l.staff}(人工)` : "机器人");
    const add = (l) => {
      const row = el("div", `line ${l.who}${l.emergency ? " emergency" : ""}`);
      row.append(el("span", "who", who(l)), el("div", "msg", l.text));
      lines.append(row);
      lines.scrollTop = lines.scrollHeight;
    };
    lines.scrollTop = lines.scrollHeight;
    let busy = false;
    const poll = async () => {
      if (busy) return;
      busy = true;
      try {
        const data = await getJSON(`/handoff/${id}/lines.json?after=${after}`);
        for (const l of data.lines) {
          add(l);
          after = Math.max(after, l.id);
        }
        if (status) status.textContent = data.status_label + (data.claimed_by ? `(${data.claimed_by})` : "");
      } catch {
        // try again at the next tick
      } finally {
        busy = false;
      }
    };
    setInterval(poll, POLL_MS);

    const form = document.getElementById("reply");
    if (form) {
      const text = document.getElementById("reply-text");
      const note = document.getElementById("reply-note");
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const message = text.value.trim();
        if (!message) return;
        const button = form.querySelector("button");
        button.disabled = true;
        note.hidden = true;
        try {
          const reply = await fetch(`/handoff/${id}/reply`, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify({ text: message }),
          });
          const data = await reply.json().catch(() => ({}));
          if (!reply.ok || data.error) {
            note.textContent = data.error || `发送失败(HTTP ${reply.status})`;
            note.hidden = false;
          } else {
            text.value = "";
            if (data.note) {
              note.textContent = `消息已记入对话,但没有送达病人:${data.note}`;
              note.hidden = false;
            }
          }
          await poll();
        } catch {
          note.textContent = "发送失败:连不上控制台";
          note.hidden = false;
        } finally {
          button.disabled = false;
          text.focus();
        }
      });
      text.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    }
  }
})();
