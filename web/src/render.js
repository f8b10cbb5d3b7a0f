// DOM for each kind of message. Every text goes in through textContent, never innerHTML: bot and user text
// alike are data, and a message like <img src=x onerror=...> must show as those characters.

const URGENCY = {
  emergency: "紧急:请立即拨打120或去急诊",
  urgent: "尽快就诊(24-48小时内)",
  routine: "择期门诊就诊",
  self_care: "可先在指导下自我护理",
};
const SUMMARY_PREFIX = "【病情摘要";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function userMessage(text) {
  return el("div", "msg user", text);
}

export function disclaimer(text) {
  return el("p", "disclaimer", text);
}

/** The nodes for one bot message: a triage card, a text bubble, and its quick replies. */
export function botMessage(message, { onReply, onCopy }) {
  if (message.disclaimer === true) return [disclaimer(message.text)];
  const nodes = [];
  if (message.custom && message.custom.type === "triage_result") nodes.push(triageCard(message.custom));
  if (typeof message.text === "string" && message.text && message.handoff_staff === true) {
    // A staff member's reply during a handoff: shown as coming from a person.
    const bubble = el("div", "msg bot staff");
    bubble.append(el("span", "from", "人工客服"), el("span", null, message.text));
    nodes.push(bubble);
  } else if (typeof message.text === "string" && message.text) {
    const bubble = el("div", "msg bot", message.text);
    if (message.text.startsWith("⚠️")) bubble.classList.add("emergency");
    if (message.text.startsWith(SUMMARY_PREFIX)) {
      const copy = el("button", "copy", "复制摘要");
      copy.type = "button";
      copy.setAttribute("aria-label", "复制病情摘要");
      copy.addEventListener("click", () => onCopy(message.text, copy));
      bubble.append(copy);
    }
    nodes.push(bubble);
  }
  const replies = message.quick_replies || message.buttons;
  if (Array.isArray(replies) && replies.length) nodes.push(quickReplies(replies, onReply));
  return nodes;
}

function quickReplies(replies, onReply) {
  const group = el("div", "replies");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "可选的回答");
  for (const reply of replies) {
    const title = String(reply.title ?? "");
    const button = el("button", null, title);
    button.type = "button";
    button.addEventListener("click", () => onReply(String(reply.payload ?? title), title));
    group.append(button);
  }
  return group;
}

/** The triage_result payload: urgency, department, red flags, and the causes with score bars. */
export function triageCard(result) {
  const urgency = Object.prototype.hasOwnProperty.call(URGENCY, result.urgency) ? result.urgency : "routine";
  const card = el("section", `card ${urgency}`);
  card.setAttribute("aria-label", "分诊参考结果");
  card.append(el("h2", null, "分诊参考(不是诊断)"));
  card.append(el("p", "badge", URGENCY[urgency]));
  if (urgency === "emergency") {
    const call = el("a", "call", "立即拨打 120");
    call.href = "tel:120";
    card.append(call);
  }
  const reasons = Array.isArray(result.red_flag_reasons) ? result.red_flag_reasons : [];
  if (reasons.length) {
    card.append(el("p", null, "危险信号:"));
    const flags = el("ul", "flags");
    for (const reason of reasons) flags.append(el("li", null, reason));
    card.append(flags);
  }
  if (result.department) {
    const department = el("p", "department", "建议就诊科室:");
    department.append(el("strong", null, result.department));
    card.append(department);
  }
  const ranked = (Array.isArray(result.causes) ? result.causes : []).slice(0, 5);
  // An emergency decided by red flags alone has all scores at 0: the bars would only distract.
  if (urgency !== "emergency" || ranked.some((cause) => Number(cause.score) > 0)) {
    const causes = el("ol", "causes");
    causes.setAttribute("aria-label", "可能相关的原因");
    for (const cause of ranked) causes.append(causeItem(cause));
    card.append(causes);
  }
  return card;
}

function causeItem(cause) {
  const score = Math.max(0, Math.min(1, Number(cause.score) || 0));
  const percent = Math.round(score * 100);
  const item = el("li", "cause");
  const head = el("div", "cause-head");
  head.append(el("span", "cause-name", cause.name), el("span", "cause-score", `${percent}%`));
  const bar = el("div", "score-bar");
  bar.setAttribute("aria-hidden", "true"); // the percentage next to the name says the same
  const fill = el("div", "score-fill");
  fill.style.width = `${percent}%`; // CSSOM, which style-src 'self' allows (a style="" attribute it would not)
  bar.append(fill);
  item.append(head, bar);
  const reasons = Array.isArray(cause.reasons) ? cause.reasons : [];
  if (reasons.length) {
    const list = el("ul", "reasons");
    for (const reason of reasons) list.append(el("li", null, reason));
    item.append(list);
  }
  return item;
}
