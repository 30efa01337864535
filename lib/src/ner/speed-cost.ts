import { tokenize } from "./tokenize.js";

/** Throughput of one labeler over a set of notes, timed on this machine (one core: labelers are synchronous). */
export type Throughput = {
  notes: number;
  tokens: number;
  characters: number;
  seconds: number;
  notesPerSecond: number;
  tokensPerSecond: number;
  megabytesPerSecond: number;
};

/**
 * Time `label` over the notes, repeating the pass until at least `minSeconds` have passed so short sample
 * sets still give a stable figure. Tokens are counted with the shared tokenizer.
 */
export function measureThroughput(
  texts: readonly string[],
  label: (text: string) => unknown,
  options: { minSeconds?: number } = {},
): Throughput {
  const minSeconds = options.minSeconds ?? 0.2;
  let tokensPerPass = 0;
  let charsPerPass = 0;
  for (const text of texts) {
    tokensPerPass += tokenize(text).count;
    charsPerPass += text.length;
  }
  let passes = 0;
  const started = performance.now();
  let seconds = 0;
  do {
    for (const text of texts) label(text);
    passes++;
    seconds = (performance.now() - started) / 1000;
  } while (seconds < minSeconds && texts.length > 0);
  const notes = texts.length * passes;
  const tokens = tokensPerPass * passes;
  const characters = charsPerPass * passes;
  const safe = Math.max(seconds, 1e-9);
  return {
    notes,
    tokens,
    characters,
    seconds,
    notesPerSecond: notes / safe,
    tokensPerSecond: tokens / safe,
    megabytesPerSecond: characters / 1e6 / safe,
  };
}

/** How a system is paid for: by the hour of the hardware it runs on, or by the token (an API). */
export type Price =
  | { kind: "hourly"; usdPerHour: number }
  | { kind: "tokens"; usdPerMillionInput: number; usdPerMillionOutput: number };

export interface Usage1000 {
  notesPerSecond?: number;
  promptTokensPerNote?: number;
  completionTokensPerNote?: number;
}

/**
 * Cost of labelling 1,000 notes: hourly price x hours for 1,000 notes at the measured speed, or token
 * prices x tokens per note x 1,000. Undefined when the needed figure is missing (e.g. no measured speed).
 */
export function costPer1000Notes(price: Price, usage: Usage1000): number | undefined {
  if (price.kind === "hourly") {
    if (!usage.notesPerSecond || usage.notesPerSecond <= 0) return undefined;
    return (price.usdPerHour * 1000) / usage.notesPerSecond / 3600;
  }
  if (usage.promptTokensPerNote === undefined || usage.completionTokensPerNote === undefined) return undefined;
  return (
    (1000 *
      (usage.promptTokensPerNote * price.usdPerMillionInput +
        usage.completionTokensPerNote * price.usdPerMillionOutput)) /
    1e6
  );
}
