// The conversation of this tab: a random session id and the messages shown, kept in sessionStorage so a
// reload resumes and another tab (its own sessionStorage) starts its own conversation.

const KEY = "triage.session";
const MAX_ENTRIES = 300;

/** 128 random bits as hex. getRandomValues works outside secure contexts, unlike crypto.randomUUID. */
export function newSessionId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: the conversation lives only as long as the page
  }
}

export class Session {
  constructor(id, entries = [], greeted = false) {
    this.id = id;
    this.entries = entries;
    this.greeted = greeted;
  }

  static load() {
    try {
      const saved = JSON.parse(storage()?.getItem(KEY) || "null");
      if (saved && typeof saved.id === "string" && /^[0-9a-f]{32}$/.test(saved.id) && Array.isArray(saved.entries)) {
        return new Session(saved.id, saved.entries, saved.greeted === true);
      }
    } catch {
      // unreadable: start afresh
    }
    const session = new Session(newSessionId());
    session.save();
    return session;
  }

  save() {
    try {
      storage()?.setItem(KEY, JSON.stringify({ id: this.id, entries: this.entries, greeted: this.greeted }));
    } catch {
      // quota or blocked storage: the page still works, a reload just shows an empty view
    }
  }

  add(entry) {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    this.save();
  }

  /** Start over: a new id (the old conversation can no longer reach this tab) and an empty history. */
  reset() {
    this.id = newSessionId();
    this.entries = [];
    this.greeted = false;
    this.save();
  }
}
