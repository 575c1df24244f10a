// Telling the agent that a new case is waiting: the tab title and a short tone.
import { baseTitle, state } from "./state.js";

let audio = null;

// A two-note chime from Web Audio: no sound file to serve. Browsers may keep the audio context
// suspended until the agent has interacted with the page; then only the title tells.
function chime() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
    const start = audio.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.18, 1175]]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.18);
    }
    state.chimes += 1;
  } catch (_) {
    // no audio on this machine: the title still tells
  }
}

// Called with every queue snapshot: a case id not seen before is new (not on the first load).
export function noticeNewCases(queued) {
  const ids = queued.map((c) => String(c.id));
  const fresh = state.knownQueued === null ? [] : ids.filter((id) => !state.knownQueued.has(id));
  state.knownQueued = new Set([...(state.knownQueued || []), ...ids]);
  if (fresh.length) {
    state.newCases += fresh.length;
    chime();
  }
  updateTitle();
}

// Seen once the agent looks at the page again.
export function clearNewCases() {
  state.newCases = 0;
  updateTitle();
}

export function updateTitle() {
  const parts = [];
  if (state.newCases) parts.push(`【${state.newCases} 个新会话】`);
  if (state.unread.size) parts.push(`(${state.unread.size})`);
  document.title = parts.length ? `${parts.join(" ")} ${baseTitle}` : baseTitle;
}
