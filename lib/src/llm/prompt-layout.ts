import type { ChatMessage, ModelRequest } from "./types.js";

export interface PrefixLayout {
  system: string;
  /** What several requests share, e.g. the note text (with its heading). */
  shared: string;
  /** What differs, e.g. the question. */
  question: string;
}

/**
 * Messages laid out for prefix caching: the system prompt and the shared part come first and are
 * byte-identical across the questions of one note, the question comes last, so vLLM's prefix cache
 * reuses the note's KV blocks for every question after the first.
 */
export function layoutForPrefixCache(layout: PrefixLayout): ChatMessage[] {
  return [
    { role: "system", content: layout.system },
    { role: "user", content: `${layout.shared}\n\n${layout.question}` },
  ];
}

export interface SharedPrefixStats {
  requests: number;
  promptChars: number;
  /** Characters equal to the start of the previous request of the same group. */
  sharedChars: number;
  /** sharedChars / promptChars (0 for no requests). */
  fraction: number;
}

/** The prompt as a server sees its order: roles and contents in sequence (or the raw prompt). */
function promptText(request: ModelRequest): string {
  if (request.prompt !== undefined) return request.prompt;
  return request.messages.map((m) => `<${m.role}>${m.content}`).join("");
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * What fraction of prompt characters repeat the start of the previous request of the same group (by
 * default the same note: `groupOf` returns e.g. the note id; without it, the previous request). This is
 * the share a server prefix cache can reuse when requests of a note are sent together.
 */
export function sharedPrefixStats(
  requests: Iterable<ModelRequest>,
  groupOf?: (request: ModelRequest) => string,
): SharedPrefixStats {
  const previous = new Map<string, string>();
  let count = 0;
  let promptChars = 0;
  let sharedChars = 0;
  for (const request of requests) {
    const text = promptText(request);
    const group = groupOf?.(request) ?? "";
    const before = previous.get(group);
    count++;
    promptChars += text.length;
    if (before !== undefined) sharedChars += commonPrefix(before, text);
    previous.set(group, text);
  }
  return { requests: count, promptChars, sharedChars, fraction: promptChars ? sharedChars / promptChars : 0 };
}
