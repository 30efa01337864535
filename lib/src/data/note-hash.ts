import { createHash } from "node:crypto";

/**
 * A note's text as compared for duplicates and leakage: Unicode NFKC (full-width and compatibility
 * forms, no-break spaces become their plain forms), every run of whitespace (line ends included)
 * one space, trimmed. Case is kept: "MS" and "ms" can be different notes' content.
 */
export function normaliseNoteText(text: string): string {
  // Same as replacing /\s+/g, but a lone space (most whitespace in prose) is not a match: twice as fast.
  return text
    .normalize("NFKC")
    .replace(/[^\S ]\s*| \s+/g, " ")
    .trim();
}

/**
 * SHA-256 (hex) of the normalised text: equal for two notes whose texts differ only in whitespace,
 * line ends or compatibility forms. Used to flag exact-text duplicates under different note ids and
 * to keep them on one side of a train/test split.
 */
export function noteTextHash(text: string): string {
  return noteTextDigest(text).toString("hex");
}

/** The raw SHA-256 bytes behind noteTextHash (readers keep a 12-byte prefix per note, not 64 hex characters). */
export function noteTextDigest(text: string): Buffer {
  return createHash("sha256").update(normaliseNoteText(text)).digest();
}
